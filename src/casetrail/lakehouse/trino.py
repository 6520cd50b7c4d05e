"""Trino: the catalog properties file for the same tables, and analyst queries in Trino SQL.

Trino's Iceberg connector reads the tables through Iceberg's JDBC catalog, which uses the
catalog tables PyIceberg's ``SqlCatalog`` writes, and the data files in the warehouse. Queries
Casetrail generates (permission-filtered CTEs around an analyst's query, pinned to snapshots)
are built as sqlglot trees and printed in Trino's dialect; tests parse every generated shape
back with Trino's grammar. Each CTE is a plain SELECT with a snapshot clause and an IN list:
sqlglot 30 translates some DuckDB-only constructs wrongly (QUALIFY with LIMIT,
list_aggregate, epoch_ms), so nothing DuckDB-specific is generated.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import urlparse

from sqlalchemy.engine import make_url
from sqlglot import exp

from casetrail.core.errors import ValidationFailed
from casetrail.lakehouse.config import CATALOG_NAME, LakehouseConfig
from casetrail.lakehouse.sql_guard import CheckedQuery

TRINO_CATALOG = "iceberg"
CTE_PREFIX = "__permitted_"


@dataclass(frozen=True)
class TrinoSource:
    """One table as the Trino query reads it: its snapshot and the cases it may show."""

    name: str
    snapshot_id: int | None
    case_column: str
    case_ids: Sequence[str] | None


def catalog_properties(config: LakehouseConfig) -> dict[str, str]:
    """Return the properties of a Trino Iceberg catalog on Casetrail's JDBC catalog and warehouse."""
    url = make_url(config.catalog_url)
    backend = url.get_backend_name()
    properties = {
        "connector.name": "iceberg",
        "iceberg.catalog.type": "jdbc",
        "iceberg.jdbc-catalog.catalog-name": CATALOG_NAME,
        "iceberg.jdbc-catalog.default-warehouse-dir": config.warehouse,
    }
    if backend == "postgresql":
        port = f":{url.port}" if url.port else ""
        properties["iceberg.jdbc-catalog.driver-class"] = "org.postgresql.Driver"
        properties["iceberg.jdbc-catalog.connection-url"] = (
            f"jdbc:postgresql://{url.host}{port}/{url.database}"
        )
        if url.username:
            properties["iceberg.jdbc-catalog.connection-user"] = url.username
        if url.password:
            properties["iceberg.jdbc-catalog.connection-password"] = str(url.password)
    elif backend == "sqlite":
        # NOTE: Trino bundles no SQLite JDBC driver; this works only with one added to the
        # connector's plugin folder. Production catalogs run on PostgreSQL.
        properties["iceberg.jdbc-catalog.driver-class"] = "org.sqlite.JDBC"
        properties["iceberg.jdbc-catalog.connection-url"] = f"jdbc:sqlite:{url.database}"
    else:
        raise ValidationFailed(
            f"no Trino JDBC settings for a {backend} catalog: use PostgreSQL for "
            "CASETRAIL_LAKEHOUSE__CATALOG_URL",
            {"catalog_url": "unsupported backend"},
        )
    properties.update(_file_system_properties(config))
    return properties


def _file_system_properties(config: LakehouseConfig) -> dict[str, str]:
    if urlparse(config.warehouse).scheme == "s3":
        s3 = config.s3_properties
        properties = {"fs.native-s3.enabled": "true", "s3.path-style-access": "true"}
        for ours, theirs in (
            ("s3.endpoint", "s3.endpoint"),
            ("s3.region", "s3.region"),
            ("s3.access-key-id", "s3.aws-access-key"),
            ("s3.secret-access-key", "s3.aws-secret-key"),
        ):
            if ours in s3:
                properties[theirs] = s3[ours]
        return properties
    # A local warehouse must be mounted at the same path on every Trino node.
    return {"fs.native-local.enabled": "true", "local.location": "/"}


def render_properties(properties: Mapping[str, str]) -> str:
    lines = ["# Trino Iceberg catalog written by `casetrail lakehouse trino-config`."]
    lines.extend(f"{key}={value}" for key, value in properties.items())
    return "\n".join(lines) + "\n"


def table_reference(namespace: str, source: TrinoSource) -> exp.Table:
    table = exp.Table(
        this=exp.to_identifier(source.name),
        db=exp.to_identifier(namespace),
        catalog=exp.to_identifier(TRINO_CATALOG),
    )
    if source.snapshot_id is not None:
        table.set(
            "version",
            exp.Version(this="VERSION", kind="AS OF", expression=exp.Literal.number(source.snapshot_id)),
        )
    return table


def permitted_select(namespace: str, source: TrinoSource) -> exp.Select:
    """Build ``SELECT * FROM <table> [FOR VERSION AS OF n] [WHERE <case column> IN (...)]``."""
    query = exp.select("*").from_(table_reference(namespace, source))
    if source.snapshot_id is None and source.case_ids is not None:
        return query.where(exp.false())
    if source.case_ids is None:
        return query
    if not source.case_ids:
        return query.where(exp.false())
    return query.where(
        exp.column(source.case_column).isin(*[exp.Literal.string(case_id) for case_id in source.case_ids])
    )


def to_trino(checked: CheckedQuery, namespace: str, sources: Sequence[TrinoSource]) -> str:
    """Return the analyst query in Trino SQL, each table replaced by a permission-filtered CTE."""
    tree = checked.tree.copy()
    for node in list(tree.find_all(exp.Table)):
        name = node.name.lower()
        if name not in checked.tables:
            continue
        alias = node.args.get("alias") or exp.TableAlias(this=exp.to_identifier(name))
        node.replace(exp.Table(this=exp.to_identifier(CTE_PREFIX + name), alias=alias))
    ours = [
        exp.CTE(
            this=permitted_select(namespace, source),
            alias=exp.TableAlias(this=exp.to_identifier(CTE_PREFIX + source.name)),
        )
        for source in sources
    ]
    # sqlglot 30 keeps a query's WITH clause under the argument name "with_".
    existing = tree.args.get("with_")
    theirs = list(existing.expressions) if existing is not None else []
    recursive = existing.args.get("recursive") if existing is not None else None
    tree.set("with_", exp.With(expressions=[*ours, *theirs], recursive=recursive))
    return tree.sql(dialect="trino", pretty=True)
