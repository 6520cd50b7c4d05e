"""The access policy. Every permission decision in Casetrail is made by a function here.

Rules:
- A user sees a case, and anything in it, as a member of the case or as a supervisor of the
  unit that owns it (or a parent unit), and only if their clearance reaches the case's label.
- Members with the role lead, investigator or analyst change case content; viewers only read.
- The lead and supervisors manage the case: members, fields and status. Only supervisors
  archive a case or reopen a closed one.
- Administrators manage accounts and units; auditors read the audit trail. Neither role
  gives access to case content.
- A local operator (CLI on the server) may do everything; the audit trail names them.
- When a user may not see a case, the response looks exactly like "not found" (``Hidden``).

Tables belong to their contexts, so callers describe a case with a ``CaseGuard`` and, for list
queries, pass their columns to ``visible_case_condition``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import ColumnElement, Select, SQLColumnExpression, false, or_, select, true
from sqlalchemy.orm import QueryableAttribute, Session

from casetrail.auth.context import Actor, RequestContext
from casetrail.auth.models import Unit
from casetrail.auth.roles import CaseRole, Role, Sensitivity
from casetrail.core.errors import Hidden, PermissionDenied, ValidationFailed


class CasePermission(StrEnum):
    READ = "read"
    WRITE = "write"
    MANAGE = "manage"
    SUPERVISE = "supervise"


@dataclass(frozen=True)
class CaseGuard:
    """The facts about one case, and the actor's place in it, that the policy decides on."""

    case_id: str
    case_number: str
    unit_id: str | None
    sensitivity: str
    member_role: str | None


_WRITER_ROLES = {CaseRole.LEAD, CaseRole.INVESTIGATOR, CaseRole.ANALYST}


def supervised_unit_ids(session: Session, actor: Actor) -> frozenset[str]:
    """Return the actor's unit and all its descendants if the actor is a supervisor."""
    if actor.role != Role.SUPERVISOR or actor.unit_id is None:
        return frozenset()
    tree = select(Unit.id).where(Unit.id == actor.unit_id).cte("unit_tree", recursive=True)
    tree = tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))
    return frozenset(session.execute(select(tree.c.id)).scalars())


def _cleared(actor: Actor, sensitivity: str) -> bool:
    return Sensitivity(sensitivity).rank <= actor.clearance.rank


def case_permissions(actor: Actor, guard: CaseGuard, supervised: frozenset[str]) -> frozenset[str]:
    if actor.is_operator:
        return frozenset(CasePermission)
    if not _cleared(actor, guard.sensitivity):
        return frozenset()

    granted: set[str] = set()
    supervising = guard.unit_id is not None and guard.unit_id in supervised
    if supervising:
        granted |= {CasePermission.READ, CasePermission.WRITE, CasePermission.MANAGE}
        granted.add(CasePermission.SUPERVISE)
    if guard.member_role is not None:
        granted.add(CasePermission.READ)
        if guard.member_role in _WRITER_ROLES:
            granted.add(CasePermission.WRITE)
        if guard.member_role == CaseRole.LEAD:
            granted.add(CasePermission.MANAGE)
    return frozenset(granted)


def require_case(
    session: Session, ctx: RequestContext, guard: CaseGuard, permission: CasePermission, attempted: str
) -> frozenset[str]:
    """Raise unless the actor has ``permission`` on the case, and return every permission they have."""
    granted = case_permissions(ctx.actor, guard, supervised_unit_ids(session, ctx.actor))
    if CasePermission.READ not in granted:
        raise Hidden(
            f"case {guard.case_number} not found",
            attempted=attempted,
            object_type="case",
            object_id=guard.case_id,
        )
    if permission not in granted:
        raise PermissionDenied(
            f"you may not {attempted.replace('.', ' ').replace('_', ' ')} in case {guard.case_number}",
            attempted=attempted,
            object_type="case",
            object_id=guard.case_id,
        )
    return granted


