"""Initial schema: accounts, audit trail, cases, entities and statements, ledger and outbox.

Revision ID: 0001
Revises:
Create Date: 2026-12-04 20:14:35.916782
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import casetrail.db.base

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_record",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.String(length=36), nullable=True),
        sa.Column("actor_name", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=True),
        sa.Column("object_id", sa.String(length=200), nullable=True),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("client_addr", sa.String(length=64), nullable=True),
        sa.Column("request_id", sa.String(length=64), nullable=True),
        sa.Column("purpose", sa.String(length=500), nullable=True),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_record")),
        sa.UniqueConstraint("id", name=op.f("uq_audit_record_id")),
    )
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.create_index("ix_audit_record_action", ["action"], unique=False)
        batch_op.create_index("ix_audit_record_actor_id", ["actor_id"], unique=False)
        batch_op.create_index("ix_audit_record_case_id", ["case_id"], unique=False)

    op.create_table(
        "case_number_counter",
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_case_number_counter")),
    )
    op.create_table(
        "entity",
        sa.Column("id", sa.String(length=200), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity")),
    )
    op.create_table(
        "ledger_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("outbox_seq", sa.BigInteger(), nullable=False),
        sa.Column("audit_seq", sa.BigInteger(), nullable=False),
        sa.Column("audit_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_head")),
    )
    op.create_table(
        "outbox_cursor",
        sa.Column("consumer", sa.String(length=64), nullable=False),
        sa.Column("last_seq", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", name=op.f("pk_outbox_cursor")),
    )
    op.create_table(
        "outbox_event",
        sa.Column("seq", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("topic", sa.String(length=64), nullable=False),
        sa.Column("object_type", sa.String(length=64), nullable=False),
        sa.Column("object_id", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=True),
        sa.Column("operation", sa.String(length=16), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_outbox_event")),
    )
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.create_index("ix_outbox_event_case_id", ["case_id"], unique=False)

    op.create_table(
        "unit",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("parent_id", sa.String(length=36), nullable=True),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["parent_id"], ["unit.id"], name=op.f("fk_unit_parent_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit")),
        sa.UniqueConstraint("name", name=op.f("uq_unit_name")),
    )
    op.create_table(
        "user_account",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("clearance", sa.String(length=32), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=True),
        sa.Column("password_hash", sa.String(length=200), nullable=True),
        sa.Column("totp_secret", sa.String(length=64), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_login_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_user_account_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_account")),
        sa.UniqueConstraint("username", name=op.f("uq_user_account_username")),
    )
    op.create_table(
        "api_token",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("last_used_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_api_token_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_api_token_token_hash")),
    )
    op.create_table(
        "case_file",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("number", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("offence_category", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("sensitivity", sa.String(length=32), nullable=False),
        sa.Column("lead_id", sa.String(length=36), nullable=False),
        sa.Column("unit_id", sa.String(length=36), nullable=True),
        sa.Column("created_by", sa.String(length=200), nullable=True),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lead_id"], ["user_account.id"], name=op.f("fk_case_file_lead_id_user_account")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_case_file_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_file")),
        sa.UniqueConstraint("number", name=op.f("uq_case_file_number")),
    )
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.create_index("ix_case_file_unit_id", ["unit_id"], unique=False)

    op.create_table(
        "user_session",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("expires_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("client_addr", sa.String(length=64), nullable=True),
        sa.Column("revoked_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_user_session_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_user_session")),
    )
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.create_index("ix_user_session_user_id", ["user_id"], unique=False)

    op.create_table(
        "case_entity",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("schema", sa.String(length=64), nullable=False),
        sa.Column("caption", sa.String(length=500), nullable=False),
        sa.Column("merged_into", sa.String(length=200), nullable=True),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_entity_case_id_case_file")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_case_entity_entity_id_entity")),
        sa.PrimaryKeyConstraint("case_id", "entity_id", name=op.f("pk_case_entity")),
    )
    with op.batch_alter_table("case_entity", schema=None) as batch_op:
        batch_op.create_index("ix_case_entity_case_schema", ["case_id", "schema"], unique=False)
        batch_op.create_index("ix_case_entity_entity_id", ["entity_id"], unique=False)

    op.create_table(
        "case_member",
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("user_id", sa.String(length=36), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.Column("added_by", sa.String(length=200), nullable=False),
        sa.Column("added_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_member_case_id_case_file")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_case_member_user_id_user_account")
        ),
        sa.PrimaryKeyConstraint("case_id", "user_id", name=op.f("pk_case_member")),
    )
    with op.batch_alter_table("case_member", schema=None) as batch_op:
        batch_op.create_index("ix_case_member_user_id", ["user_id"], unique=False)

    op.create_table(
        "case_note",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.String(length=36), nullable=True),
        sa.Column("author_name", sa.String(length=200), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_note_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_note")),
    )
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.create_index("ix_case_note_case_id", ["case_id"], unique=False)

    op.create_table(
        "case_status_change",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("from_status", sa.String(length=16), nullable=True),
        sa.Column("to_status", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.Column("changed_by_id", sa.String(length=36), nullable=True),
        sa.Column("changed_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_case_status_change_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_status_change")),
    )
    with op.batch_alter_table("case_status_change", schema=None) as batch_op:
        batch_op.create_index("ix_case_status_change_case_id", ["case_id"], unique=False)

    op.create_table(
        "case_task",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("assignee_id", sa.String(length=36), nullable=True),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_by", sa.String(length=200), nullable=False),
        sa.Column("created_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("updated_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["user_account.id"], name=op.f("fk_case_task_assignee_id_user_account")
        ),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_case_task_case_id_case_file")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_task")),
    )
    with op.batch_alter_table("case_task", schema=None) as batch_op:
        batch_op.create_index("ix_case_task_assignee_id", ["assignee_id"], unique=False)
        batch_op.create_index("ix_case_task_case_id", ["case_id"], unique=False)

    op.create_table(
        "entity_merge",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("winner_id", sa.String(length=200), nullable=False),
        sa.Column("loser_id", sa.String(length=200), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("merged_by", sa.String(length=200), nullable=False),
        sa.Column("merged_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("undone_by", sa.String(length=200), nullable=True),
        sa.Column("undone_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("undo_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_entity_merge_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_merge")),
    )
    with op.batch_alter_table("entity_merge", schema=None) as batch_op:
        batch_op.create_index("ix_entity_merge_case_id", ["case_id"], unique=False)

    op.create_table(
        "import_batch",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("format", sa.String(length=32), nullable=False),
        sa.Column("file_name", sa.String(length=500), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("entity_count", sa.Integer(), nullable=False),
        sa.Column("statement_count", sa.Integer(), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.Column("imported_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_file.id"], name=op.f("fk_import_batch_case_id_case_file")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_batch")),
    )
    op.create_table(
        "statement",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("entity_id", sa.String(length=200), nullable=False),
        sa.Column("canonical_id", sa.String(length=200), nullable=False),
        sa.Column("case_id", sa.String(length=36), nullable=False),
        sa.Column("schema", sa.String(length=64), nullable=False),
        sa.Column("prop", sa.String(length=64), nullable=False),
        sa.Column("prop_type", sa.String(length=32), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("original_value", sa.Text(), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=True),
        sa.Column("source_type", sa.String(length=16), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=True),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.Column("recorded_by_id", sa.String(length=36), nullable=True),
        sa.Column("recorded_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retracted_at", casetrail.db.base.UTCDateTime(timezone=True), nullable=True),
        sa.Column("retracted_by", sa.String(length=200), nullable=True),
        sa.Column("retraction_reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["case_file.id"], name=op.f("fk_statement_case_id_case_file")),
        sa.ForeignKeyConstraint(["entity_id"], ["entity.id"], name=op.f("fk_statement_entity_id_entity")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_statement")),
    )
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.create_index("ix_statement_case_canonical", ["case_id", "canonical_id"], unique=False)
        batch_op.create_index("ix_statement_entity_id", ["entity_id"], unique=False)
        batch_op.create_index("ix_statement_source", ["source_type", "source_id"], unique=False)
        batch_op.create_index("ix_statement_type_value", ["prop_type", "value"], unique=False)

    op.create_table(
        "entity_merge_statement",
        sa.Column("merge_id", sa.String(length=36), nullable=False),
        sa.Column("statement_id", sa.String(length=36), nullable=False),
        sa.ForeignKeyConstraint(
            ["merge_id"], ["entity_merge.id"], name=op.f("fk_entity_merge_statement_merge_id_entity_merge")
        ),
        sa.ForeignKeyConstraint(
            ["statement_id"], ["statement.id"], name=op.f("fk_entity_merge_statement_statement_id_statement")
        ),
        sa.PrimaryKeyConstraint("merge_id", "statement_id", name=op.f("pk_entity_merge_statement")),
    )
    op.execute(
        sa.text(
            "INSERT INTO ledger_head (id, outbox_seq, audit_seq, audit_hash) VALUES (1, 0, 0, :genesis)"
        ).bindparams(genesis="0" * 64)
    )
    _protect_audit_trail()


def _protect_audit_trail() -> None:
    """Reject UPDATE and DELETE on audit records inside the database itself.

    The hash chain detects tampering after the fact; these triggers stop it through the
    application's own connection. A database superuser can still drop them, which is why
    ``casetrail audit verify`` exists.
    """
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for operation in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER audit_record_no_{operation.lower()} BEFORE {operation} "
                "ON audit_record BEGIN "
                "SELECT RAISE(ABORT, 'audit records are append-only'); END"
            )
        return
    op.execute(
        "CREATE FUNCTION casetrail_reject_change() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '% on % is not allowed: the table is append-only', "
        "TG_OP, TG_TABLE_NAME; END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_record_append_only BEFORE UPDATE OR DELETE ON audit_record "
        "FOR EACH ROW EXECUTE FUNCTION casetrail_reject_change()"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS audit_record_no_update")
        op.execute("DROP TRIGGER IF EXISTS audit_record_no_delete")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_record_append_only ON audit_record")
        op.execute("DROP FUNCTION IF EXISTS casetrail_reject_change()")
    op.drop_table("entity_merge_statement")
    with op.batch_alter_table("statement", schema=None) as batch_op:
        batch_op.drop_index("ix_statement_type_value")
        batch_op.drop_index("ix_statement_source")
        batch_op.drop_index("ix_statement_entity_id")
        batch_op.drop_index("ix_statement_case_canonical")

    op.drop_table("statement")
    op.drop_table("import_batch")
    with op.batch_alter_table("entity_merge", schema=None) as batch_op:
        batch_op.drop_index("ix_entity_merge_case_id")

    op.drop_table("entity_merge")
    with op.batch_alter_table("case_task", schema=None) as batch_op:
        batch_op.drop_index("ix_case_task_case_id")
        batch_op.drop_index("ix_case_task_assignee_id")

    op.drop_table("case_task")
    with op.batch_alter_table("case_status_change", schema=None) as batch_op:
        batch_op.drop_index("ix_case_status_change_case_id")

    op.drop_table("case_status_change")
    with op.batch_alter_table("case_note", schema=None) as batch_op:
        batch_op.drop_index("ix_case_note_case_id")

    op.drop_table("case_note")
    with op.batch_alter_table("case_member", schema=None) as batch_op:
        batch_op.drop_index("ix_case_member_user_id")

    op.drop_table("case_member")
    with op.batch_alter_table("case_entity", schema=None) as batch_op:
        batch_op.drop_index("ix_case_entity_entity_id")
        batch_op.drop_index("ix_case_entity_case_schema")

    op.drop_table("case_entity")
    with op.batch_alter_table("user_session", schema=None) as batch_op:
        batch_op.drop_index("ix_user_session_user_id")

    op.drop_table("user_session")
    with op.batch_alter_table("case_file", schema=None) as batch_op:
        batch_op.drop_index("ix_case_file_unit_id")

    op.drop_table("case_file")
    op.drop_table("api_token")
    op.drop_table("user_account")
    op.drop_table("unit")
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_index("ix_outbox_event_case_id")

    op.drop_table("outbox_event")
    op.drop_table("outbox_cursor")
    op.drop_table("ledger_head")
    op.drop_table("entity")
    op.drop_table("case_number_counter")
    with op.batch_alter_table("audit_record", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_record_case_id")
        batch_op.drop_index("ix_audit_record_actor_id")
        batch_op.drop_index("ix_audit_record_action")

    op.drop_table("audit_record")
