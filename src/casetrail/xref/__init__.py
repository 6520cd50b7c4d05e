"""Cross-referencing: matching entities across cases and watch-lists, decisions and deconfliction."""
