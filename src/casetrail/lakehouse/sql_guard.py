"""Checking analyst SQL before it runs: one SELECT over lakehouse tables, nothing else.

This check, together with the permission-filtered views that table names are rewritten to, is
the boundary that keeps a user inside the cases they may see. The rules:

- The text parses (sqlglot, DuckDB dialect) into exactly one statement, and that statement is
  a query: SELECT, or UNION / INTERSECT / EXCEPT of SELECTs, with or without WITH.
- No data or schema changes anywhere in the tree (a data-changing CTE, SELECT ... INTO,
  FOR UPDATE), and nothing that runs as a command (PRAGMA, SET, ATTACH, COPY, INSTALL, ...).
- Every table reference is a plain name of a lakehouse table or of a CTE defined in the query.
  Schema- or catalog-qualified names (information_schema.tables, main.x), quoted file paths,
  table functions (read_parquet, iceberg_scan, glob, query, range) and time-travel clauses on
  a table are rejected; UNNEST and VALUES are allowed.
- No function that reads files, settings, the environment or the engine's catalog
  (``_DENIED_FUNCTION``), whatever its case or quoting.
- CTE names may not shadow a lakehouse table.

What runs is SQL generated from the checked tree, never the original text, so a construct
sqlglot did not understand cannot slip through as raw text.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError

from casetrail.core.errors import PermissionDenied, ValidationFailed

ATTEMPTED = "lakehouse.query"
MAX_SQL_LENGTH = 100_000
RESERVED_PREFIX = "__"

_DENIED_FUNCTION = re.compile(
    r"^(read_.*|read|iceberg_.*|parquet_.*|delta_.*|ducklake_.*|duckdb_.*|pragma_.*|pg_.*|sqlite_.*"
    r"|postgres_.*|mysql_.*|glob|query|query_table|current_setting|getvariable|getenv|sniff_csv"
    r"|sql_auto_complete|which_secret|load_.*|install_.*|checkpoint|force_checkpoint|has_.*_privilege"
    r"|current_database|current_schema|current_schemas|current_catalog|current_user|current_role"
    r"|session_user|user|version|txid_current|nextval|currval|enable_.*|disable_.*|.*substrait.*"
    r"|json_execute_serialized_sql|summary|test_.*|http_.*|s3_.*|icu_.*|arrow_scan.*|python_.*)$"
)
_QUERY_ROOTS = (exp.Select, exp.Union, exp.Intersect, exp.Except, exp.Subquery)
_FORBIDDEN_NODES: tuple[type[Any], ...] = (
    exp.DML,
    exp.DDL,
    exp.Into,
    exp.Lock,
    exp.Command,
    exp.Pragma,
    exp.Set,
    exp.Copy,
    exp.Use,
    exp.Describe,
    exp.Show,
    exp.Attach,
    exp.Detach,
    exp.Transaction,
    exp.Commit,
    exp.Rollback,
    exp.Placeholder,
    exp.Parameter,
)
_TABLE_EXTRAS = (
    "db",
    "catalog",
    "system_time",
    "version",
    "format",
    "pattern",
    "when",
    "partition",
    "changes",
    "rows_from",
    "indexed",
    "only",
)


class SqlRejected(PermissionDenied):
    """The query uses something analysts may not use: a command, a file, a system catalog."""

    code = "sql_rejected"

    def __init__(self, message: str) -> None:
        super().__init__(message, attempted=ATTEMPTED, object_type="lakehouse", object_id=None)


@dataclass(frozen=True)
class CheckedQuery:
    tree: exp.Query
    tables: frozenset[str]
    """Lakehouse tables the query reads, lower case."""


def check_query(text: str, tables: Collection[str]) -> CheckedQuery:
    """Parse and check ``text``; raise ``SqlRejected`` or ``ValidationFailed`` when it fails a rule."""
    if not text.strip():
        raise ValidationFailed("the query is empty: write one SELECT statement", {"sql": "missing"})
    if len(text) > MAX_SQL_LENGTH:
        raise ValidationFailed(f"the query is longer than {MAX_SQL_LENGTH} characters", {"sql": "too long"})
    tree = _parse_one(text)
    known = {name.lower() for name in tables}
    cte_names = _cte_names(tree, known)
    referenced: set[str] = set()
    for node in tree.walk():
        _check_node(node)
        if isinstance(node, exp.Table):
            name = _check_table(node, known, cte_names)
            if name in known:
                referenced.add(name)
        elif isinstance(node, exp.Func):
            _check_function(node)
    return CheckedQuery(tree=tree, tables=frozenset(referenced))


def _parse_one(text: str) -> exp.Query:
    try:
        statements = [
            statement for statement in sqlglot.parse(text, dialect="duckdb") if statement is not None
        ]
    except ParseError as error:
        first = error.errors[0] if error.errors else {}
        where = f" at line {first.get('line')}, column {first.get('col')}" if first else ""
        raise ValidationFailed(
            f"the query does not parse{where}: {first.get('description', error)}", {"sql": "syntax error"}
        ) from None
    if len(statements) != 1:
        raise SqlRejected(f"send exactly one SELECT statement; the text holds {len(statements)} statements")
    statement = statements[0]
    if not isinstance(statement, _QUERY_ROOTS):
        raise SqlRejected(f"only SELECT queries are allowed, not {statement.key.upper()}")
    assert isinstance(statement, exp.Query)
    return statement


def _cte_names(tree: exp.Query, known: set[str]) -> set[str]:
    names: set[str] = set()
    for cte in tree.find_all(exp.CTE):
        name = cte.alias_or_name.lower()
        if name in known:
            raise SqlRejected(f"the CTE name {name!r} is a lakehouse table: give the CTE another name")
        if name.startswith(RESERVED_PREFIX):
            raise SqlRejected(f"names starting with {RESERVED_PREFIX!r} are reserved: rename {name!r}")
        names.add(name)
    return names


def _check_node(node: object) -> None:
    if isinstance(node, _FORBIDDEN_NODES):
        raise SqlRejected(f"{type(node).__name__.upper()} is not allowed in analyst queries: use SELECT only")


def _check_table(node: exp.Table, known: set[str], cte_names: set[str]) -> str:
    if not isinstance(node.this, exp.Identifier):
        kind = node.this.sql_name() if isinstance(node.this, exp.Func) else node.this.key
        raise SqlRejected(f"table functions are not allowed ({kind.lower()}): query lakehouse tables by name")
    for extra in _TABLE_EXTRAS:
        if node.args.get(extra):
            raise SqlRejected(
                f"{node.sql(dialect='duckdb')!r}: name lakehouse tables without schema, catalog or "
                "time-travel clauses; use --as-of or --snapshot for time travel"
            )
    name = node.name.lower()
    if name.startswith(RESERVED_PREFIX):
        raise SqlRejected(f"names starting with {RESERVED_PREFIX!r} are reserved: {name!r}")
    if name not in known and name not in cte_names:
        raise ValidationFailed(
            f"unknown table {node.name!r}: the lakehouse tables are {', '.join(sorted(known))}",
            {"sql": "unknown table"},
        )
    return name


def _check_function(node: exp.Func) -> None:
    name = node.name if isinstance(node, exp.Anonymous) else node.sql_name()
    if _DENIED_FUNCTION.match(name.lower()):
        raise SqlRejected(f"the function {name.lower()} is not allowed in analyst queries")


def rewrite_tables(checked: CheckedQuery, schema: str) -> exp.Query:
    """Point every lakehouse table reference at the view of the same name in ``schema``.

    A reference without an alias gets the table name as alias, so ``statements.value`` still
    resolves. CTE references stay as they are: a CTE may not take a lakehouse table's name.
    """
    tree = checked.tree.copy()
    for node in list(tree.find_all(exp.Table)):
        name = node.name.lower()
        if name not in checked.tables:
            continue
        alias = node.args.get("alias")
        node.set("this", exp.to_identifier(name))
        node.set("db", exp.to_identifier(schema))
        if alias is None:
            node.set("alias", exp.TableAlias(this=exp.to_identifier(name)))
    return tree
