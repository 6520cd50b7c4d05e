"""Building blocks shared by several routers' models."""

from __future__ import annotations

from pydantic import BaseModel, Field


class ExpectedVersion(BaseModel):
    """Part of every change to a versioned record: the version the caller read."""

    expected_version: int = Field(
        ge=1,
        description=(
            "The version the change is based on. A record changed by someone else since then "
            "answers 409 version_conflict; reload it and apply the change again."
        ),
    )


def reject_null(value: object) -> object:
    """Reject an explicit null for an optional field of a partial update."""
    if value is None:
        raise ValueError("null is not allowed here: leave the field out to keep its value")
    return value
