"""The documents tab and viewer in the web UI: upload, status list, viewer with highlights, mentions."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.cases.members import add_member
from casetrail.cases.models import Case
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.documents import tasks
from casetrail.documents.models import Document, DocumentMention
from casetrail.documents.service import store_document
from casetrail.entities.models import CaseEntity
from casetrail.entities.service import create_entity
from casetrail.entities.statements import Source, SourceType
from casetrail.jobs.worker import Worker
from casetrail.web.document_meta import MetaEntry, meta_entries, with_unit
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


def _stored(
    factory: sessionmaker[Session],
    settings: Settings,
    name: str,
    data: bytes = b"plain text",
    *,
    parent: Document | None = None,
    number: str = NUMBER,
    **fields: Any,
) -> Document:
    """Store ``data`` as an ingested document of case ``number`` without running an extractor."""
    with transaction(factory) as session:
        case = session.execute(select(Case).where(Case.number == number)).scalar_one()
        document = store_document(
            session,
            blobs=blob_store(settings),
            source=io.BytesIO(data),
            file_name=name,
            origin="child" if parent else "upload",
            uploaded_by="alice",
            case_id=None if parent else case.id,
            parent=parent,
            ingest=False,
        )
        document.status = "ingested"
        for field, value in fields.items():
            setattr(document, field, value)
        return document


def _with_phone_mention(factory: sessionmaker[Session], settings: Settings) -> tuple[str, str]:
    """Return the ids of a document and of its suggested phone mention."""
    document = _stored(factory, settings, "call-log.txt", b"call +49 30 1234567")
    with transaction(factory) as session:
        mention = DocumentMention(
            document_id=document.id,
            case_id=document.case_id,
            page_no=1,
            kind="phone",
            value="+49 30 1234567",
            normalized="+49301234567",
        )
        session.add(mention)
        session.flush()
        return document.id, mention.id


def _make_entities(factory: sessionmaker[Session], names: list[tuple[str, str]]) -> None:
    with transaction(factory) as session:
        for schema, name in names:
            create_entity(
                session,
                operator_context(),
                NUMBER,
                schema=schema,
                properties={"name": [name]},
                source=Source(SourceType.MANUAL, None),
            )


def _entity_count(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as session:
        return session.execute(select(func.count()).select_from(CaseEntity)).scalar_one()


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
            "children": 0,
        }
    ]


@pytest.mark.usefixtures("people")
def test_status_route_counts_files_read_out(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = browser_for("alice")
    uploaded = _upload(alice, "email/testEmailWithPNGAtt.eml", accept="application/json")
    [message] = uploaded.json()["documents"]  # type: ignore[attr-defined]
    _drain(factory, settings)

    statuses = alice.get(
        f"{TAB}/status", params={"ids": [message["id"]]}, headers={"accept": "application/json"}
    )

    assert [item["children"] for item in statuses.json()] == [1]


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
    assert "<dt>lat</dt><dd>12.54321°</dd>" in page.text
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


@pytest.mark.usefixtures("people")
def test_add_to_entity_starts_unchosen(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    document_id, _ = _with_phone_mention(factory, settings)
    _make_entities(factory, [("Person", "zeta Ross"), ("Company", "Alpha Ltd"), ("Person", "beta Kim")])

    page = browser_for("alice").get(f"/documents/{document_id}")
    options = page.text.split('<select name="entity_id"')[1].split("</select>")[0]

    assert '<option value="" selected>Choose an entity</option>' in options
    assert options.index("Choose an entity") < options.index("Alpha Ltd (Company)")
    assert options.index("Alpha Ltd (Company)") < options.index("beta Kim (Person)")
    assert options.index("beta Kim (Person)") < options.index("zeta Ross (Person)")
    assert "data-entity-filter" not in page.text


@pytest.mark.usefixtures("people")
def test_add_to_entity_rejects_no_choice(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    document_id, mention_id = _with_phone_mention(factory, settings)
    _make_entities(factory, [("Person", "Jane Doe")])
    alice = browser_for("alice")
    page = alice.get(f"/documents/{document_id}")
    before = _entity_count(factory)

    response = alice.post(
        f"/documents/{document_id}/mentions/{mention_id}/accept",
        data={"csrf_token": csrf_token(page.text), "entity_id": "", "target": "existing"},
        follow_redirects=False,
    )
    after = alice.get(f"/documents/{document_id}")

    assert response.status_code == 422
    assert "No entity chosen: choose the entity" in response.text
    assert _entity_count(factory) == before
    assert f'id="mention-{mention_id}" class="mention mention-suggested"' in after.text


@pytest.mark.usefixtures("people")
def test_many_entities_get_filter_box(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    document_id, _ = _with_phone_mention(factory, settings)
    _make_entities(factory, [("Person", f"Person {index:02d}") for index in range(12)])

    page = browser_for("alice").get(f"/documents/{document_id}")

    assert "data-entity-filter" in page.text
    assert 'src="/static/documents.js"' in page.text


@pytest.mark.usefixtures("people")
def test_capture_time_without_zone_stays_local(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    # The image extractor stores such a time as the same clock time marked as UTC.
    document = _stored(
        factory,
        settings,
        "camera.jpg",
        meta={"captured_at": "2009-08-11T09:09:45", "exif": {"DateTimeOriginal": "2009:08:11 09:09:45"}},
        document_date=datetime(2009, 8, 11, 9, 9, 45, tzinfo=UTC),
    )

    page = browser_for("alice").get(f"/documents/{document.id}")

    assert '<td class="document-date">2009-08-11 09:09:45 (time zone unknown)</td>' in page.text
    assert "2009-08-11 09:09 UTC" not in page.text
    assert "2009:08:11 09:09:45" in page.text


@pytest.mark.usefixtures("people")
def test_capture_time_with_offset_shows_utc(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    document = _stored(
        factory,
        settings,
        "camera.jpg",
        meta={"captured_at": "2009-08-11T09:09:45+02:00"},
        document_date=datetime(2009, 8, 11, 7, 9, 45, tzinfo=UTC),
    )

    page = browser_for("alice").get(f"/documents/{document.id}")

    assert '<td class="document-date">2009-08-11 07:09 UTC</td>' in page.text
    assert "time zone unknown" not in page.text


@pytest.mark.usefixtures("people")
def test_media_metadata_is_readable_list(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    media = {
        "duration_s": 61.5,
        "bit_rate": 128000.0,
        "streams": [
            {"type": "video", "codec": "h264", "width": 1920, "height": 1080},
            {"type": "audio", "codec": "aac", "sample_rate": "44100", "bit_rate": "96000"},
        ],
    }
    document = _stored(factory, settings, "clip.mp4", meta={"media": media})

    page = browser_for("alice").get(f"/documents/{document.id}")

    assert "{&#39;type&#39;" not in page.text
    assert "{'type'" not in page.text
    assert "<dt>stream 1 (video)</dt>" in page.text
    assert "<dt>width</dt><dd>1920 pixels</dd>" in page.text
    assert "<dt>sample rate</dt><dd>44100 Hz</dd>" in page.text
    assert "<dt>bit rate</dt><dd>96 kbit/s</dd>" in page.text
    assert "<dt>duration</dt><dd>61.5 s</dd>" in page.text


def test_meta_entries_nest_lists_of_objects() -> None:
    entries = meta_entries({"media": {"streams": [{"type": "audio", "channels": 2}], "format": ""}})

    assert entries == [
        MetaEntry(
            "media",
            children=[
                MetaEntry(
                    "streams",
                    children=[
                        MetaEntry(
                            "stream 1 (audio)",
                            children=[MetaEntry("type", "audio"), MetaEntry("channels", "2")],
                        )
                    ],
                )
            ],
        )
    ]


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("ExposureTime", 0.000625, "1/1600 s"),
        ("ExposureTime", 2.5, "2.5 s"),
        ("FocalLength", 194.0, "194 mm"),
        ("ExifImageWidth", 3888, "3888 pixels"),
        ("bit_rate", "6536", "6.536 kbit/s"),
        ("time_s", 0.0, "0 s"),
        ("minor_version", "512", "512"),
        ("codec", "h264", "h264"),
        ("attached_picture", True, "yes"),
    ],
)
def test_metadata_value_units(key: str, value: object, expected: str) -> None:
    assert with_unit(key, value) == expected


def _family(factory: sessionmaker[Session], settings: Settings) -> dict[str, Document]:
    """Store an older upload, then a zip containing a mail that contains a copy of the upload's PDF."""
    report = b"%PDF-1.4 quarterly report"
    alone = _stored(factory, settings, "report.pdf", report, created_at=datetime(2026, 1, 1, tzinfo=UTC))
    bundle = _stored(factory, settings, "bundle.zip", b"PK zip", created_at=datetime(2026, 2, 1, tzinfo=UTC))
    mail = _stored(factory, settings, "mail.eml", b"From: a@example.org", parent=bundle)
    attached = _stored(factory, settings, "report.pdf", report, parent=mail)
    return {"alone": alone, "bundle": bundle, "mail": mail, "attached": attached}


