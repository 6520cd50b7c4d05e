"""Display names of units and accounts, looked up by id for printing."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.auth.models import Unit, User


def unit_names(session: Session, ids: Iterable[str | None] | None = None) -> dict[str, str]:
    """Map unit ids to names: the units in ``ids``, or every unit when ``ids`` is None."""
    query = select(Unit.id, Unit.name)
    if ids is not None:
        query = query.where(Unit.id.in_(sorted({value for value in ids if value})))
    return dict(session.execute(query).all())


def usernames(session: Session, ids: Iterable[str | None]) -> dict[str, str]:
    """Map account ids to usernames."""
    unique_ids = sorted({value for value in ids if value})
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(unique_ids))).all())
