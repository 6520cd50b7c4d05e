"""Case tokens in the full-text index, and letter counts in the fuzzy vocabulary.

Revision ID: 0010
Revises: 0009

Adds ``search_entry.scope_terms``, one made-up word per case (``casetrail.search.scope``), and
makes it part of the engine's index, so that a search can narrow to the cases its user may see
inside the full-text match. Existing entries get their token here; FTS5 is rebuilt from the
table, and PostgreSQL recomputes the generated tsvector when the column is added again.

Adds ``search_term.letters``, the count of characters other than digits, which bounds the
candidates of a fuzzy term together with the length (``casetrail.search.models.SearchTerm``).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from casetrail.search.scope import scope_token

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TRIGGERS = ("search_fts_after_insert", "search_fts_after_delete", "search_fts_after_update")


_SQLITE_SCOPED_INDEX = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title_terms, body_terms, scope_terms, content='search_entry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_fts_after_insert AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_fts(rowid, title_terms, body_terms, scope_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms, new.scope_terms); END",
    "CREATE TRIGGER search_fts_after_delete AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms, scope_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms, old.scope_terms); END",
    "CREATE TRIGGER search_fts_after_update AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms, scope_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms, old.scope_terms); "
    "INSERT INTO search_fts(rowid, title_terms, body_terms, scope_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms, new.scope_terms); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
)
# The index of revision 0006, restored by the downgrade.
_SQLITE_PLAIN_INDEX = (
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title_terms, body_terms, content='search_entry', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_fts_after_insert AFTER INSERT ON search_entry BEGIN "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
    "CREATE TRIGGER search_fts_after_delete AFTER DELETE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); END",
    "CREATE TRIGGER search_fts_after_update AFTER UPDATE ON search_entry BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
)


def _drop_sqlite_index() -> None:
    for trigger in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS search_fts")


def _postgresql_vector(with_scope: bool) -> list[str]:
    scope = " || setweight(to_tsvector('simple'::regconfig, scope_terms), 'D')" if with_scope else ""
    return [
        "ALTER TABLE search_entry ADD COLUMN search_fts_vector tsvector GENERATED ALWAYS AS ("
        "setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
        f"setweight(to_tsvector('simple'::regconfig, body_terms), 'B'){scope}) STORED",
        "CREATE INDEX search_fts_vector_gin ON search_entry USING gin (search_fts_vector)",
    ]


def _fill_tokens() -> None:
    bind = op.get_bind()
    case_ids = bind.execute(sa.text("SELECT DISTINCT case_id FROM search_entry")).scalars().all()
    update = sa.text("UPDATE search_entry SET scope_terms = :token WHERE case_id = :case_id")
    for case_id in case_ids:
        bind.execute(update, {"token": scope_token(case_id), "case_id": case_id})


# Characters other than the digits 0-9, computed by the database for every existing word.
_LETTERS = "length(" + "replace(" * 10 + "term" + "".join(f", '{d}', '')" for d in range(10)) + ")"


def _add_letter_counts() -> None:
    op.add_column("search_term", sa.Column("letters", sa.Integer(), nullable=False, server_default="0"))
    op.execute(f"UPDATE search_term SET letters = {_LETTERS}")  # noqa: S608 - no input, only this constant
    with op.batch_alter_table("search_term", schema=None) as batch_op:
        batch_op.drop_index("ix_search_term_length")
        batch_op.create_index("ix_search_term_letters_length", ["letters", "length"], unique=False)


def _drop_letter_counts() -> None:
    with op.batch_alter_table("search_term", schema=None) as batch_op:
        batch_op.drop_index("ix_search_term_letters_length")
        batch_op.drop_column("letters")
        batch_op.create_index("ix_search_term_length", ["length"], unique=False)


def upgrade() -> None:
    _add_letter_counts()
    # The index goes first, so that filling the tokens does not update it row by row.
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_sqlite_index()
    else:
        op.execute("ALTER TABLE search_entry DROP COLUMN search_fts_vector")
    op.add_column(
        "search_entry", sa.Column("scope_terms", sa.String(length=64), nullable=False, server_default="")
    )
    _fill_tokens()
    statements = _SQLITE_SCOPED_INDEX if sqlite else _postgresql_vector(True)
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    _drop_letter_counts()
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        _drop_sqlite_index()
    else:
        op.execute("ALTER TABLE search_entry DROP COLUMN search_fts_vector")
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.drop_column("scope_terms")
    statements = _SQLITE_PLAIN_INDEX if sqlite else _postgresql_vector(False)
    for statement in statements:
        op.execute(statement)
