"""Reading HTML form values into service arguments, and the redirect that follows a form post."""

from __future__ import annotations

from datetime import date

from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from casetrail.core.errors import ValidationFailed
from casetrail.entities.statements import Source, SourceType
from casetrail.web.flash import set_flash

MANUAL_SOURCE = "manual"
NOTE_SOURCE_PREFIX = "note:"


def see_other(url: str, notice: str | None = None) -> RedirectResponse:
    """Redirect with 303 so that reloading the next page does not post the form again."""
    response = RedirectResponse(url, status_code=303)
    if notice:
        set_flash(response, notice)
    return response


def optional_date(value: str, field: str) -> date | None:
    """Parse an ``<input type=date>`` value (YYYY-MM-DD). An empty field means no date."""
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValidationFailed(
            f"invalid date {value[:40]!r}: use the form YYYY-MM-DD", {field: "not a date (YYYY-MM-DD)"}
        ) from None


def parse_source(value: str) -> Source:
    """Turn the source select (``manual`` or ``note:<id>``) into a statement source."""
    if value == MANUAL_SOURCE:
        return Source(SourceType.MANUAL)
    if value.startswith(NOTE_SOURCE_PREFIX) and len(value) > len(NOTE_SOURCE_PREFIX):
        return Source(SourceType.NOTE, value[len(NOTE_SOURCE_PREFIX) :])
    raise ValidationFailed(
        f"invalid source {value[:60]!r}: choose 'typed in by hand' or a note of the case",
        {"source": "unknown source"},
    )


def property_rows(form: FormData) -> dict[str, list[str]]:
    """Collect the repeated ``prop``/``value`` inputs of a facts form into FtM properties.

    Rows with an empty value are ignored, so a form can offer more rows than the user fills.
    """
    names = [str(item) for item in form.getlist("prop")]
    values = [str(item) for item in form.getlist("value")]
    properties: dict[str, list[str]] = {}
    for index, value in enumerate(values):
        if not value.strip():
            continue
        name = names[index].strip() if index < len(names) else ""
        if not name:
            raise ValidationFailed(
                f"row {index + 1} has a value but no property: choose a property for it",
                {f"prop.{index + 1}": "missing"},
            )
        properties.setdefault(name, []).append(value.strip())
    return properties


def form_text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""
