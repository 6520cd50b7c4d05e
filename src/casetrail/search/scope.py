"""Case tokens: a word per case in every index entry, so the engine can narrow to visible cases.

Each ``search_entry`` carries, in ``scope_terms``, one made-up word derived from its case id.
A search adds "and one of these words" to its full-text expression, one word per case the
user may see. FTS5 and GIN then intersect the query's matches with those cases while they
match. Without the tokens, both engines rank every match in the whole index, and the join drops
the other cases afterwards. The join to ``case_file`` with the policy's condition stays in the statement and
remains the only permission decision: the tokens only make the engine's work smaller, and a
wrong or missing token can hide a result but never reveal one.

A token is ``xcase`` and 24 letters a to p spelling the first 96 bits of SHA-256 of the case
id. It has letters only, so FTS5 unicode61 and PostgreSQL's default parser both read it as
one word. It is hashed, so it does not depend on the form of case ids. A collision of two cases
would only widen the engine's candidate set; the join still removes the other case.
"""

from __future__ import annotations

import hashlib

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from casetrail.cases.models import Case

TOKEN_PREFIX = "xcase"
_LETTERS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")

# Above this many visible cases the search relies on the join alone: the expression grows by
# about 40 bytes per case, and a user who sees most cases gains little from narrowing. The
# figure is an estimate, not a measured break-even point.
MAX_SCOPED_CASES = 300


def scope_token(case_id: str) -> str:
    digest = hashlib.sha256(case_id.encode()).hexdigest()[:24]
    return TOKEN_PREFIX + digest.translate(_LETTERS)


def scope_tokens(session: Session, visible: ColumnElement[bool], case_id: str | None) -> list[str] | None:
    """Return the tokens to narrow a search to, or None to search without narrowing.

    ``case_id`` is the one case a search names; otherwise the cases are those that meet
    ``visible``, the policy's condition on ``case_file``. An empty list means the user sees no
    case, and the search finds nothing.
    """
    if case_id is not None:
        return [scope_token(case_id)]
    ids = session.execute(select(Case.id).where(visible).limit(MAX_SCOPED_CASES + 1)).scalars().all()
    if len(ids) > MAX_SCOPED_CASES:
        return None
    return sorted(scope_token(case) for case in ids)