def visible_case_condition(
    session: Session,
    actor: Actor,
    *,
    unit_column: QueryableAttribute[str | None],
    sensitivity_column: QueryableAttribute[str],
    case_id_column: QueryableAttribute[str],
    member_case_ids: Select[str],
) -> ColumnElement[bool]:
    """Build the SQL condition that keeps only the cases the actor may see.

    ``member_case_ids`` selects the ids of cases the actor is a member of. The condition goes
    into the query itself, so pagination and counts never include hidden cases.
    """
    if actor.is_operator:
        return true()
    if actor.role in (Role.ADMINISTRATOR, Role.AUDITOR) or actor.role is None:
        return false()
    cleared = sensitivity_column.in_(actor.clearance.labels_up_to())
    supervised = supervised_unit_ids(session, actor)
    reach = [case_id_column.in_(member_case_ids)]
    if supervised:
        reach.append(unit_column.in_(sorted(supervised)))
    return cleared & or_(*reach)


def can_create_case(actor: Actor) -> bool:
    return actor.is_operator or actor.role in (Role.SUPERVISOR, Role.INVESTIGATOR)


def require_create_case(ctx: RequestContext) -> None:
    if not can_create_case(ctx.actor):
        raise PermissionDenied("only investigators and supervisors open cases", attempted="case.create")


def require_case_member_eligible(user_role: str | None) -> None:
    """Reject adding an account whose role gives no case work (administrator, auditor)."""
    if user_role not in (Role.SUPERVISOR, Role.INVESTIGATOR, Role.ANALYST):
        raise PermissionDenied(
            f"an account with role {user_role} cannot be a case member: "
            "administrators and auditors have no access to case content",
            attempted="case.member_add",
        )


def require_audit_read(ctx: RequestContext) -> None:
    if not (ctx.actor.is_operator or ctx.actor.role == Role.AUDITOR):
        raise PermissionDenied("only auditors read the audit trail", attempted="audit.read")


def require_user_admin(ctx: RequestContext) -> None:
    if not (ctx.actor.is_operator or ctx.actor.role == Role.ADMINISTRATOR):
        raise PermissionDenied("only administrators manage accounts", attempted="user.manage")


def require_authenticated(ctx: RequestContext) -> None:
    if ctx.actor.user_id is None and not ctx.actor.is_operator:
        raise PermissionDenied("log in first", attempted="authenticate")


# -- evidence custody ---------------------------------------------------------------------------
# Custody rules: the person holding an item hands it over and changes its status or its seal.
# Anyone who may change the case does so for an item kept at a named location (an evidence room).
# Only the named receiver accepts a release, and only the person who released it cancels it.


def _custody_denied(message: str, attempted: str, item_id: str) -> PermissionDenied:
    return PermissionDenied(message, attempted=attempted, object_type="evidence_item", object_id=item_id)


def require_custodian(
    ctx: RequestContext,
    *,
    permissions: frozenset[str],
    custodian_user_id: str | None,
    item_id: str,
    item_label: str,
    attempted: str,
) -> None:
    if ctx.actor.is_operator:
        return
    if custodian_user_id is not None:
        if ctx.actor.user_id == custodian_user_id:
            return
        raise _custody_denied(f"only the current custodian of {item_label} can do this", attempted, item_id)
    if CasePermission.WRITE not in permissions:
        raise _custody_denied(f"you may not change the custody of {item_label}", attempted, item_id)


def require_custody_receiver(
    ctx: RequestContext, *, receiver_id: str | None, item_id: str, item_label: str, attempted: str
) -> None:
    if receiver_id is None or ctx.actor.user_id != receiver_id:
        raise _custody_denied(
            f"only the person {item_label} was released to can accept it", attempted, item_id
        )


def require_release_canceller(
    ctx: RequestContext, *, releaser_id: str | None, item_id: str, item_label: str, attempted: str
) -> None:
    if ctx.actor.is_operator or (releaser_id is not None and ctx.actor.user_id == releaser_id):
        return
    raise _custody_denied(
        f"only the person who released {item_label} can cancel the release", attempted, item_id
    )


