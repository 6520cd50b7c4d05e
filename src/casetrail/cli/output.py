"""Printing command results: aligned text for people, one JSON document for scripts.

Results go to standard output; errors, hints and progress go to standard error, so
``--output json`` output can be piped into another program unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Any

import typer


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


OutputOption = Annotated[
    OutputFormat,
    typer.Option("--output", "-o", help="Result format: 'text' for people, 'json' for scripts."),
]


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def print_json(data: Any) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=_json_default))


def print_result(output: OutputFormat, data: Any, as_text: Callable[[], None]) -> None:
    """Print ``data`` as JSON, or call ``as_text`` to print it for people."""
    if output == OutputFormat.JSON:
        print_json(data)
    else:
        as_text()


def hint(message: str) -> None:
    """Print a remark for the person at the terminal on standard error."""
    typer.echo(message, err=True)


def text_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(timespec="seconds")
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def print_table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print rows under upper-case column headers, each column as wide as its widest cell."""
    cells = [[text_value(value) for value in row] for row in rows]
    widths = [len(name) for name in columns]
    for row in cells:
        widths = [max(width, len(cell)) for width, cell in zip(widths, row, strict=True)]
    typer.echo(_line([name.upper() for name in columns], widths))
    for row in cells:
        typer.echo(_line(row, widths))


def _line(cells: Sequence[str], widths: Sequence[int]) -> str:
    return "  ".join(cell.ljust(width) for cell, width in zip(cells, widths, strict=True)).rstrip()


def print_fields(fields: Sequence[tuple[str, Any]]) -> None:
    """Print ``name: value`` lines with the values aligned."""
    width = max((len(name) for name, _ in fields), default=0)
    for name, value in fields:
        typer.echo(f"{name + ':':<{width + 1}} {text_value(value)}")
