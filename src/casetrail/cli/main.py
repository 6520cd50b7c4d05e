"""Entry point of the `casetrail` command.

`casetrail serve --workers N` starts uvicorn workers with multiprocessing's "spawn" method, which
re-runs the main script, and so imports this module, in every worker before the worker answers
uvicorn's health check (5 seconds by default). Loading the commands only when the command runs
keeps that import fast; loading them all took over 3 seconds on a busy test machine.
"""

from __future__ import annotations


def app() -> None:
    """Run the `casetrail` command line."""
    from casetrail.cli.commands import app as commands  # noqa: PLC0415 (see the module docstring)

    commands()
