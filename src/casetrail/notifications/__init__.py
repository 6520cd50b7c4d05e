"""Notifications derived from outbox events: in-app (pushed live) and e-mail over SMTP."""
