"""Full-text search over documents, notes and entity names, filtered by access in the query."""
