"""Loading an evidence item for an actor: the case's policy decides, so hidden reads as not found."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.auth.context import RequestContext
from casetrail.auth.policy import CasePermission
from casetrail.cases.access import CaseAccess, open_case, open_case_by_id
from casetrail.cases.models import Case
from casetrail.core.errors import Hidden, NotFound
from casetrail.evidence.models import EvidenceItem


@dataclass(frozen=True)
class ItemAccess:
    case_access: CaseAccess
    item: EvidenceItem

    @property
    def case(self) -> Case:
        return self.case_access.case

    @property
    def label(self) -> str:
        """The item as people name it, e.g. ``E-0003 of case 2026-0142``."""
        return f"{self.item.number} of case {self.case.number}"


def load_item(session: Session, case: Case, item_number: str, *, lock: bool = False) -> EvidenceItem:
    query = select(EvidenceItem).where(EvidenceItem.case_id == case.id, EvidenceItem.number == item_number)
    if lock:
        query = query.with_for_update()
    item = session.execute(query).scalar_one_or_none()
    if item is None:
        raise NotFound(f"evidence item {item_number} not found in case {case.number}")
    return item


def open_item(
    session: Session,
    ctx: RequestContext,
    number: str,
    item_number: str,
    permission: CasePermission,
    *,
    attempted: str,
    lock: bool = False,
) -> ItemAccess:
    """Check ``permission`` on case ``number``, then load its item ``item_number``.

    ``lock`` takes a row lock on the item, which serialises custody events of one item.
    """
    access = open_case(session, ctx, number, permission, attempted)
    return ItemAccess(access, load_item(session, access.case, item_number, lock=lock))


def open_item_by_id(
    session: Session, ctx: RequestContext, item_id: str, permission: CasePermission, attempted: str
) -> ItemAccess:
    """Load an item from its id (the QR code on its label), checking the policy of its case."""
    item = session.get(EvidenceItem, item_id)
    if item is None:
        raise NotFound(f"evidence item {item_id} not found")
    try:
        access = open_case_by_id(session, ctx, item.case_id, permission, attempted)
    except Hidden as hidden:
        # The case's message would name its number, which a scanned label must not reveal.
        raise Hidden(
            f"evidence item {item_id} not found",
            attempted=hidden.attempted,
            object_type=hidden.object_type,
            object_id=hidden.object_id,
        ) from None
    return ItemAccess(access, item)
