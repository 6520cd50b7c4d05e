"""Cross-referencing: candidate matches, decisions, "same as" links, watch-lists and notices.

A notice never carries the other case's number, title, entity ids or values: only its lead,
its unit and the kind of overlap, with the value from the reader's own case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class CandidateSide(BaseModel):
    entity_id: str
    caption: str
    schema_name: str = Field(alias="schema", examples=["Person"])
    case_number: str | None = Field(
        description="The case that contains the entity, or null for a watch-list entity."
    )
    watchlist: str | None = Field(
        description="The watch-list that contains the entity, or null for a case entity."
    )

    model_config = ConfigDict(serialize_by_alias=True, validate_by_alias=True, validate_by_name=True)


class DecisionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    candidate_id: str
    verdict: str
    reason: str
    decided_by: str
    decided_at: datetime
    retracted_by: str | None
    retracted_at: datetime | None
    retraction_reason: str | None


class CandidateOut(BaseModel):
    id: str
    left: CandidateSide
    right: CandidateSide
    score: float = Field(
        description="Match score from 0 to 1 (the Splink match probability for batch pairs)."
    )
    algorithm: str = Field(examples=["logic-v2", "splink"])
    features: dict[str, Any] = Field(description="The matcher's explanation: each feature with its score.")
    shared_keys: list[str] = Field(description="Properties through which the blocking index paired them.")
    origin: str = Field(description="xref (the follower) or batch (Splink linkage).")
    status: str = Field(description="open, confirmed or rejected.")
    decisions: list[DecisionOut] = Field(description="Every decision on the pair, retracted ones included.")


class DecisionCreate(BaseModel):
    verdict: Literal["confirmed", "rejected"]
    reason: str = Field(min_length=1, max_length=2000)


class DecisionRetract(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


class LinkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    candidate_id: str
    decision_id: str
    left_entity_id: str
    right_entity_id: str
    created_by: str
    created_at: datetime


class WatchlistOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    name: str
    version: int = Field(description="How many times the list was loaded; each load replaces the last.")
    file_name: str
    sha256: str
    entity_count: int
    loaded_by: str
    loaded_at: datetime


class NoticeOut(BaseModel):
    """A deconfliction notice as its recipient sees it."""

    id: str
    case_number: str = Field(description="The reader's own case.")
    entity_id: str = Field(description="The entity of the reader's own case that overlaps.")
    entity_caption: str
    kind: str = Field(description="phone, email, identifier or match.")
    overlap: str = Field(examples=["same phone", "same passport number", "same person"])
    own_value: str = Field(description="The overlapping value as the reader's own case records it.")
    other_lead_name: str
    other_unit_name: str
    message: str
    status: str = Field(description="open, acknowledged or closed.")
    created_at: datetime
    acknowledged_by: str | None
    acknowledged_at: datetime | None
    closed_by: str | None
    closed_at: datetime | None
    close_note: str | None


class NoticeClose(BaseModel):
    note: str = Field(min_length=1, max_length=4000, description="How the overlap was settled.")


class BoardRowOut(BaseModel):
    notice: NoticeOut
    case_title: str
    lead_name: str = Field(description="The lead of the supervised case.")
