"""Leads and tips: the leads, their triage history, grouping keys and rate-limit windows.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import casetrail.db.base

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lead_counter",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_lead_counter")),
    )
    op.create_table(
        "rate_limit_window",
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column("scope", sa.String(length=32), nullable=False),
        sa.Column("window_start", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key_hash", name=op.f("pk_rate_limit_window")),
    )
    op.create_index("ix_rate_limit_window_window_start", "rate_limit_window", ["window_start"], unique=False)
    op.create_table(
        "lead",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("close_reason", sa.String(length=32), nullable=True),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("category", sa.String(length=100), nullable=False),
        sa.Column("jurisdiction", sa.String(length=100), nullable=False),
        sa.Column("sensitivity", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=True),
        sa.Column("assignee_id", sa.String(length=36), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("group_id", sa.String(length=36), nullable=True),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("location", sa.String(length=500), nullable=False),
        sa.Column("occurred_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("subject_names", sa.JSON(), nullable=False),
        sa.Column("vehicle_plates", sa.JSON(), nullable=False),
        sa.Column("source_description", sa.String(length=500), nullable=False),
        sa.Column("contact_name", sa.String(length=200), nullable=False),
        sa.Column("contact_phone", sa.String(length=64), nullable=False),
        sa.Column("contact_email", sa.String(length=320), nullable=False),
        sa.Column("contact_address", sa.String(length=500), nullable=False),
        sa.Column("grading_scale", sa.String(length=16), nullable=True),
        sa.Column("source_grade", sa.String(length=1), nullable=True),
        sa.Column("information_grade", sa.String(length=1), nullable=True),
        sa.Column("handling_code", sa.String(length=1), nullable=True),
        sa.Column("receipt_hash", sa.String(length=64), nullable=True),
        sa.Column("received_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("due_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_by_id", sa.String(length=36), nullable=True),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user_account.id"], name=op.f("fk_lead_assignee_id_user_account")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_lead_case_id_case_file")),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_lead_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead")),
        sa.UniqueConstraint("receipt_hash", name=op.f("uq_lead_receipt_hash")),
        sa.UniqueConstraint("reference", name=op.f("uq_lead_reference")),
    )
    op.create_index("ix_lead_assignee_id", "lead", ["assignee_id"], unique=False)
    op.create_index("ix_lead_case_id", "lead", ["case_id"], unique=False)
    op.create_index("ix_lead_group_id", "lead", ["group_id"], unique=False)
    op.create_index("ix_lead_status_due_at", "lead", ["status", "due_at"], unique=False)
    op.create_index("ix_lead_unit_id", "lead", ["unit_id"], unique=False)
    op.create_table(
        "lead_addition",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_addition_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_addition")),
    )
    op.create_index("ix_lead_addition_lead_id", "lead_addition", ["lead_id"], unique=False)
    op.create_table(
        "lead_key",
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("value", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_key_lead_id_lead")),
        sa.PrimaryKeyConstraint("lead_id", "kind", "value", name=op.f("pk_lead_key")),
    )
    op.create_index("ix_lead_key_kind_value", "lead_key", ["kind", "value"], unique=False)
    op.create_table(
        "lead_similarity",
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("other_id", sa.String(length=36), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("text_score", sa.Float(), nullable=False),
        sa.Column("found_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_similarity_lead_id_lead")),
        sa.ForeignKeyConstraint(["other_id"], ["lead.id"], name=op.f("fk_lead_similarity_other_id_lead")),
        sa.PrimaryKeyConstraint("lead_id", "other_id", name=op.f("pk_lead_similarity")),
    )
    op.create_index("ix_lead_similarity_other_id", "lead_similarity", ["other_id"], unique=False)
    op.create_table(
        "lead_status_change",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_by_id", sa.String(length=36), nullable=True),
        sa.Column("changed_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["lead_id"], ["lead.id"], name=op.f("fk_lead_status_change_lead_id_lead")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lead_status_change")),
    )
    op.create_index("ix_lead_status_change_lead_id", "lead_status_change", ["lead_id"], unique=False)


def downgrade() -> None:
    for index, table in (
        ("ix_lead_status_change_lead_id", "lead_status_change"),
        ("ix_lead_similarity_other_id", "lead_similarity"),
        ("ix_lead_key_kind_value", "lead_key"),
        ("ix_lead_addition_lead_id", "lead_addition"),
    ):
        op.drop_index(index, table_name=table)
        op.drop_table(table)
    for index in (
        "ix_lead_unit_id",
        "ix_lead_status_due_at",
        "ix_lead_group_id",
        "ix_lead_case_id",
        "ix_lead_assignee_id",
    ):
        op.drop_index(index, table_name="lead")
    op.drop_table("lead")
    op.drop_index("ix_rate_limit_window_window_start", table_name="rate_limit_window")
    op.drop_table("rate_limit_window")
    op.drop_table("lead_counter")
