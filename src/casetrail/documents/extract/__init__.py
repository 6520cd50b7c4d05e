"""Extractors: read text, metadata and child files out of one stored file.

Extractors are pure functions of a file on local disk. They never touch the database or the
blob store; the ingestion pipeline stores what they return.
"""