@pytest.mark.usefixtures("people")
def test_child_page_shows_breadcrumb(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    family = _family(factory, settings)

    page = browser_for("alice").get(f"/documents/{family['attached'].id}")
    crumbs = page.text.split('<p class="crumbs">')[1].split("</p>")[0]

    assert f'<a href="/documents/{family["bundle"].id}">bundle.zip</a>' in crumbs
    assert f'<a href="/documents/{family["mail"].id}">mail.eml</a>' in crumbs
    assert crumbs.index("bundle.zip") < crumbs.index("mail.eml")
    assert crumbs.endswith('<span aria-current="page">report.pdf</span>')
    assert f'inside <a href="/documents/{family["mail"].id}">mail.eml</a>, from' in page.text


@pytest.mark.usefixtures("people")
def test_upload_page_has_no_parent_crumbs(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    family = _family(factory, settings)

    page = browser_for("alice").get(f"/documents/{family['bundle'].id}")

    assert 'aria-current="page"' not in page.text
    assert 'class="muted document-parent"' not in page.text


@pytest.mark.usefixtures("people")
def test_list_shows_children_under_parent(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    family = _family(factory, settings)

    listing = browser_for("alice").get(TAB)
    order = [
        listing.text.index(f'data-document-id="{family[key].id}"')
        for key in ("bundle", "mail", "attached", "alone")
    ]
    mail_row = listing.text.split(f'data-document-id="{family["mail"].id}"')[1].split("</tr>")[0]

    assert order == sorted(order)
    assert f'inside <a href="/documents/{family["bundle"].id}">bundle.zip</a>' in mail_row
    assert 'class="document-file depth-1"' in mail_row
    assert "(4)" in listing.text


@pytest.mark.usefixtures("people")
def test_copies_are_named_in_list_and_viewer(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    family = _family(factory, settings)
    alice = browser_for("alice")

    listing = alice.get(TAB)
    alone_row = listing.text.split(f'data-document-id="{family["alone"].id}"')[1].split("</tr>")[0]
    viewer = alice.get(f"/documents/{family['attached'].id}")

    assert (
        f'same file as: <a href="/documents/{family["attached"].id}">report.pdf</a> (inside mail.eml)'
        in alone_row
    )
    assert f'Same file as: <a href="/documents/{family["alone"].id}">report.pdf</a></p>' in viewer.text


@pytest.mark.usefixtures("people")
def test_copy_in_other_case_not_named(
    browser_for: BrowserFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    make_case(factory, "alice", title="Other case", number="2026-0143")
    alone = _stored(factory, settings, "report.pdf", b"%PDF-1.4 shared")
    _stored(factory, settings, "copy.pdf", b"%PDF-1.4 shared", number="2026-0143")

    listing = browser_for("alice").get(TAB)
    viewer = browser_for("alice").get(f"/documents/{alone.id}")

    assert "same file as" not in listing.text
    assert "Same file as" not in viewer.text
