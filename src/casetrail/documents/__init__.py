"""Documents and media of a case: storage, type detection, text and metadata extraction."""
