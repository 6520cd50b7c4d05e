"""Watch-lists: loading, replacing, rejecting broken feeds, and screening cases against a list."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.core.errors import ImportFailed, PermissionDenied
from casetrail.db.engine import transaction
from casetrail.xref.follower import follow_until_caught_up
from casetrail.xref.models import Candidate, MatchKey, Watchlist, WatchlistEntity
from casetrail.xref.watchlists import load_watchlist, load_watchlist_file
from tests.conftest import DATA_DIR
from tests.factories import context_for, make_case
from tests.xref.scenario import ZAKHAROV_ID, ZALA_FILE, add_zakharov, load_zala, make_account

EMPTY_FEED = DATA_DIR / "watchlists" / "ofac_sdn_2024-05-04_EMPTY.csv"


def _state(factory: sessionmaker[Session]) -> tuple[int, int, int]:
    with transaction(factory) as session:
        watchlist = session.execute(select(Watchlist)).scalar_one()
        entities = session.execute(select(func.count()).select_from(WatchlistEntity)).scalar_one()
        keys = session.execute(select(func.count()).select_from(MatchKey)).scalar_one()
    return watchlist.version, entities, keys


def test_load_stores_entities_and_keys(factory: sessionmaker[Session]) -> None:
    report = load_zala(factory)
    assert report.entities == 91
    assert report.schemata["Person"] == 6
    assert report.skipped_values == 1
    version, entities, keys = _state(factory)
    assert version == 1
    assert entities == 91
    assert keys > 91


def test_reload_replaces_previous_version(factory: sessionmaker[Session]) -> None:
    load_zala(factory)
    first = _state(factory)
    load_zala(factory)
    second = _state(factory)
    assert second[0] == 2
    assert second[1:] == first[1:]


def test_empty_feed_rejected(factory: sessionmaker[Session]) -> None:
    load_zala(factory)
    before = _state(factory)
    with transaction(factory) as session, pytest.raises(ImportFailed, match="contains no entities"):
        load_watchlist_file(session, operator_context(), "zala", EMPTY_FEED)
    assert _state(factory) == before


def test_truncated_feed_rejected(factory: sessionmaker[Session], tmp_path: Path) -> None:
    load_zala(factory)
    before = _state(factory)
    lines = ZALA_FILE.read_bytes().splitlines(keepends=True)
    broken = b"".join(lines[:40]) + lines[40][:25]
    with transaction(factory) as session, pytest.raises(ImportFailed) as caught:
        load_watchlist(session, operator_context(), "zala", io.BytesIO(broken), file_name="zala.json")
    assert caught.value.line == 41
    assert _state(factory) == before


def test_investigator_cannot_load(factory: sessionmaker[Session]) -> None:
    user = make_account(factory, "ivy", "Ivy", "Unit A")
    with transaction(factory) as session, pytest.raises(PermissionDenied):
        load_watchlist_file(session, context_for(user), "zala", ZALA_FILE)


def test_new_list_screens_existing_cases(factory: sessionmaker[Session]) -> None:
    user = make_account(factory, "ivy", "Ivy", "Unit A")
    case = make_case(factory, "ivy", title="Drones")
    entity_id = add_zakharov(factory, user, case.number)
    follow_until_caught_up(factory)
    load_zala(factory)
    run = follow_until_caught_up(factory)
    assert run.entities == 91
    with transaction(factory) as session:
        candidate = session.execute(
            select(Candidate).where(Candidate.right_entity_id == ZAKHAROV_ID)
        ).scalar_one()
    assert candidate.left_entity_id == entity_id
    assert candidate.right_watchlist_id is not None
    assert candidate.score >= 0.7