def require_custody_correction(
    ctx: RequestContext,
    *,
    permissions: frozenset[str],
    recorder_id: str | None,
    item_id: str,
    item_label: str,
    attempted: str,
) -> None:
    """Allow a correction of a custody event by a case writer or by the person who recorded the event."""
    if ctx.actor.is_operator or CasePermission.WRITE in permissions:
        return
    if recorder_id is not None and ctx.actor.user_id == recorder_id:
        return
    raise _custody_denied(f"you may not correct the custody log of {item_label}", attempted, item_id)


def can_hold_custody(receiver: Actor, guard: CaseGuard, supervised: frozenset[str]) -> bool:
    """Return True when ``receiver`` may see the case, which holding one of its items requires."""
    return CasePermission.READ in case_permissions(receiver, guard, supervised)


def require_integrity_check(ctx: RequestContext) -> None:
    """Checking every stored evidence file across cases is for operators and auditors."""
    if not (ctx.actor.is_operator or ctx.actor.role == Role.AUDITOR):
        raise PermissionDenied(
            "only auditors check the evidence files of every case; name one case to check its files",
            attempted="evidence.verify",
        )


# -- cross-referencing and deconfliction ---------------------------------------------------------
# A candidate match shows both sides, so a reader must see both: the two cases, or the case and
# the watch-lists. A deconfliction notice goes to the lead of one case; supervisors of that
# case's unit tree see it on the board. Neither ever reveals the other case.

_CASE_WORK_ROLES = (Role.SUPERVISOR, Role.INVESTIGATOR, Role.ANALYST)


def can_use_watchlists(actor: Actor) -> bool:
    """Return True for case workers, who may match against and read watch-lists."""
    return actor.is_operator or actor.role in _CASE_WORK_ROLES


def require_watchlist_use(ctx: RequestContext) -> None:
    if not can_use_watchlists(ctx.actor):
        raise PermissionDenied("only case workers read watch-lists", attempted="watchlist.read")


def require_watchlist_load(ctx: RequestContext) -> None:
    if not (ctx.actor.is_operator or ctx.actor.role == Role.ADMINISTRATOR):
        raise PermissionDenied("only administrators load watch-lists", attempted="watchlist.load")


def can_see_candidate(actor: Actor, left: frozenset[str], right: frozenset[str] | None) -> bool:
    """Decide whether a candidate is visible; ``right`` is None when its other side is a watch-list."""
    if CasePermission.READ not in left:
        return False
    if right is None:
        return can_use_watchlists(actor)
    return CasePermission.READ in right


def require_candidate_read(
    actor: Actor, left: frozenset[str], right: frozenset[str] | None, candidate_id: str
) -> None:
    """Allow reading a candidate only to a user who can read both sides. For anyone else it is hidden."""
    if not can_see_candidate(actor, left, right):
        raise Hidden(
            f"candidate {candidate_id} not found",
            attempted="xref.candidate_read",
            object_type="xref_candidate",
            object_id=candidate_id,
        )


def require_candidate_decision(
    actor: Actor, left: frozenset[str], right: frozenset[str] | None, candidate_id: str
) -> None:
    """Allow a decision by someone who sees both sides and may change at least one case."""
    if not can_see_candidate(actor, left, right):
        raise Hidden(
            f"candidate {candidate_id} not found",
            attempted="xref.decision",
            object_type="xref_candidate",
            object_id=candidate_id,
        )
    if CasePermission.WRITE not in left and (right is None or CasePermission.WRITE not in right):
        raise PermissionDenied(
            f"you may not decide candidate {candidate_id}: it needs write access to one of its cases",
            attempted="xref.decision",
            object_type="xref_candidate",
            object_id=candidate_id,
        )


def can_read_notice(
    actor: Actor, *, recipient_id: str, case_unit_id: str | None, supervised: frozenset[str]
) -> bool:
    """Return True for the notice's recipient and the supervisors of its case's unit tree."""
    if actor.is_operator or (actor.user_id is not None and actor.user_id == recipient_id):
        return True
    return case_unit_id is not None and case_unit_id in supervised


def require_notice(
    actor: Actor, *, recipient_id: str, case_unit_id: str | None, supervised: frozenset[str], notice_id: str
) -> None:
    if not can_read_notice(
        actor, recipient_id=recipient_id, case_unit_id=case_unit_id, supervised=supervised
    ):
        raise Hidden(
            f"notice {notice_id} not found",
            attempted="xref.notice_read",
            object_type="xref_notice",
            object_id=notice_id,
        )


