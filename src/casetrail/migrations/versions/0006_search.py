"""Full-text search index.

Revision ID: 0006
Revises: 0005

Besides the two tables the models describe, this revision creates the engine's own full-text
index (see ``casetrail.search.models``): on SQLite an FTS5 external-content table with
triggers that keep it in step with ``search_entry``; on PostgreSQL a generated tsvector column
with a GIN index.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import casetrail.db.base

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

# Title words weigh more than body words: bm25 column weights on SQLite, tsvector weights A and B
# on PostgreSQL. The 'simple' configuration neither stems nor drops stop words, as FTS5 does not.
_SQLITE_INDEX = (
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
)
_POSTGRESQL_INDEX = (
    "ALTER TABLE search_entry ADD COLUMN search_fts_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title_terms), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, body_terms), 'B')) STORED",
    "CREATE INDEX search_fts_vector_gin ON search_entry USING gin (search_fts_vector)",
)


def upgrade() -> None:
    # The long texts come last: SQLite reads the columns of a row in order, so filters and sorts
    # on the short columns never walk the overflow pages of a page's text.
    op.create_table(
        "search_entry",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("page_no", sa.Integer(), nullable=True),
        sa.Column("entry_date", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("author", sa.String(length=500), nullable=False),
        sa.Column("media_type", sa.String(length=200), nullable=False),
        sa.Column("labels", sa.Text(), nullable=False),
        sa.Column("indexed_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("title", sa.String(length=1000), nullable=False),
        sa.Column("title_terms", sa.Text(), nullable=False),
        sa.Column("body_terms", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_search_entry_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_search_entry")),
    )
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.create_index("ix_search_entry_case_id_entry_date", ["case_id", "entry_date"], unique=False)
        batch_op.create_index("ix_search_entry_indexed_at", ["indexed_at"], unique=False)
        batch_op.create_index("ix_search_entry_kind_object", ["kind", "object_id"], unique=False)

    op.create_table(
        "search_term",
        sa.Column("term", sa.String(length=64), nullable=False),
        sa.Column("length", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("term", name=op.f("pk_search_term")),
    )
    with op.batch_alter_table("search_term", schema=None) as batch_op:
        batch_op.create_index("ix_search_term_length", ["length"], unique=False)

    statements = _SQLITE_INDEX if op.get_bind().dialect.name == "sqlite" else _POSTGRESQL_INDEX
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("search_fts_after_insert", "search_fts_after_delete", "search_fts_after_update"):
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.execute("DROP TABLE IF EXISTS search_fts")
    with op.batch_alter_table("search_term", schema=None) as batch_op:
        batch_op.drop_index("ix_search_term_length")
    op.drop_table("search_term")
    with op.batch_alter_table("search_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_search_entry_kind_object")
        batch_op.drop_index("ix_search_entry_indexed_at")
        batch_op.drop_index("ix_search_entry_case_id_entry_date")
    op.drop_table("search_entry")
