"""What the footer of a legal document proves, and how.

A PDF cannot contain its own SHA-256, so two hashes are kept:

- The *content hash*, printed in every page footer, is the SHA-256 of the canonical JSON of the
  version's inputs (the case facts and edited sections the template read): keys sorted, no
  spaces, UTF-8, as ``canonical_json`` writes it. Anyone holding the stored inputs can recompute
  it; it changes when any fact or sentence changes.
- The *file hash* is the SHA-256 of the issued PDF file, stored with the version when it is
  approved (``LegalDocumentVersion.pdf_sha256``) and with the case document that holds the PDF.

The footer also names the document id and version number, in the form ``FOOTER_PATTERN``
matches. ``casetrail doc verify FILE`` hashes the file and looks the hash up: a match is an
issued version. Without a match it reads the id and version from the PDF's text layer and
reports that the file claims to be that version but is not the file Casetrail issued.
"""

from __future__ import annotations

import hashlib
import json
import re
from datetime import datetime
from typing import Any

FOOTER_PATTERN = re.compile(r"Casetrail document ([0-9a-f-]{36}) version (\d+)")


def canonical_json(inputs: dict[str, Any]) -> bytes:
    return json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def content_sha256(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(canonical_json(inputs)).hexdigest()


def footer_meta(
    *,
    document_id: str,
    version: int,
    status: str,
    content_hash: str,
    approved_by: str = "",
    approved_at: datetime | None = None,
    redacted_from: str = "",
) -> dict[str, Any]:
    """Return the ``meta`` input of the preamble: the document's identity for the footer."""
    identity = f"Casetrail document {document_id} version {version}"
    if redacted_from:
        line = f"{identity} · redacted copy of {redacted_from}"
    elif approved_by:
        line = f"{identity} · {status}"
    else:
        line = f"{status.upper()} · {identity} · not issued"
    return {
        "document_id": document_id,
        "version": version,
        "status": status,
        "content_sha256": content_hash,
        "footer_line": line,
        "approved_by": approved_by,
        "approved_at": approved_at.strftime("%Y-%m-%d %H:%M UTC") if approved_at else "",
    }
