"""The documents tab and viewer in the web UI: upload, status list, viewer with highlights, mentions."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.cases.members import add_member
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.documents import tasks
from casetrail.jobs.worker import Worker
from casetrail.web.document_view import Segment, highlight
from tests.factories import make_case, make_user
from tests.web.conftest import BrowserFactory
from tests.web.html import csrf_token

DATA = Path(__file__).resolve().parent.parent / "data" / "documents"
NUMBER = "2026-0142"
TAB = f"/cases/{NUMBER}/documents"


@pytest.fixture
def people(factory: sessionmaker[Session], settings: Settings) -> None:
    ensure_master_key(settings)
    make_user(factory, "alice", unit="Unit A")
    make_user(factory, "dave", role="analyst", unit="Unit A")
    make_user(factory, "bob", unit="Unit B")
    make_case(factory, "alice", title="House on Elm St", number=NUMBER)
    with transaction(factory) as session:
        add_member(session, operator_context(), NUMBER, username="dave", role="viewer")


def _drain(factory: sessionmaker[Session], settings: Settings) -> None:
    Worker(settings=settings, sessions=factory, blobs=blob_store(settings), handlers=tasks.HANDLERS).run(
        once=True
    )


def _upload(client: TestClient, *names: str, accept: str | None = None) -> object:
    page = client.get(TAB)
    files = [
        ("files", (Path(name).name, (DATA / name).read_bytes(), "application/octet-stream")) for name in names
    ]
    headers = {"accept": accept} if accept else None
    return client.post(
        TAB, data={"csrf_token": csrf_token(page.text)}, files=files, headers=headers, follow_redirects=False
    )


@pytest.mark.usefixtures("people")
def test_form_upload_redirects_to_list(browser_for: BrowserFactory) -> None:
    alice = browser_for("alice")

    response = _upload(alice, "pdf/testPDF.pdf", "csv/testCSV.csv")
    listing = alice.get(TAB)

    assert response.status_code == 303  # type: ignore[attr-defined]
    assert "2 files uploaded" in listing.text
    assert listing.text.count('data-status="queued"') == 2
    assert 'src="/static/documents.js"' in listing.text


@pytest.mark.usefixtures("people")
def test_script_upload_gets_json(browser_for: BrowserFactory) -> None:
    alice = browser_for("alice")

    response = _upload(alice, "csv/testCSV.csv", accept="application/json")

    assert response.status_code == 202  # type: ignore[attr-defined]
    assert response.json()["documents"][0]["file_name"] == "testCSV.csv"  # type: ignore[attr-defined]


@pytest.mark.usefixtures("people")
def test_status_route_reports_ingestion(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = browser_for("alice")
    [document] = _upload(alice, "csv/testCSV.csv", accept="application/json").json()["documents"]  # type: ignore[attr-defined]
    _drain(factory, settings)

    statuses = alice.get(
        f"{TAB}/status", params={"ids": [document["id"]]}, headers={"accept": "application/json"}
    )

    assert statuses.json() == [
        {
            "id": document["id"],
            "status": "ingested",
            "failure_reason": None,
            "page_count": 1,
            "media_type": "text/csv",
        }
    ]


@pytest.mark.usefixtures("people")
def test_viewer_highlights_query_words(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = browser_for("alice")
    [document] = _upload(alice, "pdf/testPDF.pdf", accept="application/json").json()["documents"]  # type: ignore[attr-defined]
    _drain(factory, settings)

    page = alice.get(f"/documents/{document['id']}", params={"q": "toolkit"})

    assert page.status_code == 200
    assert "<mark>Toolkit</mark>" in page.text
    assert f'src="/documents/{document["id"]}/pages/1/image"' in page.text
    assert "Accept as new entity" in page.text
    assert "http://incubator.apache.org/tika/" in page.text


@pytest.mark.usefixtures("people")
def test_viewer_accepts_mention_in_one_click(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = browser_for("alice")
    [document] = _upload(alice, "pdf/testPDF.pdf", accept="application/json").json()["documents"]  # type: ignore[attr-defined]
    _drain(factory, settings)
    page = alice.get(f"/documents/{document['id']}")
    mention_id = page.text.split('action="/documents/' + document["id"] + "/mentions/")[1].split("/")[0]

    accepted = alice.post(
        f"/documents/{document['id']}/mentions/{mention_id}/accept",
        data={"csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )
    after = alice.get(f"/documents/{document['id']}")

    assert accepted.status_code == 303
    assert "recorded as" in after.text
    assert f'id="mention-{mention_id}" class="mention mention-accepted"' in after.text


@pytest.mark.usefixtures("people")
def test_failed_document_offers_retry(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = browser_for("alice")
    [document] = _upload(alice, "malformed/testWORD_truncated.docx", accept="application/json").json()[
        "documents"
    ]  # type: ignore[attr-defined]
    _drain(factory, settings)

    page = alice.get(f"/documents/{document['id']}")
    retried = alice.post(
        f"/documents/{document['id']}/retry",
        data={"csrf_token": csrf_token(page.text)},
        follow_redirects=False,
    )

    assert "Ingestion failed:" in page.text
    assert "Retry ingestion" in page.text
    assert retried.status_code == 303
    assert "queued" in alice.get(f"/documents/{document['id']}").text


@pytest.mark.usefixtures("people")
def test_image_document_shows_preview(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = browser_for("alice")
    [document] = _upload(alice, "images/testJPEG_GEO.jpg", accept="application/json").json()["documents"]  # type: ignore[attr-defined]
    _drain(factory, settings)

    page = alice.get(f"/documents/{document['id']}")
    original = alice.get(f"/documents/{document['id']}/original", params={"inline": "1"})

    assert f'src="/documents/{document["id"]}/original?inline=1"' in page.text
    assert "gps.lat" in page.text
    assert original.headers["content-type"] == "image/jpeg"
    assert original.content == (DATA / "images/testJPEG_GEO.jpg").read_bytes()


@pytest.mark.usefixtures("people")
def test_viewer_has_no_upload_form(browser_for: BrowserFactory) -> None:
    alice = browser_for("alice")
    [document] = _upload(alice, "csv/testCSV.csv", accept="application/json").json()["documents"]  # type: ignore[attr-defined]

    dave = browser_for("dave")
    page = dave.get(f"/documents/{document['id']}")

    assert page.status_code == 200
    assert "Save labels" not in page.text


@pytest.mark.usefixtures("people")
def test_outsider_sees_not_found(browser_for: BrowserFactory) -> None:
    alice = browser_for("alice")
    [document] = _upload(alice, "csv/testCSV.csv", accept="application/json").json()["documents"]  # type: ignore[attr-defined]

    bob = browser_for("bob")

    assert bob.get(f"/documents/{document['id']}").status_code == 404
    assert bob.get(TAB).status_code == 404


def test_highlight_marks_case_insensitive_words() -> None:
    assert highlight("Tika is a toolkit", ["TOOLKIT", "tika"]) == [
        Segment("Tika", True),
        Segment(" is a ", False),
        Segment("toolkit", True),
    ]


@pytest.mark.usefixtures("people")
def test_video_document_shows_player_and_keyframes(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = browser_for("alice")
    uploaded = _upload(alice, "audio_video/testMP4Video.mp4", accept="application/json")
    [document] = uploaded.json()["documents"]  # type: ignore[attr-defined]
    _drain(factory, settings)

    page = alice.get(f"/documents/{document['id']}")
    keyframe = alice.get(f"/documents/{document['id']}/pages/1/image")

    assert (
        f'<video controls preload="metadata" src="/documents/{document["id"]}/original?inline=1"' in page.text
    )
    assert 'alt="Keyframe 1"' in page.text
    assert keyframe.headers["content-type"] == "image/png"
