"""Legal documents from case data: templates, review workflow, sealed issue and redaction."""
