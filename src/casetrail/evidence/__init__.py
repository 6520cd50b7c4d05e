"""Evidence: items, their chain of custody, digital evidence files, reports and packages."""
