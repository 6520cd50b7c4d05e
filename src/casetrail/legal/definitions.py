"""Field definitions of a template: which case data and which edited sections it shows.

A definition is TOML, one ``[[fields]]`` table per field in the order of the form:

    name = "Report of investigation"
    description = "..."

    [[fields]]
    name = "synopsis"          # the key the template reads: field("synopsis")
    label = "Synopsis"
    source = "text"            # see SOURCES
    required = true
    help = "Shown under the input."

Sources of case data take what the author chooses on the new-document form; ``text`` and
``line`` are edited in the browser.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from typing import Any

from casetrail.core.errors import ValidationFailed

SOURCES = {
    "text": "free text of several paragraphs, edited in the browser",
    "line": "one line of text, edited in the browser",
    "subjects": "the chosen entities of the case with their names and identifiers",
    "evidence": "the chosen evidence items",
    "custody": "the custody log of each chosen evidence item",
    "timeline": "dated relationships and events of the chosen subjects (of the whole case when none)",
    "notes": "the chosen notes of the case, as written",
    "chart": "one saved link chart of the case",
}
EDITED_SOURCES = frozenset({"text", "line"})
FIELD_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_FIELDS = 40
MAX_TEXT_LENGTH = {"text": 50_000, "line": 300}


@dataclass(frozen=True)
class FieldDefinition:
    name: str
    label: str
    source: str
    required: bool = False
    help: str = ""

    @property
    def edited(self) -> bool:
        return self.source in EDITED_SOURCES


@dataclass(frozen=True)
class TemplateDefinition:
    name: str
    description: str
    fields: tuple[FieldDefinition, ...]

    def field(self, name: str) -> FieldDefinition | None:
        return next((item for item in self.fields if item.name == name), None)

    def sources(self) -> frozenset[str]:
        return frozenset(item.source for item in self.fields)


def _invalid(template: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"template {template}: field definitions: {message}", {"definition": message})


def parse_definition(text: str, template: str) -> TemplateDefinition:
    """Parse and check a TOML definition; errors name ``template`` and, for syntax, the line."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        # The message of tomllib ends with "(at line N, column M)".
        raise _invalid(template, str(error)) from None
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise _invalid(template, "missing 'name': give the template's display name")
    rows = raw.get("fields")
    if not isinstance(rows, list) or not rows:
        raise _invalid(template, "no [[fields]] tables: a template needs at least one field")
    if len(rows) > MAX_FIELDS:
        raise _invalid(template, f"{len(rows)} fields given, at most {MAX_FIELDS} are allowed")
    fields = tuple(_field(row, number, template) for number, row in enumerate(rows, start=1))
    names = [item.name for item in fields]
    duplicates = sorted({item for item in names if names.count(item) > 1})
    if duplicates:
        raise _invalid(template, f"field names must be unique, repeated: {', '.join(duplicates)}")
    description = raw.get("description", "")
    return TemplateDefinition(name.strip(), str(description).strip(), fields)


def _field(row: Any, number: int, template: str) -> FieldDefinition:
    where = f"field {number}"
    if not isinstance(row, dict):
        raise _invalid(template, f"{where} is not a table")
    name = row.get("name")
    if not isinstance(name, str) or not FIELD_NAME.match(name):
        raise _invalid(
            template, f"{where}: invalid name {name!r}: use lower-case letters, digits and '_', at most 40"
        )
    source = row.get("source")
    if source not in SOURCES:
        raise _invalid(template, f"field {name}: unknown source {source!r}: use one of {', '.join(SOURCES)}")
    label = row.get("label")
    if not isinstance(label, str) or not label.strip():
        raise _invalid(template, f"field {name}: missing label")
    required = row.get("required", False)
    if not isinstance(required, bool):
        raise _invalid(template, f"field {name}: 'required' must be true or false")
    return FieldDefinition(
        name=name, label=label.strip(), source=str(source), required=required, help=str(row.get("help", ""))
    )
