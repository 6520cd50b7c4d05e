# ruff: noqa: T201  (a benchmark prints its figures to standard output)
"""Benchmark: precision and recall of the matchers on labelled public record-linkage data.

Each CSV row becomes an FtM Person. For nomenklatura, every record is looked up in the real
blocking index (``xref_key`` in a scratch SQLite database, each record in a case of its own).
Every candidate pair is then scored with LogicV2 and RegressionV1. A pair counts as a match at
a score of 0.7 or more (the deconfliction threshold) and, for comparison, 0.5. For Splink, the
batch-linkage function ``casetrail.xref.batch.link_records`` trains on the records and returns
pairs at a match probability of 0.5 or more. Precision and recall count unordered pairs of
records against the labelled clusters.

    .venv/bin/python bench/xref_quality.py
"""

from __future__ import annotations

import csv
import itertools
import platform
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from followthemoney import model
from followthemoney.proxy import EntityProxy
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from casetrail.xref.batch import link_records, record_for
from casetrail.xref.index import Side, insert_keys, lookup
from casetrail.xref.keys import entity_keys
from casetrail.xref.matching import score_pair
from casetrail.xref.models import MatchKey

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "matching"


@dataclass(frozen=True)
class Labelled:
    proxy: EntityProxy
    cluster: str


def _person(record_id: str) -> EntityProxy:
    proxy = model.make_entity("Person")
    proxy.id = record_id
    return proxy


def febrl(path: Path) -> list[Labelled]:
    rows: list[Labelled] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for raw in csv.DictReader(handle, skipinitialspace=True):
            row = {key.strip(): (value or "").strip() for key, value in raw.items()}
            proxy = _person(row["rec_id"])
            proxy.add("firstName", row["given_name"], quiet=True)
            proxy.add("lastName", row["surname"], quiet=True)
            proxy.add("name", f"{row['given_name']} {row['surname']}".strip(), quiet=True)
            birth = row["date_of_birth"]
            if len(birth) == 8:
                proxy.add("birthDate", f"{birth[:4]}-{birth[4:6]}-{birth[6:]}", quiet=True)
            proxy.add("idNumber", row["soc_sec_id"], quiet=True)
            street = f"{row['street_number']} {row['address_1']}".strip()
            place = f"{row['postcode']} {row['state']}".strip()
            address = ", ".join(part for part in (street, row["address_2"], row["suburb"], place) if part)
            proxy.add("address", address, quiet=True)
            proxy.add("postalCode", row["postcode"], quiet=True)
            rows.append(Labelled(proxy, row["rec_id"].split("-")[1]))
    return rows


def splink_fake(path: Path) -> list[Labelled]:
    rows: list[Labelled] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            proxy = _person(f"fake-{row['unique_id']}")
            first, last = row["first_name"].strip(), row["surname"].strip()
            proxy.add("firstName", first, quiet=True)
            proxy.add("lastName", last, quiet=True)
            proxy.add("name", f"{first} {last}".strip(), quiet=True)
            proxy.add("birthDate", row["dob"], quiet=True)
            proxy.add("address", row["city"], quiet=True)
            proxy.add("email", row["email"], quiet=True)
            rows.append(Labelled(proxy, row["cluster"]))
    return rows


def true_pairs(rows: list[Labelled]) -> set[frozenset[str]]:
    by_cluster: dict[str, list[str]] = {}
    for row in rows:
        by_cluster.setdefault(row.cluster, []).append(str(row.proxy.id))
    return {frozenset(pair) for ids in by_cluster.values() for pair in itertools.combinations(ids, 2)}


def blocked_pairs(rows: list[Labelled]) -> set[frozenset[str]]:
    """Return the pairs the blocking index proposes, with each record in a case of its own."""
    with tempfile.TemporaryDirectory() as folder:
        engine = create_engine(f"sqlite:///{folder}/keys.db")
        MatchKey.__table__.create(engine)
        pairs: set[frozenset[str]] = set()
        with Session(engine) as session:
            for row in rows:
                side = Side(str(row.proxy.id), None, str(row.proxy.id))
                insert_keys(session, side, "Person", entity_keys(row.proxy))
            session.commit()
            for row in rows:
                side = Side(str(row.proxy.id), None, str(row.proxy.id))
                for hit in lookup(session, side, entity_keys(row.proxy)):
                    pairs.add(frozenset((str(row.proxy.id), hit.side.entity_id)))
        engine.dispose()
    return pairs


def report(name: str, predicted: set[frozenset[str]], truth: set[frozenset[str]], seconds: float) -> None:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(
        f"| {name} | {len(predicted)} | {hits} | {precision:.3f} | {recall:.3f} | {f1:.3f} | {seconds:.1f} |"
    )


def evaluate(label: str, rows: list[Labelled]) -> None:
    truth = true_pairs(rows)
    by_id = {str(row.proxy.id): row.proxy for row in rows}
    print(f"\n{label}: {len(rows)} records, {len(truth)} true pairs")
    print("| method | pairs predicted | true pairs found | precision | recall | F1 | seconds |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    started = time.perf_counter()
    candidates = blocked_pairs(rows)
    report("blocking index alone", candidates, truth, time.perf_counter() - started)
    for algorithm in ("logic-v2", "regression-v1"):
        started = time.perf_counter()
        scores = {pair: _score(by_id, pair, algorithm) for pair in candidates}
        seconds = time.perf_counter() - started
        for threshold in (0.7, 0.5):
            matched = {pair for pair, value in scores.items() if value >= threshold}
            report(f"nomenklatura {algorithm} >= {threshold}", matched, truth, seconds)
    started = time.perf_counter()
    linked = link_records([record_for(str(row.proxy.id), row.proxy) for row in rows], threshold=0.5)
    predicted = {frozenset((pair.left_id, pair.right_id)) for pair in linked}
    report("Splink >= 0.5", predicted, truth, time.perf_counter() - started)


def _score(by_id: dict[str, EntityProxy], pair: frozenset[str], algorithm: str) -> float:
    left, right = sorted(pair)
    return score_pair(by_id[left], by_id[right], algorithm).value


DATASETS: dict[str, tuple[str, Callable[[Path], list[Labelled]]]] = {
    "FEBRL dataset 1": ("febrl_dataset1_dedup_1000.csv", febrl),
    "Splink fake_1000": ("fake_1000_with_clusters.csv", splink_fake),
}


def main() -> None:
    print(f"python {platform.python_version()} on {platform.platform()}")
    for label, (file_name, loader) in DATASETS.items():
        rows = loader(DATA / file_name)
        clusters = Counter(row.cluster for row in rows)
        print(f"{label}: {len(clusters)} clusters", file=sys.stderr)
        evaluate(label, rows)


if __name__ == "__main__":
    main()