def require_board(ctx: RequestContext) -> None:
    if not (ctx.actor.is_operator or ctx.actor.role == Role.SUPERVISOR):
        raise PermissionDenied("only supervisors see the deconfliction board", attempted="xref.board_read")


# -- leads and tips -------------------------------------------------------------------------------
# Triage staff (intake clerks, and supervisors for their unit tree) see and triage the leads of
# their unit tree and every lead not yet routed to a unit. The assignee and the person who
# recorded a lead see it too, and the assignee works it: changes its facts, marks it actioned or
# closed, and links it to a case. Every reader must be cleared to the lead's label. Linking a
# lead to a case also needs write access to that case, and opening a case from it needs the
# right to open cases. Anyone, with no account, may submit a tip.


class LeadPermission(StrEnum):
    READ = "read"
    WORK = "work"
    TRIAGE = "triage"


@dataclass(frozen=True)
class LeadGuard:
    """The facts about one lead that the policy decides on."""

    lead_id: str
    reference: str
    unit_id: str | None
    sensitivity: str
    assignee_id: str | None
    recorded_by_id: str | None


_TRIAGE_ROLES = (Role.INTAKE, Role.SUPERVISOR)
_LEAD_AUTHOR_ROLES = (Role.INTAKE, Role.SUPERVISOR, Role.INVESTIGATOR, Role.ANALYST)


def triage_unit_ids(session: Session, actor: Actor) -> frozenset[str]:
    """Return the units whose leads the actor triages: their unit and its descendants."""
    if actor.role not in _TRIAGE_ROLES or actor.unit_id is None:
        return frozenset()
    tree = select(Unit.id).where(Unit.id == actor.unit_id).cte("lead_unit_tree", recursive=True)
    tree = tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))
    return frozenset(session.execute(select(tree.c.id)).scalars())


def _triages(actor: Actor, unit_id: str | None, triage_units: frozenset[str]) -> bool:
    if actor.role not in _TRIAGE_ROLES:
        return False
    return unit_id is None or unit_id in triage_units


def lead_permissions(actor: Actor, guard: LeadGuard, triage_units: frozenset[str]) -> frozenset[str]:
    if actor.is_operator:
        return frozenset(LeadPermission)
    if not _cleared(actor, guard.sensitivity) or actor.user_id is None:
        return frozenset()
    granted: set[str] = set()
    if _triages(actor, guard.unit_id, triage_units):
        granted |= {LeadPermission.READ, LeadPermission.WORK, LeadPermission.TRIAGE}
    if guard.assignee_id == actor.user_id:
        granted |= {LeadPermission.READ, LeadPermission.WORK}
    if guard.recorded_by_id == actor.user_id:
        granted.add(LeadPermission.READ)
    return frozenset(granted)


def require_lead(
    session: Session, ctx: RequestContext, guard: LeadGuard, permission: LeadPermission, attempted: str
) -> frozenset[str]:
    """Raise unless the actor has ``permission`` on the lead, and return every permission they have."""
    granted = lead_permissions(ctx.actor, guard, triage_unit_ids(session, ctx.actor))
    if LeadPermission.READ not in granted:
        raise Hidden(
            f"lead {guard.reference} not found",
            attempted=attempted,
            object_type="lead",
            object_id=guard.lead_id,
        )
    if permission not in granted:
        raise PermissionDenied(
            f"you may not {attempted.replace('.', ' ').replace('_', ' ')} on lead {guard.reference}",
            attempted=attempted,
            object_type="lead",
            object_id=guard.lead_id,
        )
    return granted


