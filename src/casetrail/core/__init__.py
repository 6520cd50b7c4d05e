"""Kernel: settings, errors, logging, identifiers and time. Imports nothing else of casetrail."""
