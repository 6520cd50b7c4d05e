"""Evidence register: items, append-only custody events, digital evidence files, entity links.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-04 20:34:12.077578
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import casetrail.db.base

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_item",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("obtained_method", sa.String(length=300), nullable=False),
        sa.Column("obtained_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("obtained_place", sa.String(length=300), nullable=False),
        sa.Column("obtained_by", sa.String(length=200), nullable=False),
        sa.Column("obtained_from_entity_id", sa.String(length=200), nullable=True),
        sa.Column("storage_location", sa.String(length=300), nullable=False),
        sa.Column("seal_number", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("custodian_user_id", sa.String(length=36), nullable=True),
        sa.Column("custodian_location", sa.String(length=300), nullable=True),
        sa.Column("pending_receiver_id", sa.String(length=36), nullable=True),
        sa.Column("pending_release_id", sa.String(length=36), nullable=True),
        sa.Column("custody_seq", sa.Integer(), nullable=False),
        sa.Column("custody_head", sa.String(length=64), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_evidence_item_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["custodian_user_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_item_custodian_user_id_user_account"),
        ),
        sa.ForeignKeyConstraint(
            ["pending_receiver_id"],
            ["user_account.id"],
            name=op.f("fk_evidence_item_pending_receiver_id_user_account"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_item")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_evidence_item_case_id")),
    )
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_item_pending_receiver_id", ["pending_receiver_id"], unique=False)

    op.create_table(
        "custody_event",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("event_type", sa.String(length=32), nullable=False),
        sa.Column("from_user_id", sa.String(length=36), nullable=True),
        sa.Column("from_location", sa.String(length=300), nullable=True),
        sa.Column("to_user_id", sa.String(length=36), nullable=True),
        sa.Column("to_location", sa.String(length=300), nullable=True),
        sa.Column("purpose", sa.String(length=16), nullable=True),
        sa.Column("occurred_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=300), nullable=False),
        sa.Column("seal_number", sa.String(length=100), nullable=False),
        sa.Column("condition", sa.String(length=500), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_by_id", sa.String(length=36), nullable=True),
        sa.Column("recorded_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("corrects_event_id", sa.String(length=36), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_custody_event_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["corrects_event_id"],
            ["custody_event.id"],
            name=op.f("fk_custody_event_corrects_event_id_custody_event"),
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["evidence_item.id"], name=op.f("fk_custody_event_item_id_evidence_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_custody_event")),
        sa.UniqueConstraint("item_id", "seq", name=op.f("uq_custody_event_item_id")),
    )
    with op.batch_alter_table("custody_event", schema=None) as batch_op:
        batch_op.create_index("ix_custody_event_case_id", ["case_id"], unique=False)

    op.create_table(
        "evidence_file",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("media_type", sa.String(length=200), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("derived_from_sha256", sa.String(length=64), nullable=True),
        sa.Column("uploaded_by", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by_id", sa.String(length=36), nullable=True),
        sa.Column("uploaded_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_evidence_file_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["item_id"], ["evidence_item.id"], name=op.f("fk_evidence_file_item_id_evidence_item")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_file")),
        sa.UniqueConstraint("item_id", "sha256", "kind", name=op.f("uq_evidence_file_item_id")),
    )
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_file_case_id", ["case_id"], unique=False)
        batch_op.create_index("ix_evidence_file_item_id", ["item_id"], unique=False)
        batch_op.create_index("ix_evidence_file_sha256", ["sha256"], unique=False)

    op.create_table(
        "evidence_item_entity",
        sa.Column("item_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["item_id"], ["evidence_item.id"], name=op.f("fk_evidence_item_entity_item_id_evidence_item")
        ),
        sa.PrimaryKeyConstraint("item_id", "entity_id", name=op.f("pk_evidence_item_entity")),
    )
    with op.batch_alter_table("evidence_item_entity", schema=None) as batch_op:
        batch_op.create_index("ix_evidence_item_entity_entity_id", ["entity_id"], unique=False)
    _protect_custody_log()


def _protect_custody_log() -> None:
    """Reject UPDATE and DELETE on custody events inside the database, as for audit records.

    The per-item hash chain shows a change after the fact; the triggers stop one made through
    the application's connection. PostgreSQL reuses ``casetrail_reject_change`` from 0001.
    """
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER custody_event_no_{operation.lower()} BEFORE {operation} "
                "ON custody_event BEGIN "
                "SELECT RAISE(ABORT, 'custody events are append-only'); END"
            )
        return
    op.execute(
        "CREATE TRIGGER custody_event_append_only BEFORE UPDATE OR DELETE ON custody_event "
        "FOR EACH ROW EXECUTE FUNCTION casetrail_reject_change()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS custody_event_no_update")
        op.execute("DROP TRIGGER IF EXISTS custody_event_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS custody_event_append_only ON custody_event")
    with op.batch_alter_table("evidence_item_entity", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_item_entity_entity_id")

    op.drop_table("evidence_item_entity")
    with op.batch_alter_table("evidence_file", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_file_sha256")
        batch_op.drop_index("ix_evidence_file_item_id")
        batch_op.drop_index("ix_evidence_file_case_id")

    op.drop_table("evidence_file")
    with op.batch_alter_table("custody_event", schema=None) as batch_op:
        batch_op.drop_index("ix_custody_event_case_id")

    op.drop_table("custody_event")
    with op.batch_alter_table("evidence_item", schema=None) as batch_op:
        batch_op.drop_index("ix_evidence_item_pending_receiver_id")

    op.drop_table("evidence_item")
