"""Request plumbing shared by the JSON API and the web UI: app state, transactions, identity."""