def visible_lead_condition(
    session: Session,
    actor: Actor,
    *,
    unit_column: SQLColumnExpression[str | None],
    sensitivity_column: SQLColumnExpression[str],
    assignee_column: SQLColumnExpression[str | None],
    recorded_by_column: SQLColumnExpression[str | None],
) -> ColumnElement[bool]:
    """Build the SQL condition that keeps only the leads the actor may see (see ``lead_permissions``)."""
    if actor.is_operator:
        return true()
    if actor.user_id is None or actor.role not in _LEAD_AUTHOR_ROLES:
        return false()
    reach: list[ColumnElement[bool]] = [
        assignee_column == actor.user_id,
        recorded_by_column == actor.user_id,
    ]
    if actor.role in _TRIAGE_ROLES:
        reach.append(unit_column.is_(None))
        units = triage_unit_ids(session, actor)
        if units:
            reach.append(unit_column.in_(sorted(units)))
    return sensitivity_column.in_(actor.clearance.labels_up_to()) & or_(*reach)


def require_lead_create(ctx: RequestContext) -> None:
    if not (ctx.actor.is_operator or ctx.actor.role in _LEAD_AUTHOR_ROLES):
        raise PermissionDenied("only case workers and intake staff record leads", attempted="lead.create")


def require_lead_assignee_eligible(role: str | None) -> None:
    """Reject assigning a lead to an account whose role works no leads (administrator, auditor)."""
    if role not in _LEAD_AUTHOR_ROLES:
        raise PermissionDenied(
            f"an account with role {role} cannot be assigned a lead: "
            "administrators and auditors work no leads",
            attempted="lead.assign",
        )


def require_lead_case_link(
    lead_permissions_granted: frozenset[str], case_permissions_granted: frozenset[str]
) -> None:
    """Allow linking a lead to a case for someone who works the lead and may change the case."""
    if LeadPermission.WORK not in lead_permissions_granted:
        raise PermissionDenied("you may not link this lead to a case", attempted="lead.link_case")
    if CasePermission.WRITE not in case_permissions_granted:
        raise PermissionDenied(
            "linking a lead to a case needs write access to that case", attempted="lead.link_case"
        )


def require_case_from_lead(ctx: RequestContext, lead_permissions_granted: frozenset[str]) -> None:
    """Allow opening a case from a lead for someone who works the lead and may open cases."""
    if LeadPermission.WORK not in lead_permissions_granted:
        raise PermissionDenied("you may not open a case from this lead", attempted="lead.open_case")
    require_create_case(ctx)


# -- notifications -------------------------------------------------------------------------------
# A notification names a case, so it goes only to an active user who may see that case now.


def can_notify_about_case(recipient: Actor, guard: CaseGuard, supervised: frozenset[str]) -> bool:
    """Return True when ``recipient`` may see the case a notification would name."""
    return CasePermission.READ in case_permissions(recipient, guard, supervised)


# -- legal documents -----------------------------------------------------------------------------
# Case writers draft, edit and submit legal documents and make redacted copies of issued ones. A
# supervisor of the case's unit (``CasePermission.SUPERVISE``) approves or returns a submitted
# document, but never one they wrote or edited. The case lead or a supervisor
# (``CasePermission.MANAGE``) files an approved document. Administrators manage the templates;
# case workers read them to choose one.


def can_manage_legal_templates(actor: Actor) -> bool:
    return actor.is_operator or actor.role == Role.ADMINISTRATOR


def require_legal_template_admin(ctx: RequestContext) -> None:
    if not can_manage_legal_templates(ctx.actor):
        raise PermissionDenied(
            "only administrators add and edit templates", attempted="legal.template_update"
        )


def require_legal_template_read(ctx: RequestContext) -> None:
    if not (can_manage_legal_templates(ctx.actor) or ctx.actor.role in _CASE_WORK_ROLES):
        raise PermissionDenied(
            "only case workers and administrators read templates", attempted="legal.template_read"
        )


def can_review_legal_document(actor: Actor, permissions: frozenset[str], author_ids: frozenset[str]) -> bool:
    """Return True for a supervisor of the case who neither wrote nor edited the document."""
    if actor.is_operator:
        return True
    return CasePermission.SUPERVISE in permissions and actor.user_id not in author_ids


