"""The analytics lakehouse: Apache Iceberg tables fed from the outbox, SQL over them with DuckDB.

This is the only package that imports pyiceberg, pyarrow and duckdb. See docs/lakehouse.md.
"""
