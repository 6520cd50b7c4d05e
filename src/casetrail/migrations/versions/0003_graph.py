"""Saved link charts of a case.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-04 21:13:18.181337
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import casetrail.db.base

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "graph_chart",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=200), nullable=False),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_graph_chart_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_graph_chart")),
    )
    with op.batch_alter_table("graph_chart", schema=None) as batch_op:
        batch_op.create_index("ix_graph_chart_case_id", ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("graph_chart", schema=None) as batch_op:
        batch_op.drop_index("ix_graph_chart_case_id")

    op.drop_table("graph_chart")
