"""Legal document templates, documents and versions.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import casetrail.db.base

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "legal_template",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("current_version", sa.Integer(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_template")),
        sa.UniqueConstraint("key", name=op.f("uq_legal_template_key")),
    )
    op.create_table(
        "legal_template_version",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("template_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("preamble", sa.Text(), nullable=False),
        sa.Column("definition", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["template_id"],
            ["legal_template.id"],
            name=op.f("fk_legal_template_version_template_id_legal_template"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_template_version")),
        sa.UniqueConstraint("template_id", "number", name=op.f("uq_legal_template_version_template_id")),
    )
    op.create_table(
        "legal_document",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("template_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("latest_version", sa.Integer(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("redacted_from_id", sa.String(length=36), nullable=True),
        sa.Column("redacted_from_version", sa.Integer(), nullable=True),
        sa.Column("case_document_id", sa.String(length=36), nullable=True),
        sa.Column("filed_reference", sa.String(length=300), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_legal_document_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["redacted_from_id"],
            ["legal_document.id"],
            name=op.f("fk_legal_document_redacted_from_id_legal_document"),
        ),
        sa.ForeignKeyConstraint(
            ["template_id"], ["legal_template.id"], name=op.f("fk_legal_document_template_id_legal_template")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_document")),
    )
    with op.batch_alter_table("legal_document", schema=None) as batch_op:
        batch_op.create_index("ix_legal_document_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_legal_document_redacted_from_id", ["redacted_from_id"], unique=False)

    op.create_table(
        "legal_document_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("version_number", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["legal_document.id"],
            name=op.f("fk_legal_document_event_document_id_legal_document"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_document_event")),
    )
    with op.batch_alter_table("legal_document_event", schema=None) as batch_op:
        batch_op.create_index("ix_legal_document_event_document_id", ["document_id"], unique=False)

    op.create_table(
        "legal_document_version",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("document_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("template_version_id", sa.String(length=36), nullable=False),
        sa.Column("inputs", sa.JSON(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_by_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=True),
        sa.Column("pdf_size", sa.BigInteger(), nullable=True),
        sa.Column("issued_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("approved_by", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["legal_document.id"],
            name=op.f("fk_legal_document_version_document_id_legal_document"),
        ),
        sa.ForeignKeyConstraint(
            ["template_version_id"],
            ["legal_template_version.id"],
            name=op.f("fk_legal_document_version_template_version_id_legal_template_version"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_legal_document_version")),
        sa.UniqueConstraint("document_id", "number", name=op.f("uq_legal_document_version_document_id")),
    )
    with op.batch_alter_table("legal_document_version", schema=None) as batch_op:
        batch_op.create_index("ix_legal_document_version_pdf_sha256", ["pdf_sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("legal_document_version", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_document_version_pdf_sha256")

    op.drop_table("legal_document_version")
    with op.batch_alter_table("legal_document_event", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_document_event_document_id")

    op.drop_table("legal_document_event")
    with op.batch_alter_table("legal_document", schema=None) as batch_op:
        batch_op.drop_index("ix_legal_document_redacted_from_id")
        batch_op.drop_index("ix_legal_document_case_id")

    op.drop_table("legal_document")
    op.drop_table("legal_template_version")
    op.drop_table("legal_template")
