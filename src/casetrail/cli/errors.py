"""Turning errors into messages and exit statuses, in one place for every command.

Exit statuses: 0 success, 1 an error the user can fix (the message on standard error says what
failed and what to do), 2 a usage error reported by the argument parser, 3 a failed integrity
check (``audit verify``).
"""

from __future__ import annotations

from typing import Any, NoReturn

import pydantic
import typer
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlalchemy.orm.exc import StaleDataError
from typer.core import TyperGroup

from casetrail.core.errors import CasetrailError, ValidationFailed
from casetrail.core.logging import get_logger

log = get_logger(__name__)

EXIT_USER_ERROR = 1
EXIT_INTEGRITY_FAILED = 3

_DATABASE_HINT = (
    "check CASETRAIL_DATABASE_URL (or CASETRAIL_DATA_DIR for the embedded database), "
    "and run `casetrail init` if the database has not been migrated yet"
)


class CasetrailGroup(TyperGroup):
    """The root command group. Sub-commands run inside its ``invoke``, so it catches their errors."""

    # ``ctx`` is a context of typer's bundled click, whose class typer does not export.
    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CasetrailError as error:
            _fail(error.code, describe(error))
        except StaleDataError:
            _fail(
                "version_conflict",
                "error: the record was changed by someone else while this command ran; run it again",
            )
        except (OperationalError, ProgrammingError) as error:
            _fail("database_error", f"error: database error: {_first_line(error.orig)}\n  {_DATABASE_HINT}")
        except pydantic.ValidationError as error:
            _fail("invalid_setting", f"error: invalid setting: {_settings_problem(error)}")


def _fail(code: str, message: str) -> NoReturn:
    log.debug("command_failed", code=code)
    typer.echo(message, err=True)
    raise typer.Exit(EXIT_USER_ERROR)


def describe(error: CasetrailError) -> str:
    """Return the message for ``error`` with one indented line per invalid field."""
    lines = [f"error: {error.message}"]
    if isinstance(error, ValidationFailed):
        lines.extend(f"  {field}: {problem}" for field, problem in error.errors.items())
    return "\n".join(lines)


def _first_line(value: object) -> str:
    return str(value).strip().splitlines()[0] if str(value).strip() else type(value).__name__


def _settings_problem(error: pydantic.ValidationError) -> str:
    problems = []
    for item in error.errors():
        name = "CASETRAIL_" + "__".join(str(part).upper() for part in item["loc"])
        problems.append(f"{name}: {item['msg']}")
    return "; ".join(problems)
