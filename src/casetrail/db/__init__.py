"""Database foundations: declarative base, engine and sessions, the ledger sequencer and the outbox."""
