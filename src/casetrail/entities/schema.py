"""Validation and cleaning of FollowTheMoney entity data, with no database access.

Untrusted input (API bodies, import files) is cleaned here value by value with the FtM type of
each property; values that do not clean are errors that name the property and the value.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from followthemoney import model
from followthemoney.exc import InvalidData
from followthemoney.schema import Schema

from casetrail.core.errors import ValidationFailed
from casetrail.entities.models import ENTITY_ID_LENGTH

# The same rule as followthemoney's entity type, so that any id can also be referenced.
ENTITY_ID_PATTERN = re.compile(r"^[0-9a-zA-Z]([0-9a-zA-Z.-]*[0-9a-zA-Z])?$")
MAX_VALUE_LENGTH = 65_000


@dataclass(frozen=True)
class CleanValue:
    prop: str
    prop_type: str
    value: str
    original: str | None


@dataclass
class CleanEntity:
    id: str
    schema: Schema
    values: list[CleanValue] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    """Values left out in lenient mode, as (property, reason)."""

    def references(self) -> list[CleanValue]:
        return [value for value in self.values if value.prop_type == "entity"]


class EntityDataError(ValidationFailed):
    """Invalid entity data; ``field`` names the property (or ``id``/``schema``)."""

    def __init__(self, message: str, field_name: str) -> None:
        super().__init__(message, {field_name: message})
        self.field = field_name


def get_schema(name: Any) -> Schema:
    if not isinstance(name, str) or not name:
        raise EntityDataError("schema is missing", "schema")
    schema = model.get(name)
    if schema is None:
        raise EntityDataError(f"unknown schema {name!r}", "schema")
    if schema.abstract:
        raise EntityDataError(
            f"schema {name!r} is abstract: use a concrete schema such as Person or Company",
            "schema",
        )
    return schema


def check_entity_id(entity_id: Any) -> str:
    if not isinstance(entity_id, str) or not entity_id:
        raise EntityDataError("id is missing", "id")
    if len(entity_id) > ENTITY_ID_LENGTH or not ENTITY_ID_PATTERN.match(entity_id):
        raise EntityDataError(
            f"invalid id {entity_id[:80]!r}: use up to {ENTITY_ID_LENGTH} letters, digits, "
            "'.' or '-', starting and ending with a letter or digit",
            "id",
        )
    return entity_id


def clean_entity(
    entity_id: Any,
    schema_name: Any,
    properties: Any,
    *,
    skip_invalid_values: bool = False,
) -> CleanEntity:
    """Validate and clean one entity. Raise ``EntityDataError`` on the first problem.

    With ``skip_invalid_values`` a value that does not clean for its property's type is
    left out and listed in ``skipped``; unknown schemata and properties are always errors.
    """
    schema = get_schema(schema_name)
    entity = CleanEntity(id=check_entity_id(entity_id), schema=schema)
    if not isinstance(properties, Mapping):
        raise EntityDataError("properties must be an object of property name to values", "properties")

    # A proxy of the raw values gives the type cleaners their hints (countries for phones).
    hint = _hint_proxy(entity_id, schema, properties)
    for prop_name, raw_values in properties.items():
        prop = schema.get(prop_name)
        if prop is None:
            raise EntityDataError(f"{schema.name} has no property {prop_name!r}", str(prop_name))
        if prop.stub:
            raise EntityDataError(
                f"{prop_name!r} is a reverse property of {schema.name}; set it on the other entity",
                prop_name,
            )
        for raw in _as_list(raw_values, prop_name):
            cleaned = _clean_value(prop, raw, hint)
            if cleaned is None:
                if skip_invalid_values:
                    entity.skipped.append((prop_name, f"invalid {prop.type.name} value"))
                    continue
                raise EntityDataError(
                    f"invalid {prop.type.name} value {str(raw)[:80]!r} for {schema.name}.{prop_name}",
                    prop_name,
                )
            original = str(raw) if str(raw) != cleaned else None
            entity.values.append(CleanValue(prop_name, prop.type.name, cleaned, original))
    return entity


def _as_list(raw_values: Any, prop_name: str) -> Iterable[Any]:
    if isinstance(raw_values, (str, int, float)):
        return [raw_values]
    if isinstance(raw_values, list):
        for raw in raw_values:
            if not isinstance(raw, (str, int, float)) or isinstance(raw, bool):
                raise EntityDataError(f"values of {prop_name!r} must be strings or numbers", prop_name)
        return raw_values
    raise EntityDataError(f"values of {prop_name!r} must be a list of strings", prop_name)


def _clean_value(prop: Any, raw: Any, hint: Any) -> str | None:
    text = str(raw)
    if len(text) > MAX_VALUE_LENGTH:
        return None
    try:
        cleaned: str | None = prop.type.clean(text, proxy=hint)
    except (InvalidData, ValueError):
        return None
    return cleaned


def _hint_proxy(entity_id: str, schema: Schema, properties: Any) -> Any:
    proxy = model.make_entity(schema)
    proxy.id = entity_id
    for name in ("country", "jurisdiction", "nationality"):
        prop = schema.get(name)
        values = properties.get(name) if isinstance(properties, Mapping) else None
        if prop is not None and isinstance(values, list):
            proxy.add(prop, [value for value in values if isinstance(value, str)], quiet=True)
    return proxy


def check_reference_range(schema: Schema, prop_name: str, target_schema_name: str) -> None:
    """Raise if an entity reference points at an entity outside the property's range."""
    prop = schema.get(prop_name)
    target = model.get(target_schema_name)
    if prop is None or prop.range is None or target is None:
        return
    if not target.is_a(prop.range):
        raise EntityDataError(
            f"{schema.name}.{prop_name} must refer to a {prop.range.name}, "
            f"but the entity it names is a {target.name}",
            prop_name,
        )


def common_schema(left: str, right: str) -> str:
    try:
        return model.common_schema(left, right).name
    except InvalidData:
        raise ValidationFailed(
            f"an entity cannot be both {left} and {right}", {"schema": "incompatible schemata"}
        ) from None


def relationship_schemata() -> list[str]:
    return sorted(s.name for s in model.schemata.values() if s.edge and not s.abstract)


# Schemata offered first when a user adds an entity by hand; any concrete schema is accepted.
COMMON_SCHEMATA = (
    "Person",
    "Organization",
    "Company",
    "Address",
    "Vehicle",
    "BankAccount",
    "Passport",
    "Identification",
    "Event",
    "Call",
    "Email",
    "Ownership",
    "Directorship",
    "Associate",
    "Family",
    "Membership",
    "Payment",
    "Employment",
    "UnknownLink",
)


def selectable_schemata() -> list[str]:
    """Return the common schemata first, then every other concrete schema by name."""
    rest = sorted(s.name for s in model.schemata.values() if not s.abstract and s.name not in COMMON_SCHEMATA)
    return [*COMMON_SCHEMATA, *rest]