def require_legal_review(
    ctx: RequestContext,
    *,
    permissions: frozenset[str],
    author_ids: frozenset[str],
    document_id: str,
    attempted: str,
) -> None:
    if can_review_legal_document(ctx.actor, permissions, author_ids):
        return
    if CasePermission.SUPERVISE in permissions:
        message = "you wrote or edited this document: another supervisor of the case's unit reviews it"
    else:
        message = "only a supervisor of the case's unit approves or returns a legal document"
    raise PermissionDenied(message, attempted=attempted, object_type="legal_document", object_id=document_id)


def can_file_legal_document(actor: Actor, permissions: frozenset[str]) -> bool:
    return actor.is_operator or CasePermission.MANAGE in permissions


def require_legal_filing(ctx: RequestContext, *, permissions: frozenset[str], document_id: str) -> None:
    if not can_file_legal_document(ctx.actor, permissions):
        raise PermissionDenied(
            "only the case lead or a supervisor files a legal document",
            attempted="legal.file",
            object_type="legal_document",
            object_id=document_id,
        )


# -- full-text search ---------------------------------------------------------------------------
# A search reads one case, which needs read access to it (a hidden case reads as not found), or
# every case the user may see, which needs a stated purpose that the audit trail keeps. Results
# are limited inside the search query by ``visible_case_condition``.

MAX_PURPOSE_LENGTH = 500


def require_search_purpose(ctx: RequestContext) -> str:
    """Return the stated purpose of a search across cases; raise when it is missing or too long."""
    purpose = (ctx.purpose or "").strip()
    if not purpose:
        raise ValidationFailed(
            "a search across all your cases needs a stated purpose: say why you search, for example "
            "'check whether the seller's phone appears in other cases'; the audit trail keeps it. "
            "To search without one, name a case",
            {"purpose": "missing"},
        )
    if len(purpose) > MAX_PURPOSE_LENGTH:
        raise ValidationFailed(
            f"the purpose is limited to {MAX_PURPOSE_LENGTH} characters, got {len(purpose)}",
            {"purpose": "too long"},
        )
    return purpose


# -- documents ------------------------------------------------------------------------------------
# A document of a case is read by whoever reads the case; uploading, retrying an ingestion,
# labelling and accepting or dismissing its suggested facts need write access to the case. A tip
# attachment has no case yet: ``tip_document_permissions`` decides on it.


class DocumentAction(StrEnum):
    READ = "read"
    UPLOAD = "upload"
    RETRY = "retry"
    LABEL = "label"
    DECIDE_MENTION = "mention_decide"


def document_permission(action: DocumentAction) -> CasePermission:
    return CasePermission.READ if action == DocumentAction.READ else CasePermission.WRITE


def require_case_document(
    session: Session, ctx: RequestContext, guard: CaseGuard, action: DocumentAction
) -> frozenset[str]:
    """Raise unless the actor may do ``action`` to a document of the case; return their permissions."""
    return require_case(session, ctx, guard, document_permission(action), f"document.{action}")


def tip_document_permissions(actor: Actor, *, lead_id: str | None) -> frozenset[str]:
    """Return the actor's permissions on a tip attachment (a document with no case).

    Only a local operator reaches tip attachments through the document services; intake staff
    see them through their lead. Extend this with the lead's rules to open them here as well.
    """
    if actor.is_operator:
        return frozenset(CasePermission)
    return frozenset()


def require_tip_document(
    ctx: RequestContext, *, lead_id: str | None, document_id: str, action: DocumentAction
) -> frozenset[str]:
    granted = tip_document_permissions(ctx.actor, lead_id=lead_id)
    if CasePermission.READ not in granted:
        raise Hidden(
            f"document {document_id} not found",
            attempted=f"document.{action}",
            object_type="document",
            object_id=document_id,
        )
    if document_permission(action) not in granted:
        raise PermissionDenied(
            f"you may not {action} document {document_id}",
            attempted=f"document.{action}",
            object_type="document",
            object_id=document_id,
        )
    return granted


def can_notify_about_lead(recipient: Actor, guard: LeadGuard, triage_units: frozenset[str]) -> bool:
    """Return True when ``recipient`` may see the lead a notification would name."""
    return LeadPermission.READ in lead_permissions(recipient, guard, triage_units)
