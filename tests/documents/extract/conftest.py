"""Fixtures for the extractor tests: real files under tests/data/documents and a work directory.

These tests call extractors directly and need no database.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from casetrail.documents.extract.base import Limits

DOCUMENTS = Path(__file__).resolve().parents[2] / "data" / "documents"

# Skips OCR where a test checks metadata only, to keep the suite fast.
NO_OCR = Limits(max_ocr_pages=0)


def sample(relative: str) -> Path:
    """Return the path of a test file, e.g. ``sample("pdf/testPDF.pdf")``."""
    path = DOCUMENTS / relative
    assert path.is_file(), f"missing test file {path}"
    return path


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    directory = tmp_path / "children"
    directory.mkdir()
    return directory
