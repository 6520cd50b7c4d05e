"""Link analysis: graphs built from the entities of the cases a user may read, queries over
them, saved link charts and exports to GraphML, GEXF and i2 Analyst's Notebook."""
