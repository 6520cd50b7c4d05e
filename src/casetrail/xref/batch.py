"""Batch linkage: deduplicate and link every entity of one schema across all cases with Splink.

Splink (DuckDB backend) estimates a Fellegi-Sunter model from the data itself: u probabilities
from random pairs, m probabilities by expectation maximisation. Each training session blocks
on two columns, because a session blocked on one column can end with an m probability of 0 on
small data. Pairs above the threshold are written to the candidate table for review, next to
the follower's candidates.

Records stream from the store into a JSON-lines file and from there into DuckDB, so Python
keeps one record in memory at a time. ``BatchLimits`` caps DuckDB's memory and threads and names the
folder it spills to when a join outgrows the limit.
"""

from __future__ import annotations

import json
import logging
import tempfile
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import splink.comparison_library as cl
from followthemoney import model, registry
from followthemoney.proxy import EntityProxy
from splink import DuckDBAPI, Linker, SettingsCreator, block_on
from splink.internals.exceptions import SplinkException
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth.context import RequestContext
from casetrail.core.errors import ValidationFailed
from casetrail.core.logging import get_logger
from casetrail.entities.models import CaseEntity, Statement
from casetrail.xref.candidates import ScoredPair, store_candidates
from casetrail.xref.index import Side
from casetrail.xref.keys import address_key, identifier_key, name_tokens

log = get_logger(__name__)

DEFAULT_THRESHOLD = 0.5
COLUMNS = (
    "first_name",
    "surname",
    "full_name",
    "birth_date",
    "birth_year",
    "identifier",
    "phone",
    "email",
    "address",
    "postcode",
)
_RANDOM_PAIRS = 1_000_000
_COLUMN_TYPES = ", ".join(f"'{name}': 'VARCHAR'" for name in ("unique_id", *COLUMNS))
# Built from the constant column names above; the file name is a bound parameter.
_READ_RECORDS_SQL = (
    f"CREATE TABLE records AS SELECT * FROM read_json(?, format='newline_delimited', "  # noqa: S608
    f"columns={{{_COLUMN_TYPES}}})"
)


@dataclass(frozen=True)
class LinkedPair:
    left_id: str
    right_id: str
    probability: float
    match_weight: float
    levels: dict[str, int]
    """Comparison name to the agreement level Splink chose (higher agrees more, -1 is null)."""


@dataclass(frozen=True)
class BatchLimits:
    """DuckDB resources for one batch run; None keeps DuckDB's own default."""

    memory_limit: str | None = None
    """DuckDB ``memory_limit``, e.g. ``"4GB"``; DuckDB's default is 80 % of the machine's memory."""
    threads: int | None = None
    """DuckDB worker threads; DuckDB's default is one per core."""
    temp_directory: Path | None = None
    """Folder for the record file and DuckDB's spill files; the system's temporary folder if None."""

    def duckdb_config(self, spill: Path) -> dict[str, str | bool | int | float | list[str]]:
        config: dict[str, str | bool | int | float | list[str]] = {"temp_directory": str(spill)}
        if self.memory_limit is not None:
            config["memory_limit"] = self.memory_limit
        if self.threads is not None:
            config["threads"] = self.threads
        return config


@dataclass
class BatchReport:
    schema: str
    records: int = 0
    pairs: int = 0
    candidates: int = 0
    seconds: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    """Seconds per phase: ``read`` (store to file), ``train``, ``predict``, ``store``."""


def record_for(record_id: str, proxy: EntityProxy) -> dict[str, Any]:
    """Flatten an entity into the columns Splink compares; absent values are None."""
    is_person = proxy.schema.is_a("Person")
    name = proxy.caption if proxy.caption != proxy.schema.label else ""
    tokens = name_tokens(name, is_person=is_person) if name else []
    first = proxy.first("firstName", quiet=True)
    last = proxy.first("lastName", quiet=True)
    birth = proxy.first("birthDate", quiet=True) or ""
    identifiers = [identifier_key(value) for value in proxy.get_type_values(registry.identifier)]
    addresses = [address_key(value) for value in proxy.get_type_values(registry.address)]
    postcodes = proxy.get("postalCode", quiet=True)
    return {
        "unique_id": record_id,
        "first_name": _lower(first) or (tokens[0] if is_person and len(tokens) > 1 else None),
        "surname": _lower(last) or (tokens[-1] if is_person and tokens else None),
        "full_name": " ".join(sorted(tokens)) or None,
        "birth_date": birth[:10] if len(birth) >= 10 else None,
        "birth_year": birth[:4] or None,
        "identifier": next((value for value in identifiers if value), None),
        "phone": proxy.first("phone", quiet=True),
        "email": _lower(proxy.first("email", quiet=True)),
        "address": next((value for value in addresses if value), None),
        "postcode": postcodes[0] if postcodes else None,
    }


