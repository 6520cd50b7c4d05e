"""Hash-chained, append-only audit trail of every read and write of case data."""
