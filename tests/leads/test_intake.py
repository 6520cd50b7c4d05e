"""Public tips: submission with attachments, receipt codes and rate limits."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from casetrail.audit.models import AuditRecord
from casetrail.core.errors import NotFound, RateLimited, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.documents.models import Document
from casetrail.jobs.models import Job
from casetrail.leads import intake, ratelimit
from casetrail.leads.models import Lead, LeadAddition, RateLimitWindow
from casetrail.leads.queue import list_queue
from casetrail.leads.receipts import canonical_code
from tests.leads.conftest import LeadWorld

TIP = "A house on Elm Street where people come and go at night, a blue van parks there every evening."


def test_tip_reaches_triage_queue(world: LeadWorld) -> None:
    receipt = world.submit(TIP, files={"photo1.txt": b"first", "photo2.txt": b"second"})
    with transaction(world.factory) as session:
        page = list_queue(session, world.ctx(world.clerk))
    assert [item.lead.id for item in page.items] == [receipt.lead.id]
    assert page.items[0].lead.status == "new"
    assert page.items[0].lead.kind == "tip"


def test_tip_attachments_are_queued_for_ingestion(world: LeadWorld) -> None:
    receipt = world.submit(TIP, files={"photo1.txt": b"first", "photo2.txt": b"second"})
    with transaction(world.factory) as session:
        documents = list(
            session.execute(select(Document).where(Document.lead_id == receipt.lead.id)).scalars()
        )
        jobs = list(session.execute(select(Job).where(Job.kind == "documents.ingest")).scalars())
    assert sorted(doc.file_name for doc in documents) == ["photo1.txt", "photo2.txt"]
    assert {doc.case_id for doc in documents} == {None}
    assert {doc.origin for doc in documents} == {"tip"}
    assert sorted(job.payload["document_id"] for job in jobs) == sorted(doc.id for doc in documents)


def test_tip_audit_keeps_no_client_address(world: LeadWorld) -> None:
    world.submit(TIP)
    with transaction(world.factory) as session:
        rows = list(
            session.execute(select(AuditRecord).where(AuditRecord.action == "lead.tip_submit")).scalars()
        )
    assert len(rows) == 1
    assert rows[0].client_addr is None


def test_receipt_code_is_long_and_readable(world: LeadWorld) -> None:
    receipt = world.submit(TIP)
    canonical = canonical_code(receipt.code)
    assert canonical is not None
    assert len(canonical) * 5 >= 160
    assert receipt.lead.receipt_hash != receipt.code


def test_receipt_code_adds_information(world: LeadWorld) -> None:
    receipt = world.submit(TIP)
    typed = receipt.code.lower().replace("-", " ")
    with transaction(world.factory) as session:
        documents = intake.add_information(
            session,
            world.public(),
            world.settings,
            world.store,
            code=typed,
            body="The van's plate is KX-123.",
            attachments=[],
        )
    with transaction(world.factory) as session:
        additions = list(session.execute(select(LeadAddition)).scalars())
    assert documents == []
    assert [row.body for row in additions] == ["The van's plate is KX-123."]
    assert additions[0].lead_id == receipt.lead.id


def test_wrong_receipt_code_is_rejected(world: LeadWorld) -> None:
    receipt = world.submit(TIP)
    wrong = ("A" if receipt.code[0] != "A" else "B") + receipt.code[1:]
    with transaction(world.factory) as session, pytest.raises(NotFound):
        intake.add_information(
            session, world.public(), world.settings, world.store, code=wrong, body="more", attachments=[]
        )


def test_receipt_attempts_are_rate_limited(world: LeadWorld) -> None:
    limit = world.settings.leads.receipt_attempts_per_window
    for _ in range(limit):
        with transaction(world.factory) as session:
            ratelimit.hit(
                session,
                world.settings,
                scope=ratelimit.RECEIPT_SCOPE,
                client_addr="198.51.100.7",
                limit=limit,
            )
    with transaction(world.factory) as session, pytest.raises(RateLimited):
        ratelimit.hit(
            session, world.settings, scope=ratelimit.RECEIPT_SCOPE, client_addr="198.51.100.7", limit=limit
        )
    with transaction(world.factory) as session:
        other = ratelimit.hit(
            session, world.settings, scope=ratelimit.RECEIPT_SCOPE, client_addr="203.0.113.9", limit=limit
        )
    assert other == 1


def test_rate_limit_rows_hold_no_address(world: LeadWorld) -> None:
    with transaction(world.factory) as session:
        ratelimit.hit(session, world.settings, scope=ratelimit.TIP_SCOPE, client_addr="198.51.100.7", limit=5)
    with transaction(world.factory) as session:
        rows = list(session.execute(select(RateLimitWindow)).scalars())
    assert len(rows) == 1
    assert "198.51.100.7" not in rows[0].key_hash
    assert len(rows[0].key_hash) == 64


def test_too_many_attachments_are_rejected(world: LeadWorld) -> None:
    files = {f"f{index}.txt": b"x" for index in range(world.settings.leads.max_attachments + 1)}
    with pytest.raises(ValidationFailed) as raised:
        world.submit(TIP, files=files)
    assert "attachments" in raised.value.errors
    with transaction(world.factory) as session:
        assert session.execute(select(func.count()).select_from(Lead)).scalar_one() == 0


def test_empty_tip_is_rejected(world: LeadWorld) -> None:
    with pytest.raises(ValidationFailed) as raised:
        world.submit("   ")
    assert "body" in raised.value.errors


def test_concurrent_hits_are_all_counted(world: LeadWorld) -> None:
    def one_hit(_: int) -> int:
        with transaction(world.factory) as session:
            return ratelimit.hit(
                session, world.settings, scope=ratelimit.TIP_SCOPE, client_addr="198.51.100.7", limit=100
            )

    with ThreadPoolExecutor(max_workers=4) as pool:
        counts = sorted(pool.map(one_hit, range(12)))
    assert counts == list(range(1, 13))
