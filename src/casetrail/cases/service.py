"""Cases: create, list, read, update and move through the status workflow."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from casetrail.audit.actions import AuditAction
from casetrail.audit.service import record
from casetrail.auth import policy
from casetrail.auth.context import RequestContext
from casetrail.auth.models import User
from casetrail.auth.policy import CasePermission
from casetrail.auth.roles import CaseRole, Role, Sensitivity
from casetrail.cases.access import CaseAccess, open_case, visible_cases
from casetrail.cases.models import Case, CaseMember, CaseNumberCounter, CaseStatusChange
from casetrail.cases.workflow import SUPERVISOR_ONLY, TRANSITIONS, CaseStatus
from casetrail.core.clock import utcnow
from casetrail.core.errors import (
    Conflict,
    InvalidTransition,
    PermissionDenied,
    ValidationFailed,
    VersionConflict,
)
from casetrail.core.logging import get_logger
from casetrail.db.outbox import emit

log = get_logger(__name__)

# No '/': a case number is one path segment in the API and web URLs, and a decoded %2F splits it.
CASE_NUMBER_PATTERN = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.-]{1,31}$")
EDITABLE_FIELDS = ("title", "summary", "offence_category", "sensitivity")


def check_version(kind: str, object_id: str, current: int, expected: int | None) -> None:
    """Raise ``VersionConflict`` unless the caller saw the current version."""
    if expected is None:
        raise ValidationFailed(
            f"expected_version is required to change {kind} {object_id}",
            {"expected_version": "missing"},
        )
    if current != expected:
        raise VersionConflict(kind, object_id, expected, current)


def next_case_number(session: Session, year: int) -> str:
    counter = session.get(CaseNumberCounter, year, with_for_update=True)
    if counter is None:
        counter = CaseNumberCounter(year=year, last=0)
        session.add(counter)
    counter.last += 1
    while True:
        number = f"{year}-{counter.last:04d}"
        if not session.execute(select(Case.id).where(Case.number == number)).first():
            return number
        counter.last += 1


def _validate_case_fields(
    *, title: str | None, sensitivity: str | None, number: str | None
) -> dict[str, str]:
    errors: dict[str, str] = {}
    if title is not None and not title.strip():
        errors["title"] = "missing: a case needs a title"
    if title is not None and len(title) > 300:
        errors["title"] = "longer than 300 characters"
    if sensitivity is not None and sensitivity not in set(Sensitivity):
        errors["sensitivity"] = f"unknown label {sensitivity!r}: choose one of {', '.join(Sensitivity)}"
    if number is not None and not CASE_NUMBER_PATTERN.match(number):
        errors["number"] = f"invalid case number {number!r}: use 2-32 letters, digits, '.' or '-'"
    return errors


def create_case(
    session: Session,
    ctx: RequestContext,
    *,
    title: str,
    lead_username: str | None = None,
    number: str | None = None,
    summary: str = "",
    offence_category: str = "",
    sensitivity: str = Sensitivity.RESTRICTED,
) -> Case:
    """Open a case. The lead becomes a member with the role lead; the case belongs to their unit."""
    policy.require_create_case(ctx)
    errors = _validate_case_fields(title=title, sensitivity=sensitivity, number=number)
    if errors:
        raise ValidationFailed("invalid case", errors)

    lead = _resolve_lead(session, ctx, lead_username)
    policy.require_case_member_eligible(lead.role)
    if Sensitivity(sensitivity).rank > Sensitivity(lead.clearance).rank:
        raise ValidationFailed(
            f"lead {lead.username} is cleared to {lead.clearance}, below the case label {sensitivity}",
            {"sensitivity": "above the lead's clearance"},
        )
    if number is None:
        number = next_case_number(session, utcnow().year)
    elif session.execute(select(Case.id).where(Case.number == number)).first():
        raise Conflict(f"case number {number} is already in use")

    case = Case(
        number=number,
        title=title.strip(),
        summary=summary,
        offence_category=offence_category,
        status=CaseStatus.OPEN,
        sensitivity=sensitivity,
        lead_id=lead.id,
        unit_id=lead.unit_id,
        created_by=ctx.actor.username,
    )
    session.add(case)
    session.flush()
    session.add(CaseMember(case_id=case.id, user_id=lead.id, role=CaseRole.LEAD, added_by=ctx.actor.username))
    session.add(
        CaseStatusChange(
            case_id=case.id,
            from_status=None,
            to_status=CaseStatus.OPEN,
            reason="case opened",
            changed_by=ctx.actor.username,
            changed_by_id=ctx.actor.user_id,
        )
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.CASE_CREATE,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
    )
    emit(session, object_type="case", object_id=case.id, operation="create", case_id=case.id)
    emit(
        session,
        object_type="case_member",
        object_id=f"{case.id}:{lead.id}",
        operation="create",
        case_id=case.id,
    )
    log.info("case_created", case_id=case.id, lead_id=lead.id)
    return case


def _resolve_lead(session: Session, ctx: RequestContext, lead_username: str | None) -> User:
    if lead_username is None:
        if ctx.actor.user_id is None:
            raise ValidationFailed("a lead investigator is required", {"lead": "missing"})
        user = session.get(User, ctx.actor.user_id)
        assert user is not None
        return user
    user = session.execute(select(User).where(User.username == lead_username)).scalar_one_or_none()
    if user is None:
        raise ValidationFailed(f"lead {lead_username!r} not found", {"lead": "no such user"})
    return user


@dataclass(frozen=True)
class CasePage:
    items: list[Case]
    total: int


def list_cases(
    session: Session,
    ctx: RequestContext,
    *,
    status: str | None = None,
    text: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> CasePage:
    """List the cases the actor may see, newest first; the policy filter is part of the query."""
    visible = visible_cases(session, ctx.actor)
    query = select(Case).where(visible)
    if status:
        query = query.where(Case.status == status)
    if text:
        pattern = f"%{text.lower()}%"
        query = query.where(or_(func.lower(Case.title).like(pattern), func.lower(Case.number).like(pattern)))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    items = list(
        session.execute(
            query.order_by(Case.created_at.desc(), Case.number.desc()).limit(limit).offset(offset)
        ).scalars()
    )
    record(
        session,
        ctx.audit_source,
        AuditAction.CASE_LIST,
        object_type="case",
        detail={"returned": [case.id for case in items]},
    )
    return CasePage(items=items, total=total)


def get_case(session: Session, ctx: RequestContext, number: str) -> CaseAccess:
    access = open_case(session, ctx, number, CasePermission.READ, "case.read")
    record(
        session,
        ctx.audit_source,
        AuditAction.CASE_READ,
        object_type="case",
        object_id=access.case.id,
        case_id=access.case.id,
    )
    return access


def update_case(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    expected_version: int | None,
    changes: dict[str, str],
) -> Case:
    access = open_case(session, ctx, number, CasePermission.MANAGE, "case.update", lock=True)
    case = access.case
    check_version("case", case.number, case.version, expected_version)
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(
            "unknown fields",
            {name: f"not editable; editable: {', '.join(EDITABLE_FIELDS)}" for name in unknown},
        )
    errors = _validate_case_fields(
        title=changes.get("title"), sensitivity=changes.get("sensitivity"), number=None
    )
    if errors:
        raise ValidationFailed("invalid case", errors)
    for name, value in changes.items():
        setattr(case, name, value.strip() if name == "title" else value)
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.CASE_UPDATE,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        detail={"fields": sorted(changes)},
    )
    emit(
        session,
        object_type="case",
        object_id=case.id,
        operation="update",
        case_id=case.id,
        payload={"fields": sorted(changes)},
    )
    return case


def change_status(
    session: Session,
    ctx: RequestContext,
    number: str,
    *,
    to_status: str,
    reason: str,
    expected_version: int | None,
) -> Case:
    access = open_case(session, ctx, number, CasePermission.MANAGE, "case.status_change", lock=True)
    case = access.case
    check_version("case", case.number, case.version, expected_version)
    if not reason or not reason.strip():
        raise ValidationFailed("a reason is required for a status change", {"reason": "missing"})
    try:
        target = CaseStatus(to_status)
    except ValueError:
        raise ValidationFailed(
            f"unknown status {to_status!r}", {"status": f"choose one of {', '.join(CaseStatus)}"}
        ) from None
    current = CaseStatus(case.status)
    if target not in TRANSITIONS[current]:
        allowed = ", ".join(sorted(TRANSITIONS[current])) or "none"
        raise InvalidTransition(
            f"case {case.number} cannot move from {current} to {target}; allowed: {allowed}"
        )
    if (current, target) in SUPERVISOR_ONLY and not access.can(CasePermission.SUPERVISE):
        raise PermissionDenied(
            f"only a supervisor can move a case from {current} to {target}",
            attempted="case.status_change",
            object_type="case",
            object_id=case.id,
        )
    case.status = target
    session.add(
        CaseStatusChange(
            case_id=case.id,
            from_status=current,
            to_status=target,
            reason=reason.strip(),
            changed_by=ctx.actor.username,
            changed_by_id=ctx.actor.user_id,
        )
    )
    session.flush()
    record(
        session,
        ctx.audit_source,
        AuditAction.CASE_STATUS,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        detail={"from": current.value, "to": target.value},
    )
    emit(
        session,
        object_type="case",
        object_id=case.id,
        operation="update",
        case_id=case.id,
        payload={"fields": ["status"]},
    )
    log.info("case_status_changed", case_id=case.id, from_status=current.value, to_status=target.value)
    return case


def status_history(session: Session, case: Case) -> list[CaseStatusChange]:
    """Return the workflow steps of a case already opened through ``open_case``."""
    return list(
        session.execute(
            select(CaseStatusChange)
            .where(CaseStatusChange.case_id == case.id)
            .order_by(CaseStatusChange.changed_at)
        ).scalars()
    )


def user_display(session: Session, user_id: str | None) -> str:
    if user_id is None:
        return ""
    user = session.get(User, user_id)
    return user.display_name if user else user_id


def eligible_member_roles() -> list[str]:
    return [role.value for role in CaseRole]


def account_roles_for_membership() -> list[str]:
    return [Role.SUPERVISOR.value, Role.INVESTIGATOR.value, Role.ANALYST.value]
