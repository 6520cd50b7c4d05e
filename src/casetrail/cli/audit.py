"""`casetrail audit ...`: verify the hash chain and list audit records (acts as the local operator)."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.models import AuditRecord
from casetrail.audit.service import record
from casetrail.audit.verify import ChainReport, verify_chain
from casetrail.auth.service import get_user_by_name
from casetrail.cases.models import Case
from casetrail.cli.errors import EXIT_INTEGRITY_FAILED
from casetrail.cli.output import OutputFormat, OutputOption, print_result, print_table
from casetrail.cli.runtime import Runtime, current_runtime, operator_transaction
from casetrail.core.errors import NotFound
from casetrail.db.engine import transaction
from casetrail.oversight.service import read_trail

audit_app = typer.Typer(help="Verify and read the hash-chained audit trail.")


@audit_app.command("verify")
def verify(
    *,
    expect_head: Annotated[
        str | None,
        typer.Option(
            help="A head hash printed by an earlier run and kept outside the database; "
            "the check fails unless the chain still contains it.",
        ),
    ] = None,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Check every audit record from the first to the ledger head.

    Exit status 0 when the chain is intact, 3 when a record was changed, removed or reordered;
    the output names the first bad record.
    """
    runtime = current_runtime()
    report = _verify_snapshot(runtime, expect_head)
    with operator_transaction(runtime) as (session, ctx):
        record(
            session,
            ctx.audit_source,
            AuditAction.AUDIT_VERIFY,
            object_type="audit_chain",
            outcome="success" if report.ok else "failure",
            detail={
                "records_checked": report.records_checked,
                "head_hash": report.head_hash,
                "first_bad_seq": report.first_bad_seq,
            },
        )
    data = {
        "ok": report.ok,
        "records_checked": report.records_checked,
        "head_hash": report.head_hash,
        "first_bad_seq": report.first_bad_seq,
        "first_bad_id": report.first_bad_id,
        "problem": report.problem,
    }
    print_result(output, data, lambda: _print_verification(report))
    if not report.ok:
        raise typer.Exit(EXIT_INTEGRITY_FAILED)


def _verify_snapshot(runtime: Runtime, expect_head: str | None) -> ChainReport:
    """Verify in a read-only transaction that reads one snapshot of the chain and the head.

    Without a snapshot, records committed by the server while the check runs would not match
    the head read at the start. SQLite's ``BEGIN IMMEDIATE`` already holds writers off.
    """
    with transaction(runtime.factory) as session:
        if session.get_bind().dialect.name == "postgresql":
            session.connection(
                execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
            )
        return verify_chain(session, expect_head)


def _print_verification(report: ChainReport) -> None:
    if report.ok:
        typer.echo(f"audit chain intact: {report.records_checked} records")
        typer.echo(f"head hash: {report.head_hash}")
        return
    bad_record = f"seq {report.first_bad_seq}" if report.first_bad_seq is not None else "the chain"
    if report.first_bad_id:
        bad_record += f" (id {report.first_bad_id})"
    typer.echo(f"audit chain BROKEN at record {bad_record}: {report.problem}")
    typer.echo(
        f"{report.records_checked} records before it are intact; the ledger head hash is {report.head_hash}"
    )


@audit_app.command("list")
def list_audit(
    *,
    case: Annotated[str | None, typer.Option("--case", help="Only records about this case number.")] = None,
    actor: Annotated[str | None, typer.Option(help="Only records of this account (username).")] = None,
    action: Annotated[AuditAction | None, typer.Option(help="Only records of this action.")] = None,
    after: Annotated[int, typer.Option(min=0, help="Only records with a sequence number above this.")] = 0,
    limit: Annotated[
        int, typer.Option(min=1, max=10_000, help="Maximum number of records to print, oldest first.")
    ] = 100,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """List audit records, oldest first. Reading the trail is itself recorded."""
    runtime = current_runtime()
    with operator_transaction(runtime) as (session, ctx):
        case_id = _case_id(session, case) if case else None
        actor_id = get_user_by_name(session, actor).id if actor else None
        rows = read_trail(
            session,
            ctx,
            case_id=case_id,
            actor_id=actor_id,
            action=action.value if action else None,
            after_seq=after,
            limit=limit,
        )
        items = [_record_data(row) for row in rows]
    columns = ("seq", "at", "actor_name", "action", "outcome", "object_type", "object_id", "purpose")
    print_result(
        output, items, lambda: print_table(columns, [[item[name] for name in columns] for item in items])
    )


def _case_id(session: Session, number: str) -> str:
    case_id = session.execute(select(Case.id).where(Case.number == number)).scalar_one_or_none()
    if case_id is None:
        raise NotFound(f"case {number} not found")
    return case_id


def _record_data(row: AuditRecord) -> dict[str, Any]:
    return {**row.hashed_fields(), "prev_hash": row.prev_hash, "hash": row.hash}
