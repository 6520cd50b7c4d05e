"""A purge removes a record from the store and from every file of every lakehouse snapshot."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.actions import AuditAction
from casetrail.audit.models import AuditRecord
from casetrail.auth.context import operator_context
from casetrail.cases import notes as note_service
from casetrail.core.errors import Hidden
from casetrail.db.engine import transaction
from casetrail.entities.models import CaseEntity, Statement
from casetrail.lakehouse.purge import PurgeRequest, purge
from casetrail.lakehouse.purge_store import sha256_text
from casetrail.lakehouse.runtime import Lakehouse
from casetrail.lakehouse.sync import sync_until_caught_up
from tests.factories import context_for
from tests.lakehouse.conftest import TwoCases
from tests.lakehouse.helpers import add_note, add_person, rows

PURGED_NAME = "Zebulon Purgeworthy"
PURGED_NOTE = "informant Quillon Vask met the target"
KEPT_NAME = "Keeper Staysalot"


@pytest.fixture
def purge_case(lake: Lakehouse, factory: sessionmaker[Session], two_cases: TwoCases) -> dict[str, str]:
    kept = add_person(factory, two_cases.alice, two_cases.alpha, KEPT_NAME)
    sync_until_caught_up(lake)
    purged = add_person(factory, two_cases.alice, two_cases.alpha, PURGED_NAME, nationality=["ru"])
    note = add_note(factory, two_cases.alice, two_cases.alpha, PURGED_NOTE)
    sync_until_caught_up(lake)
    with transaction(factory) as session:
        note_service.update_note(
            session,
            context_for(two_cases.alice),
            "2026-0001",
            note.id,
            body=PURGED_NOTE + " again",
            expected_version=1,
        )
    sync_until_caught_up(lake)
    return {"entity": purged.record.entity_id, "note": note.id, "kept": kept.record.entity_id}


def _warehouse_files(lake: Lakehouse) -> list[Path]:
    root = lake.config.local_warehouse
    assert root is not None
    return [path for path in root.rglob("*") if path.is_file()]


def _run_purge(lake: Lakehouse, targets: dict[str, str]) -> None:
    purge(
        lake,
        operator_context(),
        PurgeRequest(
            case_number="2026-0001",
            entity_ids=[targets["entity"]],
            note_ids=[targets["note"]],
            reason="court order 2026/17",
        ),
    )


def test_purged_values_leave_no_parquet_row(lake: Lakehouse, purge_case: dict[str, str]) -> None:
    _run_purge(lake, purge_case)

    cells = []
    for path in _warehouse_files(lake):
        if path.suffix == ".parquet":
            for row in pq.read_table(path).to_pylist():
                cells.extend(f"{path}: {value}" for value in row.values())
    assert not [cell for cell in cells if "Purgeworthy" in cell or "Quillon" in cell]
    assert any(KEPT_NAME in cell for cell in cells)


def test_purged_values_leave_no_byte_in_warehouse(lake: Lakehouse, purge_case: dict[str, str]) -> None:
    before = [path for path in _warehouse_files(lake) if b"Purgeworthy" in path.read_bytes()]
    assert before

    _run_purge(lake, purge_case)

    after = [str(path) for path in _warehouse_files(lake) if b"Purgeworthy" in path.read_bytes()]
    notes_after = [str(path) for path in _warehouse_files(lake) if b"Quillon" in path.read_bytes()]
    assert after == []
    assert notes_after == []


def test_purge_removes_store_rows_and_keeps_others(
    lake: Lakehouse, factory: sessionmaker[Session], purge_case: dict[str, str]
) -> None:
    _run_purge(lake, purge_case)

    with transaction(factory) as session:
        statements = session.execute(
            select(Statement.value).where(Statement.entity_id == purge_case["entity"])
        ).all()
        entity_row = session.get(CaseEntity, (rows(lake, "cases")[0]["id"], purge_case["entity"]))
    assert statements == []
    assert entity_row is None
    assert [row["value"] for row in rows(lake, "statements") if row["prop"] == "name"] == [KEPT_NAME]
    assert rows(lake, "notes") == []


def test_certificate_lists_hashes_not_content(
    lake: Lakehouse, factory: sessionmaker[Session], purge_case: dict[str, str]
) -> None:
    _run_purge(lake, purge_case)

    with transaction(factory) as session:
        certificate = session.execute(
            select(AuditRecord).where(AuditRecord.action == AuditAction.LAKEHOUSE_PURGE)
        ).scalar_one()
    detail = certificate.detail
    digests = {item["value_sha256"] for item in detail["removed"]["statements"]}
    assert sha256_text(PURGED_NAME) in digests
    assert [item["id"] for item in detail["removed"]["notes"]] == [purge_case["note"]]
    assert detail["expired_snapshots"]["statements"]
    assert detail["deleted_files"]["statements"]
    assert "Purgeworthy" not in str(detail)


def test_purge_needs_supervision(lake: Lakehouse, two_cases: TwoCases, purge_case: dict[str, str]) -> None:
    request = PurgeRequest(case_number="2026-0001", note_ids=[purge_case["note"]], reason="court order")
    with pytest.raises(Hidden):
        purge(lake, context_for(two_cases.bob), request)
