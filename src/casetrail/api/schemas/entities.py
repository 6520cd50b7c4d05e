"""Entities of a case, their statements with provenance, relationships and merges.

Entity data follows FollowTheMoney: a schema name and properties mapping each property name
to a list of string values. Entity ids may contain letters, digits, '.', '_', ':' and '-'.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from casetrail.api.schemas.common import ExpectedVersion
from casetrail.entities.statements import SourceType

PropertyValues = dict[str, list[str] | str]

_PROPERTIES_DESCRIPTION = (
    'Property name to values, e.g. {"name": ["Ivan Petrov"], "birthDate": ["1970-01-31"]}. '
    "Values are cleaned with the property's FtM type; a value that does not clean is rejected."
)


class SourceRef(BaseModel):
    """The origin of a fact."""

    type: SourceType = Field(
        description="manual (typed in), note (a note of the case), import (an import batch) or document."
    )
    id: str | None = Field(default=None, description="Note id, import batch id or document id.")


class FtmEntity(BaseModel):
    """An entity in FollowTheMoney's JSON form."""

    model_config = ConfigDict(serialize_by_alias=True, validate_by_alias=True, validate_by_name=True)

    id: str
    schema_name: str = Field(alias="schema", examples=["Person"])
    properties: dict[str, list[str]]


class StatementOut(BaseModel):
    """One fact with its provenance."""

    id: str
    entity_id: str = Field(description="The id the fact was recorded under; differs after a merge.")
    prop: str
    value: str
    original_value: str | None = Field(description="The value as given, when cleaning changed it.")
    source: SourceRef
    recorded_by: str
    recorded_at: datetime


class EntitySummary(BaseModel):
    model_config = ConfigDict(serialize_by_alias=True, validate_by_alias=True, validate_by_name=True)

    id: str
    schema_name: str = Field(alias="schema", examples=["Person"])
    caption: str
    version: int
    updated_at: datetime


class EntityPage(BaseModel):
    items: list[EntitySummary]
    total: int


class EntityDetail(BaseModel):
    entity: FtmEntity
    caption: str
    statements: list[StatementOut] = Field(description="The live facts of the entity in this case.")
    version: int = Field(description="Send it back as expected_version to add or retract facts.")
    redirected_from: str | None = Field(
        description="The id that was requested, when it was merged into this entity."
    )


class EntityCreate(BaseModel):
    model_config = ConfigDict(validate_by_alias=True, validate_by_name=True)

    schema_name: str = Field(alias="schema", examples=["Person"])
    properties: PropertyValues = Field(description=_PROPERTIES_DESCRIPTION)
    source: SourceRef
    id: str | None = Field(default=None, description="Entity id; a new UUID when left out.")


class StatementsAdd(ExpectedVersion):
    properties: PropertyValues = Field(description=_PROPERTIES_DESCRIPTION)
    source: SourceRef


class StatementRetract(ExpectedVersion):
    reason: str = Field(min_length=1, max_length=2000)


class RelationshipOut(BaseModel):
    entity: FtmEntity = Field(description="The relationship or entity that refers to the viewed entity.")
    prop: str = Field(description="The property of that entity that holds the reference.")
    others: dict[str, str] = Field(description="Other entities it names, by id, with their captions.")


class MergeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    winner_id: str
    loser_id: str
    reason: str
    merged_by: str
    merged_at: datetime
    undone_by: str | None
    undone_at: datetime | None
    undo_reason: str | None


class MergeCreate(BaseModel):
    winner_id: str = Field(description="The entity that keeps its id and receives the facts.")
    loser_id: str = Field(description="The entity whose facts move; its id then resolves to the winner.")
    reason: str = Field(min_length=1, max_length=2000)
    expected_versions: dict[str, int] | None = Field(
        default=None, description="Entity id to the version read, for either or both entities."
    )


class MergeUndo(BaseModel):
    reason: str = Field(min_length=1, max_length=2000)


def ftm_entity(data: dict[str, Any]) -> FtmEntity:
    """Build the model from an FtM proxy's ``to_dict()``."""
    return FtmEntity.model_validate(
        {"id": data["id"], "schema": data["schema"], "properties": data.get("properties", {})}
    )
