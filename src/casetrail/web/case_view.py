"""Everything the case page shows, gathered through the services so that each read is audited."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from followthemoney import model
from sqlalchemy.orm import Session

from casetrail.auth import service as auth_service
from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.auth.roles import CaseRole, Sensitivity
from casetrail.cases import members as member_service
from casetrail.cases import notes as note_service
from casetrail.cases import service as case_service
from casetrail.cases import tasks as task_service
from casetrail.cases.access import CaseAccess
from casetrail.cases.members import MemberView
from casetrail.cases.models import Case, CaseStatusChange, Note, Task
from casetrail.cases.tasks import TaskStatus
from casetrail.cases.workflow import FROZEN, SUPERVISOR_ONLY, CaseStatus, allowed_next
from casetrail.entities import merge as merge_service
from casetrail.entities import service as entity_service
from casetrail.entities.models import CaseEntity, EntityMerge
from casetrail.entities.schema import relationship_schemata, selectable_schemata

ENTITY_PAGE_SIZE = 50
RELATIONSHIP_PAGE_SIZE = 20


@dataclass(frozen=True)
class Pager:
    """One page of a list: 1-based ``page`` of ``size`` items out of ``total``."""

    page: int
    size: int
    total: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.size

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


@dataclass(frozen=True)
class EntityFilters:
    """The query of the case page's entity and relationship lists."""

    schema: str = ""
    text: str = ""
    page: int = 1
    kind: str = ""
    rel_page: int = 1

    def params(self) -> dict[str, Any]:
        """Return the query parameters that differ from the defaults, for links between pages."""
        return {
            "schema": self.schema,
            "q": self.text,
            "page": self.page if self.page > 1 else None,
            "kind": self.kind,
            "rel_page": self.rel_page if self.rel_page > 1 else None,
        }


@dataclass(frozen=True)
class RelationshipRow:
    """A relationship entity with the captions of the entities at its two ends."""

    entity_id: str
    schema_label: str
    sources: dict[str, str]
    targets: dict[str, str]


@dataclass(frozen=True)
class Capabilities:
    """Forms the page offers to the viewer. The services enforce the same rules when a form is posted."""

    write: bool
    manage: bool
    supervise: bool
    frozen: bool

    @classmethod
    def of(cls, access: CaseAccess) -> Capabilities:
        frozen = CaseStatus(access.case.status) in FROZEN
        return cls(
            write=access.can(CasePermission.WRITE) and not frozen,
            manage=access.can(CasePermission.MANAGE),
            supervise=access.can(CasePermission.SUPERVISE),
            frozen=frozen,
        )


@dataclass
class CasePage:
    case: Case
    can: Capabilities
    lead_name: str
    unit_name: str
    history: list[CaseStatusChange]
    transitions: list[tuple[str, bool]]
    members: list[MemberView]
    notes: list[Note]
    tasks: list[Task]
    assignees: dict[str, str]
    entities: list[CaseEntity]
    entity_pager: Pager
    relationships: list[RelationshipRow]
    relationship_pager: Pager
    merges: list[EntityMerge]
    captions: dict[str, str]
    filters: EntityFilters
    options: dict[str, list[str]] = field(default_factory=dict)


def case_banner(access: CaseAccess) -> dict[str, Any]:
    """Return the template values of the sensitivity banner shown on every case page."""
    return {"case": access.case, "can": Capabilities.of(access)}


def build_case_page(session: Session, ctx: RequestContext, number: str, filters: EntityFilters) -> CasePage:
    access = case_service.get_case(session, ctx, number)
    case = access.case
    members = member_service.list_members(session, ctx, number)
    tasks = task_service.list_tasks(session, ctx, number)
    entity_page = entity_service.list_entities(
        session,
        ctx,
        number,
        schema=filters.schema or None,
        text=filters.text or None,
        limit=ENTITY_PAGE_SIZE,
        offset=(filters.page - 1) * ENTITY_PAGE_SIZE,
    )
    merges = merge_service.list_merges(session, ctx, number)
    merged_ids = [entity_id for merge in merges for entity_id in (merge.winner_id, merge.loser_id)]
    relationships, relationship_pager = _relationships(session, ctx, case, filters)
    return CasePage(
        case=case,
        can=Capabilities.of(access),
        lead_name=case_service.user_display(session, case.lead_id),
        unit_name=_unit_name(session, case.unit_id),
        history=case_service.status_history(session, case),
        transitions=[
            (status, (CaseStatus(case.status), CaseStatus(status)) in SUPERVISOR_ONLY)
            for status in allowed_next(case.status)
        ],
        members=members,
        notes=note_service.list_notes(session, ctx, number),
        tasks=tasks,
        assignees={member.user_id: member.display_name for member in members},
        entities=entity_page.items,
        entity_pager=Pager(filters.page, ENTITY_PAGE_SIZE, entity_page.total),
        relationships=relationships,
        relationship_pager=relationship_pager,
        merges=merges,
        captions=entity_service.caption_map(session, case, merged_ids),
        filters=filters,
        options=form_options(),
    )


def form_options() -> dict[str, list[str]]:
    return {
        "schemata": selectable_schemata(),
        "relationship_kinds": relationship_schemata(),
        "sensitivities": [label.value for label in Sensitivity],
        "case_roles": [role.value for role in CaseRole],
        "task_statuses": [status.value for status in TaskStatus],
        "statuses": [status.value for status in CaseStatus],
    }


def _unit_name(session: Session, unit_id: str | None) -> str:
    return auth_service.unit_names(session, [unit_id]).get(unit_id or "", "")


def _relationships(
    session: Session, ctx: RequestContext, case: Case, filters: EntityFilters
) -> tuple[list[RelationshipRow], Pager]:
    page = entity_service.list_entities(
        session,
        ctx,
        case.number,
        schema=filters.kind or None,
        relationships_only=True,
        limit=RELATIONSHIP_PAGE_SIZE,
        offset=(filters.rel_page - 1) * RELATIONSHIP_PAGE_SIZE,
    )
    rows = [_relationship_row(session, ctx, case, item) for item in page.items]
    return rows, Pager(filters.rel_page, RELATIONSHIP_PAGE_SIZE, page.total)


def _relationship_row(session: Session, ctx: RequestContext, case: Case, item: CaseEntity) -> RelationshipRow:
    # Reading the relationship through the service audits it like opening its own page.
    view = entity_service.get_entity(session, ctx, case.number, item.entity_id)
    schema = view.proxy.schema
    source_ids = view.proxy.get(schema.edge_source) if schema.edge_source else []
    target_ids = view.proxy.get(schema.edge_target) if schema.edge_target else []
    captions = entity_service.caption_map(session, case, [*source_ids, *target_ids])
    return RelationshipRow(
        entity_id=item.entity_id,
        schema_label=schema.edge_label or schema.label,
        sources={entity_id: captions[entity_id] for entity_id in source_ids},
        targets={entity_id: captions[entity_id] for entity_id in target_ids},
    )


def schema_label(name: str) -> str:
    schema = model.get(name)
    return schema.label if schema is not None else name
