# ruff: noqa: T201  (a benchmark prints its figures to standard output)
"""Benchmark: full-text search latency over 100,000 documents on SQLite and on PostgreSQL.

The script migrates a scratch database, opens ``--cases`` cases through the case service and
writes ``--documents`` ingested documents (one to three pages each) spread evenly over them,
with their index entries built by the production builder
(``casetrail.search.indexer.document_entries``). The text is assembled from the words of the
real files in tests/data, drawn with their real frequencies, so a few words are very common
and most are rare. One analyst is a member of ``--visible-cases`` of the cases. Every query runs
as that analyst through ``casetrail.search.service.search``, in its own committed transaction
as an API request runs it. The time covers parsing, fuzzy expansion, the permission-filtered
count and page, snippets and the audit record.

    .venv/bin/python bench/search.py --backend sqlite --db var/bench/search.db
    .venv/bin/python bench/search.py --backend postgresql

``--reuse`` keeps the database of an earlier run (SQLite file or ``--postgres-url``), applies
new migrations to it and only measures.

Without ``--postgres-url`` the PostgreSQL run starts a throwaway server like the tests do.
"""

from __future__ import annotations

import argparse
import platform
import random
import re
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, create_engine, insert, text
from sqlalchemy.orm import Session, sessionmaker

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from casetrail.auth import service as auth_service  # noqa: E402
from casetrail.auth.context import RequestContext, operator_context  # noqa: E402
from casetrail.auth.models import User  # noqa: E402
from casetrail.cases import service as case_service  # noqa: E402
from casetrail.core.clock import utcnow  # noqa: E402
from casetrail.core.ids import new_id  # noqa: E402
from casetrail.core.logging import configure_logging  # noqa: E402
from casetrail.core.settings import Settings  # noqa: E402
from casetrail.db.engine import build_engine, session_factory, transaction  # noqa: E402
from casetrail.documents.models import Document, DocumentPage  # noqa: E402
from casetrail.migrations.runner import upgrade  # noqa: E402
from casetrail.search import vocabulary  # noqa: E402
from casetrail.search.indexer import document_entries  # noqa: E402
from casetrail.search.models import SearchEntry  # noqa: E402
from casetrail.search.request import SearchRequest  # noqa: E402
from casetrail.search.service import search  # noqa: E402

DATA = ROOT / "tests" / "data"
TEXT_SUFFIXES = {".txt", ".csv", ".json", ".md", ".html", ".htm", ".eml", ".xml", ".rtf", ".tsv"}
LABELS = ("seized", "scanned", "bank", "privileged", "phone", "translated")
BATCH = 2_000
PASSWORD = "bench password, not secret"
PURPOSE = "benchmark of cross-case search latency"


@dataclass(frozen=True)
class Corpus:
    """Words of the real test files with their counts, most common first."""

    words: list[str]
    weights: list[int]

    @classmethod
    def load(cls) -> Corpus:
        counts: Counter[str] = Counter()
        for path in DATA.rglob("*"):
            if path.is_file() and path.suffix.lower() in TEXT_SUFFIXES:
                counts.update(
                    word.lower() for word in re.findall(r"[^\W\d_]{2,}", path.read_text(errors="ignore"))
                )
        ordered = counts.most_common()
        return cls([word for word, _ in ordered], [count for _, count in ordered])

    def page(self, rng: random.Random, words: int) -> str:
        """Return sentences of 6 to 16 words, some with an amount or a date."""
        chosen = rng.choices(self.words, self.weights, k=words)
        sentences: list[str] = []
        while chosen:
            size = rng.randint(6, 16)
            part, chosen = chosen[:size], chosen[size:]
            if rng.random() < 0.2:
                part.append(f"{rng.randint(10, 99_999)}.{rng.randint(0, 99):02d}")
            sentences.append(" ".join(part).capitalize() + ".")
        return " ".join(sentences)