def _lower(value: str | None) -> str | None:
    return value.strip().lower() if value and value.strip() else None


def link_records(
    records: Iterable[dict[str, Any]],
    *,
    threshold: float = DEFAULT_THRESHOLD,
    limits: BatchLimits | None = None,
    phases: dict[str, float] | None = None,
) -> list[LinkedPair]:
    """Train a Splink model on ``records`` and return the pairs scoring at least ``threshold``.

    ``phases``, when given, receives the seconds spent reading, training and predicting.
    """
    limits = limits or BatchLimits()
    timings = phases if phases is not None else {}
    if limits.temp_directory is not None:
        limits.temp_directory.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="xref-batch-", dir=limits.temp_directory) as folder:
        started = time.perf_counter()
        path = Path(folder) / "records.jsonl"
        count, populated = _write_records(path, records)
        timings["read"] = time.perf_counter() - started
        if count < 2:
            return []
        connection = _connect(limits, Path(folder) / "spill")
        try:
            connection.execute(_READ_RECORDS_SQL, [str(path)])
            path.unlink()
            rows = _train_and_predict(connection, populated, threshold, timings)
        finally:
            connection.close()
    return [_pair(row) for row in rows]


def _connect(limits: BatchLimits, spill: Path) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(config=limits.duckdb_config(spill))
    except duckdb.Error as error:
        raise ValidationFailed(
            f"invalid DuckDB setting (memory limit {limits.memory_limit!r}, threads {limits.threads!r}): "
            f"{error}; give the memory limit as a size such as 4GB",
            {"memory_limit": "invalid"},
        ) from error


def _write_records(path: Path, records: Iterable[dict[str, Any]]) -> tuple[int, list[str]]:
    """Write the records as JSON lines; return their number and the columns any of them fills."""
    count = 0
    filled: set[str] = set()
    with path.open("w", encoding="utf-8") as handle:
        for row in records:
            values = {name: row.get(name) for name in ("unique_id", *COLUMNS)}
            filled.update(name for name in COLUMNS if values[name])
            handle.write(json.dumps(values) + "\n")
            count += 1
    return count, [name for name in COLUMNS if name in filled]


def _train_and_predict(
    connection: duckdb.DuckDBPyConnection, populated: list[str], threshold: float, timings: dict[str, float]
) -> list[dict[str, Any]]:
    started = time.perf_counter()
    db_api = DuckDBAPI(connection=connection)
    linker = Linker(db_api.register("records"), _settings(populated), log_level=logging.WARNING)
    _train(linker, populated)
    timings["train"] = time.perf_counter() - started
    started = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    # NOTE: every pair above the threshold is held in memory: 1,656,948 pairs of 1,000,000
    # synthetic people peaked at 6.2 GiB (docs/benchmarks.md). Reading them in chunks would not.
    rows: list[dict[str, Any]] = predictions.as_record_list()
    timings["predict"] = time.perf_counter() - started
    return rows


def _settings(populated: list[str]) -> SettingsCreator:
    comparisons: list[Any] = []
    for name in ("first_name", "surname", "full_name"):
        if name in populated:
            comparisons.append(cl.NameComparison(name))
    if "birth_date" in populated:
        comparisons.append(cl.DateOfBirthComparison("birth_date", input_is_string=True))
    for name in ("identifier", "phone", "postcode"):
        if name in populated:
            comparisons.append(cl.ExactMatch(name))
    if "email" in populated:
        comparisons.append(cl.EmailComparison("email"))
    if "address" in populated:
        comparisons.append(cl.LevenshteinAtThresholds("address", [3, 8]))
    if not comparisons:
        raise ValidationFailed(
            "the records have no name, date or identifier to compare", {"schema": "no data"}
        )
    return SettingsCreator(
        link_type="dedupe_only",
        comparisons=comparisons,
        blocking_rules_to_generate_predictions=_prediction_blocks(populated),
        retain_intermediate_calculation_columns=False,
    )


def _prediction_blocks(populated: list[str]) -> list[Any]:
    wanted = [
        ("first_name", "surname"),
        ("surname", "birth_year"),
        ("first_name", "birth_year"),
        ("full_name",),
        ("identifier",),
        ("phone",),
        ("email",),
        ("postcode", "birth_year"),
    ]
    return [block_on(*columns) for columns in wanted if all(column in populated for column in columns)]


def _train(linker: Linker, populated: list[str]) -> None:
    linker.training.estimate_u_using_random_sampling(max_pairs=_RANDOM_PAIRS)
    for columns in _training_blocks(populated):
        try:
            linker.training.estimate_parameters_using_expectation_maximisation(block_on(*columns))
        except SplinkException as error:
            # Too few pairs share these two columns to train on; other sessions still count.
            log.warning("splink_training_session_skipped", columns=list(columns), error=str(error)[:200])
    deterministic: list[Any] = [block_on(*columns) for columns in _training_blocks(populated)[:1]]
    if deterministic:
        try:
            linker.training.estimate_probability_two_random_records_match(deterministic, recall=0.7)
        except (SplinkException, ValueError) as error:
            # On small data the rule can pair more records than the recall allows; the default
            # prior (1 in 10,000) then stays.
            log.warning("splink_prior_not_estimated", error=str(error)[:200])


