"""Oversight: reading and verifying the audit trail, for auditors, through the access policy."""