def _users(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as session:
        for name in ("analyst", "other"):
            auth_service.create_user(
                session, operator_context(), Settings(), username=name, password=PASSWORD,
                role="investigator", clearance="secret", unit_name=f"Unit {name}",
            )  # fmt: skip


def _cases(factory: sessionmaker[Session], count: int, visible: int) -> list[str]:
    """Open ``count`` cases; the analyst leads the first ``visible`` of them."""
    ids = []
    for number in range(count):
        with transaction(factory) as session:
            case = case_service.create_case(
                session, operator_context(), title=f"Bench case {number}",
                lead_username="analyst" if number < visible else "other", sensitivity="restricted",
            )  # fmt: skip
            ids.append(case.id)
    return ids


def _documents(
    rng: random.Random, corpus: Corpus, case_ids: list[str], count: int
) -> Iterator[tuple[Document, list[str]]]:
    start = datetime(2015, 1, 1, tzinfo=UTC)
    authors = [
        f"{a.title()} {b.title()}" for a, b in zip(corpus.words[200:700], corpus.words[900:1400], strict=True)
    ]
    for number in range(count):
        pages = [corpus.page(rng, rng.randint(80, 220)) for _ in range(rng.choice((1, 1, 1, 2, 3)))]
        document = Document(
            id=new_id(), case_id=case_ids[number % len(case_ids)], root_id="", origin="upload",
            file_name=f"doc-{number}.pdf", sha256="0" * 64, size=sum(map(len, pages)),
            declared_media_type="application/pdf", media_type="application/pdf", status="ingested",
            title=" ".join(rng.choices(corpus.words[:3000], k=4)).title(), author=rng.choice(authors),
            document_date=start + timedelta(days=rng.randint(0, 3650)), page_count=len(pages),
            meta={}, labels=rng.sample(LABELS, rng.randint(0, 2)), uploaded_by="bench", attempts=1,
            created_at=utcnow(), updated_at=utcnow(), version=1,
        )  # fmt: skip
        document.root_id = document.id
        yield document, pages


def build(factory: sessionmaker[Session], engine: Engine, args: argparse.Namespace) -> dict[str, float]:
    rng = random.Random(20261204)  # noqa: S311 - a fixed seed makes every run build the same text
    corpus = Corpus.load()
    started = time.perf_counter()
    _users(factory)
    case_ids = _cases(factory, args.cases, args.visible_cases)
    cases_done = time.perf_counter()
    pages_total = entries_total = 0
    batch: list[tuple[Document, list[str]]] = []
    for item in _documents(rng, corpus, case_ids, args.documents):
        batch.append(item)
        if len(batch) == BATCH:
            pages, entries = _write(factory, batch)
            pages_total, entries_total = pages_total + pages, entries_total + entries
            batch = []
            print(f"  {entries_total} entries, {time.perf_counter() - started:.0f} s", file=sys.stderr)
    pages, entries = _write(factory, batch)
    pages_total, entries_total = pages_total + pages, entries_total + entries
    written = time.perf_counter()
    _analyze(engine)
    return {
        "cases": args.cases,
        "pages": pages_total,
        "entries": entries_total,
        "open cases (service) s": cases_done - started,
        "write documents and index s": written - cases_done,
        "analyze s": time.perf_counter() - written,
    }


def _write(factory: sessionmaker[Session], batch: list[tuple[Document, list[str]]]) -> tuple[int, int]:
    if not batch:
        return 0, 0
    now = utcnow()
    documents = [
        {column.key: getattr(doc, column.key) for column in Document.__table__.columns} for doc, _ in batch
    ]
    pages = [
        {
            "document_id": doc.id,
            "page_no": number,
            "case_id": doc.case_id,
            "text": page,
            "ocr": False,
            "image_sha256": None,
        }
        for doc, texts in batch
        for number, page in enumerate(texts, start=1)
    ]
    entries = [
        entry for doc, texts in batch for entry in document_entries(doc, list(enumerate(texts, start=1)), now)
    ]
    rows = [
        {
            column.key: getattr(entry, column.key)
            for column in SearchEntry.__table__.columns
            if column.key != "id"
        }
        for entry in entries
    ]
    with transaction(factory) as session:
        session.execute(insert(Document), documents)
        session.execute(insert(DocumentPage), pages)
        session.execute(insert(SearchEntry), rows)
        terms = {term for row in rows for term in f"{row['title_terms']} {row['body_terms']}".split()}
        vocabulary.add_terms(session, terms)
    return len(pages), len(rows)


def _analyze(engine: Engine) -> None:
    if engine.dialect.name == "sqlite":
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO search_fts(search_fts) VALUES ('optimize')"))
            connection.execute(text("ANALYZE"))
        return
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


@dataclass(frozen=True)
class Template:
    name: str
    make: Callable[[random.Random, list[str]], SearchRequest]


def _words(corpus_words: list[str], low: int, high: int, rng: random.Random, count: int = 1) -> list[str]:
    return rng.sample(corpus_words[low:high], count)


TEMPLATES = (
    Template("common word", lambda r, w: SearchRequest(q=_words(w, 0, 50, r)[0])),
    Template("medium word", lambda r, w: SearchRequest(q=_words(w, 200, 1000, r)[0])),
    Template("rare word", lambda r, w: SearchRequest(q=_words(w, 3000, 10000, r)[0])),
    Template("two words (AND)", lambda r, w: SearchRequest(q=" ".join(_words(w, 50, 800, r, 2)))),
    Template("phrase", lambda r, w: SearchRequest(q='"' + " ".join(_words(w, 0, 100, r, 2)) + '"')),
    Template("prefix*", lambda r, w: SearchRequest(q=_words(w, 100, 2000, r)[0][:3] + "*")),
    Template("fuzzy~", lambda r, w: SearchRequest(q=_typo(_words(w, 300, 3000, r)[0], r) + "~")),
    Template("OR and NOT", lambda r, w: SearchRequest(q="({} OR {}) -{}".format(*_words(w, 50, 1500, r, 3)))),
    Template(
        "word + type, dates, newest",
        lambda r, w: SearchRequest(
            q=_words(w, 20, 500, r)[0],
            types=("document",),
            date_from="2018",
            date_to="2021-06",
            sort="newest",
        ),
    ),
    Template(
        "word + author filter",
        lambda r, w: SearchRequest(q=_words(w, 20, 500, r)[0], author=w[200 + r.randint(0, 400)]),
    ),
)


def _typo(word: str, rng: random.Random) -> str:
    if len(word) < 4:
        return word
    index = rng.randint(1, len(word) - 2)
    return word[:index] + word[index + 1] + word[index] + word[index + 2 :]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def measure(
    factory: sessionmaker[Session], args: argparse.Namespace
) -> list[tuple[str, float, float, float, float]]:
    rng = random.Random(7)  # noqa: S311 - a fixed seed makes every run ask the same queries
    words = Corpus.load().words
    with transaction(factory) as session:
        user = session.execute(text("SELECT id FROM user_account WHERE username = 'analyst'")).scalar_one()
        analyst = RequestContext(
            actor=auth_service.actor_for(session.get_one(User, user)), request_id="bench"
        )
    rows = []
    everything: list[float] = []
    for template in TEMPLATES:
        for scope in ("one case", "all visible"):
            timings: list[float] = []
            totals: list[int] = []
            for _ in range(args.queries):
                request = template.make(rng, words)
                if scope == "one case":
                    request = SearchRequest(**{**request.__dict__, "case": args.case_number})
                ctx = analyst if scope == "one case" else analyst.with_purpose(PURPOSE)
                started = time.perf_counter()
                with transaction(factory) as session:
                    totals.append(search(session, ctx, request).total)
                timings.append((time.perf_counter() - started) * 1000)
            everything.extend(timings)
            rows.append(
                (
                    f"{template.name}, {scope}",
                    percentile(timings, 0.5),
                    percentile(timings, 0.95),
                    statistics.mean(totals),
                    max(totals),
                )
            )
    rows.append(("all queries", percentile(everything, 0.5), percentile(everything, 0.95), 0.0, 0.0))
    return rows


def _built(engine: Engine) -> bool:
    with engine.connect() as connection:
        return bool(connection.execute(text("SELECT count(*) FROM search_entry")).scalar_one())


def _prepare(args: argparse.Namespace) -> tuple[str, Callable[[], None]]:
    if args.backend == "sqlite":
        path = Path(args.db)
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            if not args.reuse:
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}", lambda: None
    if args.postgres_url:
        return args.postgres_url, lambda: None
    from tests.support.postgres import start_postgres  # noqa: PLC0415 - only the PostgreSQL run needs it

    server = start_postgres()
    admin = create_engine(server.admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text("CREATE DATABASE casetrail_bench"))
    admin.dispose()
    return server.url_for("casetrail_bench"), server.stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), required=True)
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--cases", type=int, default=500)
    parser.add_argument("--visible-cases", type=int, default=50, help="cases the analyst is on")
    parser.add_argument("--queries", type=int, default=20, help="queries per template and scope")
    parser.add_argument("--db", default="var/bench/search.db", help="SQLite file (recreated)")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="keep a database that an earlier run built (migrating it) and only measure",
    )
    parser.add_argument(
        "--postgres-url", help="an empty PostgreSQL database; default: start a throwaway server"
    )
    args = parser.parse_args()
    configure_logging("WARNING", "console")

    url, stop = _prepare(args)
    try:
        upgrade(url)
        engine = build_engine(url)
        factory = session_factory(engine)
        figures = {} if args.reuse and _built(engine) else build(factory, engine, args)
        with engine.connect() as connection:
            args.case_number = connection.execute(
                text("SELECT number FROM case_file ORDER BY number LIMIT 1")
            ).scalar_one()
        rows = measure(factory, args)
        engine.dispose()
    finally:
        stop()

    print(
        f"backend: {args.backend}; documents: {args.documents}; cases: {args.cases}; "
        f"analyst on {args.visible_cases}"
    )
    print(
        f"machine: {platform.platform()}, Python {platform.python_version()}, SQLite {sqlite3.sqlite_version}"
    )
    for name, value in figures.items():
        print(f"{name}: {value:.1f}" if isinstance(value, float) else f"{name}: {value}")
    print("| query | p50 ms | p95 ms | mean results | max results |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, p50, p95, mean_total, max_total in rows:
        print(f"| {name} | {p50:.1f} | {p95:.1f} | {mean_total:.0f} | {max_total:.0f} |")


if __name__ == "__main__":
    main()
