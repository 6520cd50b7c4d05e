"""The members of test-documents.zip, Office 97-2003 files among them, through the real worker."""

from __future__ import annotations

from sqlalchemy import select

from casetrail.db.engine import transaction
from casetrail.documents.models import Document
from tests.documents.conftest import World, reload, run_worker, store_file


def _children_by_name(world: World, parent_id: str) -> dict[str, Document]:
    with transaction(world.factory) as session:
        rows = session.execute(select(Document).where(Document.parent_id == parent_id)).scalars()
        return {row.file_name: row for row in rows}


def test_zip_members_all_ingested(world: World) -> None:
    archive = store_file(world, "archives/test-documents.zip")

    run_worker(world)

    children = _children_by_name(world, archive.id)
    assert reload(world, archive.id).status == "ingested"
    assert len(children) == 9
    failed = {name: row.failure_reason for name, row in children.items() if row.status != "ingested"}
    assert failed == {}


def test_zip_legacy_office_media_types(world: World) -> None:
    archive = store_file(world, "archives/test-documents.zip")

    run_worker(world)

    children = _children_by_name(world, archive.id)
    assert children["testWORD.doc"].media_type == "application/msword"
    assert children["testEXCEL.xls"].media_type == "application/vnd.ms-excel"
    assert children["testPPT.ppt"].media_type == "application/vnd.ms-powerpoint"


def test_zip_legacy_office_titles(world: World) -> None:
    archive = store_file(world, "archives/test-documents.zip")

    run_worker(world)

    children = _children_by_name(world, archive.id)
    assert children["testWORD.doc"].title == "Sample Word Document"
    assert children["testEXCEL.xls"].title == "Simple Excel document"
    assert children["testPPT.ppt"].title == "Sample Powerpoint Slide"
