"""A real PST mailbox through the worker: messages, then their attachments, become documents."""

from __future__ import annotations

from sqlalchemy import select

from casetrail.db.engine import transaction
from casetrail.documents.models import Document, DocumentPage
from tests.documents.conftest import World, reload, run_worker, store_file


def _family(world: World, root_id: str) -> list[Document]:
    with transaction(world.factory) as session:
        return list(session.execute(select(Document).where(Document.root_id == root_id)).scalars())


def _text(world: World, document_id: str) -> str:
    with transaction(world.factory) as session:
        pages = session.execute(select(DocumentPage.text).where(DocumentPage.document_id == document_id))
        return "\n".join(pages.scalars())


def test_mailbox_unpacks_into_messages_and_attachments(world: World) -> None:
    mailbox = store_file(world, "email/enron.pst")

    run_worker(world)

    family = _family(world, mailbox.id)
    messages = [doc for doc in family if doc.parent_id == mailbox.id]
    assert reload(world, mailbox.id).status == "ingested"
    assert len(messages) == 71
    # The one failure is an OLE placeholder of an embedded picture (streams \x01Ole,
    # \x02OlePres000, \x03MailStream), which contains no text, so it stays stored with its reason.
    failed = {doc.file_name: doc.failure_reason or "" for doc in family if doc.status != "ingested"}
    assert list(failed) == ["#1.dat"]
    assert failed["#1.dat"].startswith("no extractor for application/x-ole-storage")

    spreadsheet_mail = next(doc for doc in messages if doc.file_name.endswith("/Possible Spreadsheet.eml"))
    attachments = [doc for doc in family if doc.parent_id == spreadsheet_mail.id]
    assert [doc.file_name for doc in attachments] == ["Michelle.xls"]
    assert attachments[0].media_type == "application/vnd.ms-excel"
    assert _text(world, attachments[0].id).strip()

    # An INI-style link attachment, which libmagic names a Wine file, is read as text.
    shortcut = next(doc for doc in family if doc.file_name.startswith("eBay item 576466888"))
    assert shortcut.media_type == "text/plain"
    assert "BASEURL=http://cgi.ebay.com/" in _text(world, shortcut.id)
