"""Casetrail: open investigative case management."""
