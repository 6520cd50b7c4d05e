"""Where the lakehouse lives: the Iceberg catalog, the warehouse and DuckDB's extension folder.

Defaults keep everything beside the embedded store: the catalog in SQLite at
DATA_DIR/lakehouse/catalog.db and the warehouse in DATA_DIR/lakehouse/warehouse. The catalog
tables PyIceberg's ``SqlCatalog`` creates (``iceberg_tables``, ``iceberg_namespace_properties``)
are those of Iceberg's JDBC catalog, so Trino and Spark read the same tables from PostgreSQL.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

from pyiceberg.catalog.sql import SqlCatalog

from casetrail.core.settings import Settings

CATALOG_NAME = "casetrail"


@dataclass(frozen=True)
class LakehouseConfig:
    """Resolved locations of one lakehouse; built from settings by ``config_for``."""

    catalog_url: str
    warehouse: str
    namespace: str
    root: Path
    """Local folder for the writer lock, DuckDB's extensions and its spill files."""
    s3_properties: dict[str, str]

    @property
    def local_warehouse(self) -> Path | None:
        """The warehouse folder, or None for an object-store warehouse."""
        parsed = urlparse(self.warehouse)
        if parsed.scheme in ("", "file"):
            return Path(parsed.path)
        return None

    @property
    def extension_directory(self) -> Path:
        return self.root / "duckdb_extensions"

    @property
    def spill_directory(self) -> Path:
        return self.root / "duckdb_tmp"

    def qualified(self, table: str) -> str:
        return f"{self.namespace}.{table}"


def config_for(settings: Settings) -> LakehouseConfig:
    lake = settings.lakehouse
    root = (settings.data_dir / "lakehouse").resolve()
    catalog_url = lake.catalog_url or f"sqlite:///{root / 'catalog.db'}"
    warehouse = lake.warehouse or (root / "warehouse").as_uri()
    if urlparse(warehouse).scheme == "":
        warehouse = Path(warehouse).resolve().as_uri()
    s3: dict[str, str] = {}
    if lake.s3_endpoint_url:
        s3["s3.endpoint"] = lake.s3_endpoint_url
    if lake.s3_region:
        s3["s3.region"] = lake.s3_region
    if lake.s3_access_key_id:
        s3["s3.access-key-id"] = lake.s3_access_key_id
    if lake.s3_secret_access_key:
        s3["s3.secret-access-key"] = lake.s3_secret_access_key.get_secret_value()
    return LakehouseConfig(
        catalog_url=catalog_url, warehouse=warehouse, namespace=lake.namespace, root=root, s3_properties=s3
    )


@contextmanager
def open_catalog(config: LakehouseConfig) -> Iterator[SqlCatalog]:
    """Open the catalog, creating its tables and the namespace on first use."""
    config.root.mkdir(parents=True, exist_ok=True)
    local = config.local_warehouse
    if local is not None:
        local.mkdir(parents=True, exist_ok=True)
    catalog = SqlCatalog(
        CATALOG_NAME, uri=config.catalog_url, warehouse=config.warehouse, **config.s3_properties
    )
    try:
        catalog.create_namespace_if_not_exists(config.namespace)
        yield catalog
    finally:
        catalog.engine.dispose()