def _training_blocks(populated: list[str]) -> list[tuple[str, ...]]:
    """Pairs of columns to block EM sessions on; together they leave every comparison trained."""
    options = [
        ("first_name", "surname"),
        ("identifier", "birth_year"),
        ("full_name", "birth_year"),
        ("birth_date", "postcode"),
        ("email", "birth_year"),
        ("phone", "birth_year"),
    ]
    return [columns for columns in options if all(column in populated for column in columns)]


def _pair(row: dict[str, Any]) -> LinkedPair:
    levels = {key[len("gamma_") :]: int(value) for key, value in row.items() if key.startswith("gamma_")}
    left, right = sorted((str(row["unique_id_l"]), str(row["unique_id_r"])))
    return LinkedPair(
        left_id=left,
        right_id=right,
        probability=float(row["match_probability"]),
        match_weight=float(row["match_weight"]),
        levels=levels,
    )


def case_records(session: Session, schema: str) -> Iterator[dict[str, Any]]:
    """Yield one record per live case entity of ``schema`` (or a descendant), across all cases.

    Statements are read in one ordered scan rather than one query per entity.
    """
    target = model.get(schema)
    if target is None or not target.matchable:
        raise ValidationFailed(f"unknown or unmatchable schema {schema!r}", {"schema": "unknown"})
    names = [item.name for item in model.schemata.values() if item.is_a(target)]
    query = (
        select(Statement.case_id, Statement.canonical_id, CaseEntity.schema, Statement.prop, Statement.value)
        .join(
            CaseEntity,
            (CaseEntity.case_id == Statement.case_id) & (CaseEntity.entity_id == Statement.canonical_id),
        )
        .where(
            CaseEntity.schema.in_(names),
            CaseEntity.merged_into.is_(None),
            Statement.retracted_at.is_(None),
        )
        .order_by(Statement.case_id, Statement.canonical_id)
    )
    current: tuple[str, str] | None = None
    proxy: EntityProxy | None = None
    for case_id, entity_id, entity_schema, prop, value in session.execute(query).yield_per(5_000):
        if (case_id, entity_id) != current:
            if proxy is not None and current is not None:
                yield record_for(Side(current[0], None, current[1]).token, proxy)
            current = (case_id, entity_id)
            proxy = model.make_entity(entity_schema)
            proxy.id = entity_id
        assert proxy is not None
        proxy.add(prop, value, cleaned=True, quiet=True)
    if proxy is not None and current is not None:
        yield record_for(Side(current[0], None, current[1]).token, proxy)


def run_batch(
    session: Session,
    ctx: RequestContext,
    *,
    schema: str,
    threshold: float = DEFAULT_THRESHOLD,
    limits: BatchLimits | None = None,
) -> BatchReport:
    """Link all case entities of ``schema`` and store the pairs as candidates for review."""
    started = time.perf_counter()
    report = BatchReport(schema=schema)
    records = _counted(case_records(session, schema), report)
    pairs = link_records(records, threshold=threshold, limits=limits, phases=report.phases)
    report.pairs = len(pairs)

    stored = time.perf_counter()
    report.candidates = store_candidates(session, (_scored(pair, schema) for pair in pairs))
    session.flush()
    report.phases["store"] = time.perf_counter() - stored
    report.seconds = time.perf_counter() - started

    record(
        session,
        ctx.audit_source,
        AuditAction.XREF_BATCH,
        object_type="xref_candidate",
        detail={"schema": schema, "records": report.records, "pairs": report.pairs},
    )
    log.info(
        "xref_batch_linked",
        schema=schema,
        records=report.records,
        pairs=report.pairs,
        seconds={name: round(value, 1) for name, value in report.phases.items()},
    )
    return report


def _scored(pair: LinkedPair, schema: str) -> ScoredPair:
    return ScoredPair(
        one=_side(pair.left_id),
        other=_side(pair.right_id),
        schema=schema,
        score=pair.probability,
        algorithm="splink",
        features={"match_weight": round(pair.match_weight, 3), "levels": pair.levels},
        shared_keys=[name for name, level in pair.levels.items() if level > 0],
        origin="batch",
    )


def _counted(records: Iterator[dict[str, Any]], report: BatchReport) -> Iterator[dict[str, Any]]:
    for row in records:
        report.records += 1
        yield row


def _side(token: str) -> Side:
    _, case_id, entity_id = token.split(":", 2)
    return Side(case_id, None, entity_id)
