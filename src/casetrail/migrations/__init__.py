"""Alembic migrations of the operational database, and the code that runs them."""
