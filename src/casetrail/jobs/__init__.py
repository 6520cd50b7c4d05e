"""Background jobs: a queue kept in the operational database, and the worker that drains it.

A job is enqueued in the same transaction as the change that causes it, so a committed change
always has its job and a rolled-back one never does.
"""
