"""The xref and watchlist commands: follow, notices without leaks, batch linkage, watch-list loads."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.cli import xref as cli_xref
from casetrail.db.engine import transaction
from casetrail.xref import batch
from casetrail.xref.follower import follow_until_caught_up
from casetrail.xref.models import Candidate, Watchlist, WatchlistEntity
from tests.cli.runner import Cli
from tests.conftest import DATA_DIR
from tests.xref.scenario import (
    ZAKHAROV_ID,
    ZALA_FILE,
    add_zakharov,
    build_scenario,
    load_zala,
    secrets_of_okafor,
)

EMPTY_FEED = DATA_DIR / "watchlists" / "ofac_sdn_2024-05-04_EMPTY.csv"


def test_follow_once_then_notices(factory: sessionmaker[Session], cli: Cli) -> None:
    scenario = build_scenario(factory, follow=False)
    followed = cli("xref", "follow", "--once")
    assert followed.exit_code == 0, followed.stderr
    assert "notices" in followed.stderr
    token = cli.token_for("rivera")
    result = cli("xref", "notices", "--output", "json", token=token)
    assert result.exit_code == 0, result.stderr
    notices = json.loads(result.stdout)
    assert len(notices) == 3
    assert all("Sgt. Okafor, Narcotics Unit 3" in notice["message"] for notice in notices)
    for secret in secrets_of_okafor(scenario):
        assert secret not in result.stdout, secret


def test_board_lists_supervised_case(factory: sessionmaker[Session], cli: Cli) -> None:
    scenario = build_scenario(factory)
    result = cli("xref", "board", token=cli.token_for("sup"))
    assert result.exit_code == 0, result.stderr
    assert scenario.rivera_case.number in result.stdout
    for secret in secrets_of_okafor(scenario):
        assert secret not in result.stdout, secret


def test_empty_feed_keeps_previous_list(factory: sessionmaker[Session], cli: Cli) -> None:
    loaded = cli("watchlist", "load", "sanctions", str(ZALA_FILE))
    assert loaded.exit_code == 0, loaded.stderr
    rejected = cli("watchlist", "load", "sanctions", str(EMPTY_FEED))
    assert rejected.exit_code == 1
    assert "contains no entities" in rejected.stderr
    assert "was not changed" in rejected.stderr
    with transaction(factory) as session:
        watchlist = session.execute(select(Watchlist)).scalar_one()
        stored = session.execute(select(func.count()).select_from(WatchlistEntity)).scalar_one()
    assert watchlist.version == 1
    assert watchlist.entity_count == 91
    assert stored == 91


def test_non_ftm_feed_is_rejected(cli: Cli) -> None:
    result = cli("watchlist", "load", "ofac", str(DATA_DIR / "SOURCES.md"))
    assert result.exit_code == 1
    assert "line 1: invalid JSON" in result.stderr


def test_batch_writes_candidates(factory: sessionmaker[Session], cli: Cli) -> None:
    build_scenario(factory, follow=False)
    result = cli("xref", "batch", "--schema", "Person", "--output", "json")
    assert result.exit_code == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["records"] == 2
    with transaction(factory) as session:
        origins = list(session.execute(select(Candidate.origin)).scalars())
    assert origins.count("batch") == report["candidates"]


def test_cli_threshold_default_matches_batch() -> None:
    assert cli_xref.DEFAULT_THRESHOLD == batch.DEFAULT_THRESHOLD


def test_follow_with_regression_matcher(factory: sessionmaker[Session], cli: Cli) -> None:
    build_scenario(factory, follow=False)
    result = cli("xref", "follow", "--once", "--algorithm", "regression-v1")
    assert result.exit_code == 0, result.stderr
    with transaction(factory) as session:
        algorithms = set(session.execute(select(Candidate.algorithm)).scalars())
    assert algorithms == {"regression-v1"}


def test_follow_rejects_unknown_matcher(cli: Cli) -> None:
    result = cli("xref", "follow", "--once", "--algorithm", "fuzzy")
    assert result.exit_code == 1
    assert "unknown matcher 'fuzzy'" in result.stderr


def test_batch_with_duckdb_limits(factory: sessionmaker[Session], cli: Cli, tmp_path: Path) -> None:
    build_scenario(factory, follow=False)
    folder = tmp_path / "xref-batch"
    result = cli(
        "xref", "batch", "--memory-limit", "512MB", "--threads", "1", "--temp-dir", str(folder),
        "--output", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["records"] == 2
    assert folder.is_dir()
    assert list(folder.iterdir()) == []


def test_batch_rejects_bad_memory_limit(factory: sessionmaker[Session], cli: Cli) -> None:
    build_scenario(factory, follow=False)
    result = cli("xref", "batch", "--memory-limit", "plenty")
    assert result.exit_code == 1
    assert "invalid DuckDB setting (memory limit 'plenty'" in result.stderr


def test_hidden_candidate_reads_as_missing(factory: sessionmaker[Session], cli: Cli) -> None:
    scenario = build_scenario(factory)
    with transaction(factory) as session:
        hidden_id = str(session.execute(select(Candidate.id)).scalar_one())
    missing_id = str(uuid.UUID(int=0))
    token = cli.token_for("rivera")
    hidden = cli("xref", "candidate", hidden_id, token=token)
    missing = cli("xref", "candidate", missing_id, token=token)
    assert hidden.exit_code == missing.exit_code
    assert hidden.exit_code != 0
    assert hidden.stdout == missing.stdout
    assert hidden.stderr.replace(hidden_id, "ID") == missing.stderr.replace(missing_id, "ID")
    for secret in secrets_of_okafor(scenario):
        assert secret not in hidden.stderr + hidden.stdout, secret
    with transaction(factory) as session:
        denial = session.execute(
            select(AuditRecord).where(
                AuditRecord.action == "access.denied", AuditRecord.object_id == hidden_id
            )
        ).scalar_one()
    assert denial.detail["attempted"] == "xref.candidate_read"


def test_candidate_shows_both_sides(factory: sessionmaker[Session], cli: Cli) -> None:
    scenario = build_scenario(factory)
    load_zala(factory)
    entity_id = add_zakharov(factory, scenario.rivera, scenario.rivera_case.number)
    follow_until_caught_up(factory)
    with transaction(factory) as session:
        candidate_id = session.execute(
            select(Candidate.id).where(Candidate.right_entity_id == ZAKHAROV_ID)
        ).scalar_one()
    result = cli("xref", "candidate", candidate_id, "--output", "json", token=cli.token_for("rivera"))
    assert result.exit_code == 0, result.stderr
    shown = json.loads(result.stdout)
    assert shown["id"] == candidate_id
    assert entity_id in shown["left"]
    assert "watch-list zala" in shown["right"]
