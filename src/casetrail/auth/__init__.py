"""Accounts, roles, sessions, API tokens, and the access policy that every interface calls."""
