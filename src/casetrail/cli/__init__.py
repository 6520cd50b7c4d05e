"""Typer command-line interface: `casetrail`."""
