"""Rendering a template to PDF with the embedded typst compiler.

The compiled source is the shipped preamble (``templates/_preamble.typ``: page layout, footer
and helpers such as ``subjects(...)``) followed by the template's own source. Case data reaches
typst only as JSON in ``sys.inputs`` and is shown as text, so nothing a user types can run as
typst markup. Only typst's embedded fonts are used, so a version renders the same on every
machine, and with the same inputs and timestamp the PDF is the same byte for byte.

Compile errors name the template and the line of the template's source, which is the line an
administrator sees in the editor; an error inside a preamble helper names the template line
that called it when typst reports one.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import typst

from casetrail.core.errors import CasetrailError, ValidationFailed
from casetrail.core.logging import get_logger

log = get_logger(__name__)

# typst names the source given as bytes like this in its diagnostics.
_LOCATION = re.compile(r"\.typ:(\d+):(\d+)")


@dataclass(frozen=True)
class TemplateError:
    template: str
    line: int | None
    message: str

    def describe(self) -> str:
        where = f"line {self.line}" if self.line is not None else "the Casetrail preamble"
        return f"template {self.template}, {where}: {self.message}"


class TemplateRenderFailed(ValidationFailed):
    """Raised when typst rejects a template; ``error`` names the template and the line."""

    def __init__(self, error: TemplateError) -> None:
        super().__init__(error.describe(), {"source": error.describe()})
        self.error = error


@cache
def preamble() -> str:
    return resources.files("casetrail.legal").joinpath("templates", "_preamble.typ").read_text("utf-8")


def shipped_file(name: str) -> str:
    return resources.files("casetrail.legal").joinpath("templates", name).read_text("utf-8")


def _template_line(lines: list[int], offset: int) -> int | None:
    """Return the first location after the preamble's ``offset`` lines, as a template line."""
    for line in lines:
        if line > offset:
            return line - offset
    return None


def _error_of(template: str, error: typst.TypstError, offset: int) -> TemplateError:
    texts = [error.diagnostic or "", *[str(entry) for entry in error.trace or []]]
    lines = [int(match.group(1)) for text in texts for match in _LOCATION.finditer(text)]
    return TemplateError(template=template, line=_template_line(lines, offset), message=error.message)


def compile_pdf(
    template: str,
    source: str,
    data: dict[str, Any],
    meta: dict[str, Any],
    timestamp: datetime,
    *,
    preamble_source: str | None = None,
) -> bytes:
    """Compile ``source`` after the preamble with ``data`` and ``meta`` as JSON inputs.

    ``preamble_source`` is the preamble a template version was saved with; the default is the
    shipped one.
    """
    before = preamble() if preamble_source is None else preamble_source
    document = (before + source).encode("utf-8")
    inputs = {"data": json.dumps(data, ensure_ascii=False), "meta": json.dumps(meta, ensure_ascii=False)}
    try:
        return typst.compile(
            document,
            format="pdf",
            ignore_system_fonts=True,
            sys_inputs=inputs,
            # The PDF's creation date; typst takes whole seconds only.
            timestamp=timestamp.replace(microsecond=0),
        )
    except typst.TypstError as error:
        found = _error_of(template, error, before.count("\n"))
        log.warning("legal_template_compile_failed", template=template, line=found.line)
        raise TemplateRenderFailed(found) from None
    except (RuntimeError, ValueError) as error:
        log.error("legal_render_failed", template=template)
        raise CasetrailError(f"rendering template {template} failed: {error}") from error
