"""A real Outlook PST mailbox (71 messages of the Enron corpus) read by the PST extractor."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

import pytest

from casetrail.documents.extract.base import Extraction
from casetrail.documents.extract.detect import detect_media_type
from casetrail.documents.extract.outlook import extract_pst
from tests.documents.extract.conftest import NO_OCR, sample

MAILBOX = "email/enron.pst"
FOLDER = "Top of Personal Folders/lokay-m/MLOKAY (Non-Privileged)"


@pytest.fixture
def extraction(workdir: Path) -> Extraction:
    return extract_pst(sample(MAILBOX), NO_OCR, workdir)


def message(extraction: Extraction, name: str) -> EmailMessage:
    child = next(child for child in extraction.children if child.file_name == name)
    parsed = email.message_from_bytes(child.path.read_bytes(), policy=email.policy.default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_detected_as_pst() -> None:
    assert detect_media_type(sample(MAILBOX)) == "application/vnd.ms-outlook-pst"


def test_every_message_becomes_a_child(extraction: Extraction) -> None:
    assert len(extraction.children) == 71


def test_children_are_messages(extraction: Extraction) -> None:
    assert {child.declared_media_type for child in extraction.children} == {"message/rfc822"}


def test_message_count_in_metadata(extraction: Extraction) -> None:
    assert extraction.meta["mailbox"] == {"messages": 71, "format": "pst"}


def test_listing_names_folder_sender_and_subject(extraction: Extraction) -> None:
    listing = extraction.pages[0].text.splitlines()
    line = next(row for row in listing if row.endswith("\tNew OBA's"))
    assert line.startswith(f"/{FOLDER}/TW-Commercial Group\t")
    assert "Dennis.Lee@ENRON.com" in line


def test_child_named_by_folder_and_subject(extraction: Extraction) -> None:
    names = {child.file_name for child in extraction.children}
    assert f"{FOLDER}/TW-Commercial Group/New OBA's.eml" in names


def test_rebuilt_message_keeps_headers(extraction: Extraction) -> None:
    rebuilt = message(extraction, f"{FOLDER}/TW-Commercial Group/New OBA's.eml")
    assert rebuilt["Subject"] == "New OBA's"
    assert "Dennis.Lee@ENRON.com" in str(rebuilt["From"])


def test_repeated_unique_header_keeps_first(extraction: Extraction) -> None:
    # This message's stored transport headers carry Date twice; a message may have one.
    rebuilt = message(
        extraction, f"{FOLDER}/Power Mart '01 - Register online for your FREE exhibition pass!.eml"
    )
    assert rebuilt.get_all("Date") == ["Thu, 23 Aug 2001 15:49:51 -0700"]


def test_attachments_travel_with_their_message(extraction: Extraction) -> None:
    rebuilt = message(extraction, f"{FOLDER}/Personal/Possible Spreadsheet.eml")
    assert [part.get_filename() for part in rebuilt.iter_attachments()] == ["Michelle.xls"]


def test_message_body_is_kept(extraction: Extraction) -> None:
    rebuilt = message(extraction, f"{FOLDER}/TW-Commercial Group/New OBA's.eml")
    body = rebuilt.get_body(preferencelist=("plain", "html"))
    assert body is not None
    assert body.get_content().strip()
