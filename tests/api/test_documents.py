"""Documents through the API: upload at once with 202, ingestion by a worker, pages, mentions."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import operator_context
from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.cases.members import add_member
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.documents import tasks
from casetrail.jobs.worker import Worker
from tests.api.conftest import ClientFactory
from tests.factories import make_case, make_user

DATA = Path(__file__).resolve().parent.parent / "data" / "documents"
NUMBER = "2026-0142"
DOCUMENTS = f"/api/v1/cases/{NUMBER}/documents"


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
    Worker(
        settings=settings,
        sessions=factory,
        blobs=blob_store(settings),
        handlers=tasks.HANDLERS,
        periodic=tasks.PERIODIC,
    ).run(once=True)


def _files(*names: str) -> list[tuple[str, tuple[str, bytes, str]]]:
    return [
        ("files", (Path(name).name, (DATA / name).read_bytes(), "application/octet-stream")) for name in names
    ]


@pytest.mark.usefixtures("people")
def test_upload_answers_202_with_queued_ids(client_for: ClientFactory) -> None:
    alice = client_for("alice")

    response = alice.post(DOCUMENTS, files=_files("pdf/testPDF.pdf", "csv/testCSV.csv"))

    assert response.status_code == 202, response.text
    documents = response.json()["documents"]
    assert [d["file_name"] for d in documents] == ["testPDF.pdf", "testCSV.csv"]
    assert {d["status"] for d in documents} == {"queued"}


@pytest.mark.usefixtures("people")
def test_upload_ingest_and_read_pages(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = client_for("alice")
    [document] = alice.post(DOCUMENTS, files=_files("pdf/testPDF.pdf")).json()["documents"]

    _drain(factory, settings)

    detail = alice.get(f"/api/v1/documents/{document['id']}").json()
    page = alice.get(f"/api/v1/documents/{document['id']}/pages/1").json()
    image = alice.get(f"/api/v1/documents/{document['id']}/pages/1/image")
    assert detail["document"]["status"] == "ingested"
    assert detail["document"]["media_type"] == "application/pdf"
    assert detail["pages"][0]["has_image"] is True
    assert "Content Analysis Toolkit" in page["text"]
    assert image.headers["content-type"] == "image/png"
    assert image.content.startswith(b"\x89PNG")


@pytest.mark.usefixtures("people")
def test_status_list_and_ingestion_routes(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = client_for("alice")
    [document] = alice.post(DOCUMENTS, files=_files("malformed/testWORD_truncated.docx")).json()["documents"]
    _drain(factory, settings)

    statuses = alice.get(f"{DOCUMENTS}/status", params={"ids": [document["id"]]}).json()
    listed = alice.get(DOCUMENTS, params={"status": "failed"}).json()
    ingestion = alice.get(f"/api/v1/documents/{document['id']}/ingestion").json()

    assert statuses[0]["status"] == "failed"
    assert statuses[0]["failure_reason"]
    assert [item["id"] for item in listed["items"]] == [document["id"]]
    assert ingestion["job"]["status"] == "done"
    assert ingestion["attempts"] == 1


@pytest.mark.usefixtures("people")
def test_retry_failed_document(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = client_for("alice")
    [document] = alice.post(DOCUMENTS, files=_files("malformed/testWORD_truncated.docx")).json()["documents"]
    _drain(factory, settings)

    retried = alice.post(f"/api/v1/documents/{document['id']}/retry")
    again = alice.post(f"/api/v1/documents/{document['id']}/retry")

    assert retried.status_code == 202
    assert retried.json()["status"] == "queued"
    assert again.status_code == 409


@pytest.mark.usefixtures("people")
def test_original_download_streams_bytes(client_for: ClientFactory) -> None:
    alice = client_for("alice")
    [document] = alice.post(DOCUMENTS, files=_files("csv/testCSV.csv")).json()["documents"]

    response = alice.get(f"/api/v1/documents/{document['id']}/original")

    assert response.status_code == 200
    assert response.content == (DATA / "csv/testCSV.csv").read_bytes()
    assert response.headers["content-disposition"] == 'attachment; filename="testCSV.csv"'
    assert "sandbox" in response.headers["content-security-policy"]


@pytest.mark.usefixtures("people")
def test_mention_accept_through_api(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = client_for("alice")
    [document] = alice.post(DOCUMENTS, files=_files("pdf/testPDF.pdf")).json()["documents"]
    _drain(factory, settings)
    urls = alice.get(f"/api/v1/documents/{document['id']}/mentions", params={"kind": "url"}).json()

    accepted = alice.post(f"/api/v1/documents/{document['id']}/mentions/{urls[0]['id']}/accept")
    entity = alice.get(f"/api/v1/cases/{NUMBER}/entities/{accepted.json()['entity_id']}")

    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["mention"]["status"] == "accepted"
    assert entity.status_code == 200
    assert urls[0]["normalized"] in entity.json()["entity"]["properties"]["website"]


@pytest.mark.usefixtures("people")
def test_viewer_cannot_upload(client_for: ClientFactory) -> None:
    response = client_for("dave").post(DOCUMENTS, files=_files("csv/testCSV.csv"))

    assert response.status_code == 403


@pytest.mark.usefixtures("people")
def test_outsider_gets_not_found(client_for: ClientFactory) -> None:
    alice = client_for("alice")
    [document] = alice.post(DOCUMENTS, files=_files("csv/testCSV.csv")).json()["documents"]

    bob = client_for("bob")

    assert bob.get(f"/api/v1/documents/{document['id']}").status_code == 404
    assert bob.get(DOCUMENTS).status_code == 404


@pytest.mark.usefixtures("people")
def test_hidden_document_reads_like_a_missing_one(client_for: ClientFactory) -> None:
    alice = client_for("alice")
    [document] = alice.post(DOCUMENTS, files=_files("csv/testCSV.csv")).json()["documents"]
    missing_id = "0" * 8 + document["id"][8:]

    bob = client_for("bob")
    hidden = bob.get(f"/api/v1/documents/{document['id']}").json()["error"]["message"]
    missing = bob.get(f"/api/v1/documents/{missing_id}").json()["error"]["message"]

    assert hidden == missing.replace(missing_id, document["id"])


@pytest.mark.usefixtures("people")
def test_upload_without_files_names_field(client_for: ClientFactory) -> None:
    response = client_for("alice").post(DOCUMENTS, data={"other": "x"})

    assert response.status_code == 422
    assert "files" in response.text


@pytest.mark.usefixtures("people")
def test_bad_status_filter_names_field(client_for: ClientFactory) -> None:
    response = client_for("alice").get(DOCUMENTS, params={"status": "done"})

    assert response.status_code == 422
    assert response.json()["error"]["fields"] == {"status": "one of queued, processing, ingested, failed"}


@pytest.mark.usefixtures("people")
def test_labels_round_trip(client_for: ClientFactory) -> None:
    alice = client_for("alice")
    [document] = alice.post(DOCUMENTS, files=_files("csv/testCSV.csv")).json()["documents"]

    response = alice.put(
        f"/api/v1/documents/{document['id']}/labels",
        json={"labels": ["Privileged"], "expected_version": document["version"]},
    )
    stale = alice.put(
        f"/api/v1/documents/{document['id']}/labels",
        json={"labels": ["other"], "expected_version": document["version"]},
    )

    assert response.json()["labels"] == ["privileged"]
    assert stale.status_code == 409


@pytest.mark.usefixtures("people")
def test_capture_time_without_zone_is_local(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = client_for("alice")
    [document] = alice.post(DOCUMENTS, files=_files("images/testJPEG_EXIF.jpg")).json()["documents"]
    _drain(factory, settings)

    detail = alice.get(f"/api/v1/documents/{document['id']}").json()["document"]

    assert detail["local_capture_time"] == "2009-08-11T09:09:45"
    assert detail["meta"]["captured_at"] == "2009-08-11T09:09:45"


@pytest.mark.usefixtures("people")
def test_document_without_capture_time_has_no_local_time(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = client_for("alice")
    [document] = alice.post(DOCUMENTS, files=_files("csv/testCSV.csv")).json()["documents"]
    _drain(factory, settings)

    detail = alice.get(f"/api/v1/documents/{document['id']}").json()["document"]

    assert detail["local_capture_time"] is None


@pytest.mark.usefixtures("people")
def test_detail_names_ancestors_and_copies(
    client_for: ClientFactory, factory: sessionmaker[Session], settings: Settings
) -> None:
    alice = client_for("alice")
    [alone] = alice.post(DOCUMENTS, files=_files("pdf/testPDF.pdf")).json()["documents"]
    [bundle] = alice.post(DOCUMENTS, files=_files("archives/test-documents.zip")).json()["documents"]
    _drain(factory, settings)
    children = alice.get(f"/api/v1/documents/{bundle['id']}").json()["children"]
    [member] = [child for child in children if child["sha256"] == alone["sha256"]]

    detail = alice.get(f"/api/v1/documents/{member['id']}").json()
    upload = alice.get(f"/api/v1/documents/{alone['id']}").json()

    assert [ancestor["id"] for ancestor in detail["ancestors"]] == [bundle["id"]]
    assert [copy["id"] for copy in detail["same_file"]] == [alone["id"]]
    assert [copy["id"] for copy in upload["same_file"]] == [member["id"]]
    assert upload["ancestors"] == []
