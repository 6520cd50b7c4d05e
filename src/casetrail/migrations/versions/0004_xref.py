"""Cross-referencing: blocking keys, watch-lists, candidates, decisions, links and notices.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04 21:17:47.593711
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import casetrail.db.base

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "xref_watchlist",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("loaded_by", sa.String(length=200), nullable=False),
        sa.Column("loaded_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xref_watchlist")),
        sa.UniqueConstraint("name", name=op.f("uq_xref_watchlist_name")),
    )
    op.create_table(
        "xref_watchlist_entity",
        sa.Column("watchlist_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("schema", sa.String(length=64), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=False),
        sa.Column("properties", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["watchlist_id"],
            ["xref_watchlist.id"],
            name=op.f("fk_xref_watchlist_entity_watchlist_id_xref_watchlist"),
        ),
        sa.PrimaryKeyConstraint("watchlist_id", "entity_id", name=op.f("pk_xref_watchlist_entity")),
    )
    op.create_table(
        "xref_candidate",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pair_key", sa.String(length=64), nullable=False),
        sa.Column("left_case_id", sa.String(length=36), nullable=False),
        sa.Column("left_entity_id", sa.String(length=200), nullable=False),
        sa.Column("right_case_id", sa.String(length=36), nullable=True),
        sa.Column("right_watchlist_id", sa.String(length=36), nullable=True),
        sa.Column("right_entity_id", sa.String(length=200), nullable=False),
        sa.Column("schema", sa.String(length=64), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("algorithm", sa.String(length=32), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("shared_keys", sa.JSON(), nullable=False),
        sa.Column("origin", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["left_case_id"], ["case_file.id"], name=op.f("fk_xref_candidate_left_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["right_case_id"], ["case_file.id"], name=op.f("fk_xref_candidate_right_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["right_watchlist_id"],
            ["xref_watchlist.id"],
            name=op.f("fk_xref_candidate_right_watchlist_id_xref_watchlist"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xref_candidate")),
        sa.UniqueConstraint("pair_key", name=op.f("uq_xref_candidate_pair_key")),
    )
    with op.batch_alter_table("xref_candidate", schema=None) as batch_op:
        batch_op.create_index("ix_xref_candidate_left", ["left_case_id", "left_entity_id"], unique=False)
        batch_op.create_index("ix_xref_candidate_right", ["right_case_id", "right_entity_id"], unique=False)
        batch_op.create_index("ix_xref_candidate_watchlist", ["right_watchlist_id"], unique=False)

    op.create_table(
        "xref_key",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False
        ),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("prop", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("watchlist_id", sa.String(length=36), nullable=True),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("schema", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_xref_key_case_id_case_file")),
        sa.ForeignKeyConstraint(
            ["watchlist_id"], ["xref_watchlist.id"], name=op.f("fk_xref_key_watchlist_id_xref_watchlist")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xref_key")),
    )
    with op.batch_alter_table("xref_key", schema=None) as batch_op:
        batch_op.create_index("ix_xref_key_case_entity", ["case_id", "entity_id"], unique=False)
        batch_op.create_index("ix_xref_key_key", ["key"], unique=False)
        batch_op.create_index("ix_xref_key_watchlist_entity", ["watchlist_id", "entity_id"], unique=False)

    op.create_table(
        "xref_notice",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("pair_key", sa.String(length=64), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("recipient_id", sa.String(length=36), nullable=False),
        sa.Column("other_case_id", sa.String(length=36), nullable=False),
        sa.Column("other_entity_id", sa.String(length=200), nullable=False),
        sa.Column("other_lead_name", sa.String(length=200), nullable=False),
        sa.Column("other_unit_name", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("own_value", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("acknowledged_by", sa.String(length=200), nullable=True),
        sa.Column("acknowledged_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=200), nullable=True),
        sa.Column("closed_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_xref_notice_case_id_case_file")),
        sa.ForeignKeyConstraint(
            ["other_case_id"], ["case_file.id"], name=op.f("fk_xref_notice_other_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["recipient_id"], ["user_account.id"], name=op.f("fk_xref_notice_recipient_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xref_notice")),
        sa.UniqueConstraint(
            "case_id",
            "entity_id",
            "other_case_id",
            "other_entity_id",
            "kind",
            name=op.f("uq_xref_notice_case_id"),
        ),
    )
    with op.batch_alter_table("xref_notice", schema=None) as batch_op:
        batch_op.create_index("ix_xref_notice_other_case_id", ["other_case_id"], unique=False)
        batch_op.create_index("ix_xref_notice_pair_key", ["pair_key"], unique=False)
        batch_op.create_index("ix_xref_notice_recipient_id", ["recipient_id"], unique=False)

    op.create_table(
        "xref_decision",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("candidate_id", sa.String(length=36), nullable=False),
        sa.Column("verdict", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("decided_by", sa.String(length=200), nullable=False),
        sa.Column("decided_by_id", sa.String(length=36), nullable=True),
        sa.Column("decided_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retracted_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retracted_by", sa.String(length=200), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["xref_candidate.id"], name=op.f("fk_xref_decision_candidate_id_xref_candidate")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xref_decision")),
    )
    with op.batch_alter_table("xref_decision", schema=None) as batch_op:
        batch_op.create_index("ix_xref_decision_candidate_id", ["candidate_id"], unique=False)

    op.create_table(
        "xref_link",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("decision_id", sa.String(length=36), nullable=False),
        sa.Column("candidate_id", sa.String(length=36), nullable=False),
        sa.Column("left_case_id", sa.String(length=36), nullable=False),
        sa.Column("left_entity_id", sa.String(length=200), nullable=False),
        sa.Column("right_case_id", sa.String(length=36), nullable=True),
        sa.Column("right_watchlist_id", sa.String(length=36), nullable=True),
        sa.Column("right_entity_id", sa.String(length=200), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("removed_by", sa.String(length=200), nullable=True),
        sa.Column("removed_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["candidate_id"], ["xref_candidate.id"], name=op.f("fk_xref_link_candidate_id_xref_candidate")
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"], ["xref_decision.id"], name=op.f("fk_xref_link_decision_id_xref_decision")
        ),
        sa.ForeignKeyConstraint(
            ["left_case_id"], ["case_file.id"], name=op.f("fk_xref_link_left_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["right_case_id"], ["case_file.id"], name=op.f("fk_xref_link_right_case_id_case_file")
        ),
        sa.ForeignKeyConstraint(
            ["right_watchlist_id"],
            ["xref_watchlist.id"],
            name=op.f("fk_xref_link_right_watchlist_id_xref_watchlist"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_xref_link")),
        sa.UniqueConstraint("decision_id", name=op.f("uq_xref_link_decision_id")),
    )
    with op.batch_alter_table("xref_link", schema=None) as batch_op:
        batch_op.create_index("ix_xref_link_left", ["left_case_id", "left_entity_id"], unique=False)
        batch_op.create_index("ix_xref_link_right", ["right_case_id", "right_entity_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("xref_link", schema=None) as batch_op:
        batch_op.drop_index("ix_xref_link_right")
        batch_op.drop_index("ix_xref_link_left")

    op.drop_table("xref_link")
    with op.batch_alter_table("xref_decision", schema=None) as batch_op:
        batch_op.drop_index("ix_xref_decision_candidate_id")

    op.drop_table("xref_decision")
    with op.batch_alter_table("xref_notice", schema=None) as batch_op:
        batch_op.drop_index("ix_xref_notice_recipient_id")
        batch_op.drop_index("ix_xref_notice_pair_key")
        batch_op.drop_index("ix_xref_notice_other_case_id")

    op.drop_table("xref_notice")
    with op.batch_alter_table("xref_key", schema=None) as batch_op:
        batch_op.drop_index("ix_xref_key_watchlist_entity")
        batch_op.drop_index("ix_xref_key_key")
        batch_op.drop_index("ix_xref_key_case_entity")

    op.drop_table("xref_key")
    with op.batch_alter_table("xref_candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_xref_candidate_watchlist")
        batch_op.drop_index("ix_xref_candidate_right")
        batch_op.drop_index("ix_xref_candidate_left")

    op.drop_table("xref_candidate")
    op.drop_table("xref_watchlist_entity")
    op.drop_table("xref_watchlist")
