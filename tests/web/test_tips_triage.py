"""The staff pages of leads: the queue with overdue and groups, a lead, triage and a case from it."""

from __future__ import annotations

import io
import re

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import anonymous_context
from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.documents.models import Document
from casetrail.leads import intake
from casetrail.leads.fields import LeadContact, LeadFacts
from casetrail.leads.intake import Attachment
from casetrail.leads.models import Lead
from tests.factories import make_user
from tests.web.conftest import BrowserFactory
from tests.web.html import post_form

TEXT = "People come and go at night at the house on Elm Street, a blue van parks there every evening."


@pytest.fixture
def tips(factory: sessionmaker[Session], settings: Settings) -> list[str]:
    ensure_master_key(settings)
    make_user(factory, "clerk", role="intake", unit="Unit A")
    make_user(factory, "rivera", role="investigator", unit="Unit A")
    references = []
    for body in (TEXT, TEXT + " Again."):
        with transaction(factory) as session:
            receipt = intake.submit_tip(
                session,
                anonymous_context(None, None),
                settings,
                blob_store(settings),
                facts=LeadFacts(body=body, location="Elm Street"),
                contact=LeadContact(),
                attachments=[Attachment("photo.jpg", "image/jpeg", io.BytesIO(b"\xff\xd8\xff photo"), 10)],
            )
            references.append(receipt.lead.reference)
    return references


def test_queue_shows_group(browser_for: BrowserFactory, tips: list[str]) -> None:
    page = browser_for("clerk").get("/leads")
    assert page.status_code == 200
    assert tips[0] in page.text
    assert "2 similar" in page.text


def test_lead_page_shows_similar_lead(browser_for: BrowserFactory, tips: list[str]) -> None:
    page = browser_for("clerk").get(f"/leads/{tips[1]}")
    assert page.status_code == 200
    assert tips[0] in page.text
    assert "same place, text" in page.text


def test_assign_then_open_case(
    browser_for: BrowserFactory, tips: list[str], factory: sessionmaker[Session]
) -> None:
    clerk = browser_for("clerk")
    assigned = post_form(clerk, f"/leads/{tips[0]}", f"/leads/{tips[0]}/assign", {"username": "rivera"})
    assert assigned.status_code == 303
    rivera = browser_for("rivera")
    opened = post_form(
        rivera,
        f"/leads/{tips[0]}",
        f"/leads/{tips[0]}/case",
        {"title": "Elm Street", "sensitivity": "restricted"},
    )
    assert opened.status_code == 303, opened.text
    assert opened.headers["location"].startswith("/cases/")
    with transaction(factory) as session:
        lead = session.execute(select(Lead).where(Lead.reference == tips[0])).scalar_one()
        copies = list(session.execute(select(Document).where(Document.case_id == lead.case_id)).scalars())
    assert len(copies) == 1


def test_other_unit_sees_no_lead(
    browser_for: BrowserFactory, tips: list[str], factory: sessionmaker[Session]
) -> None:
    make_user(factory, "okafor", role="investigator", unit="Unit B")
    response = browser_for("okafor").get(f"/leads/{tips[0]}")
    assert response.status_code == 404


def test_record_internal_lead(browser_for: BrowserFactory, tips: list[str]) -> None:
    rivera = browser_for("rivera")
    response = post_form(
        rivera,
        "/leads/new",
        "/leads",
        {
            "channel": "phone",
            "title": "Caller about a car",
            "body": "A car parked for days.",
            "priority": "high",
        },
    )
    assert response.status_code == 303, response.text
    reference = response.headers["location"].rsplit("/", 1)[1]
    page = rivera.get(f"/leads/{reference}")
    assert "Caller about a car" in page.text


def test_attachment_downloads_for_triage(
    browser_for: BrowserFactory, tips: list[str], factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as session:
        lead = session.execute(select(Lead).where(Lead.reference == tips[0])).scalar_one()
        document_id = session.execute(select(Document.id).where(Document.lead_id == lead.id)).scalar_one()
    clerk = browser_for("clerk")
    page = clerk.get(f"/leads/{tips[0]}")
    assert f"/leads/{tips[0]}/attachments/{document_id}" in page.text
    response = clerk.get(f"/leads/{tips[0]}/attachments/{document_id}")
    assert response.status_code == 200
    assert response.content == b"\xff\xd8\xff photo"
    assert response.headers["content-disposition"].startswith("attachment;")


def test_attachment_hidden_from_other_unit(
    browser_for: BrowserFactory, tips: list[str], factory: sessionmaker[Session]
) -> None:
    make_user(factory, "okafor", role="investigator", unit="Unit B")
    with transaction(factory) as session:
        document_id = session.execute(select(Document.id)).scalars().first()
    response = browser_for("okafor").get(f"/leads/{tips[0]}/attachments/{document_id}")
    assert response.status_code == 404


def test_assignee_opens_attachment_from_lead_page(
    browser_for: BrowserFactory, tips: list[str], factory: sessionmaker[Session]
) -> None:
    clerk = browser_for("clerk")
    post_form(clerk, f"/leads/{tips[0]}", f"/leads/{tips[0]}/assign", {"username": "rivera"})
    rivera = browser_for("rivera")
    page = rivera.get(f"/leads/{tips[0]}")
    link = re.search(r'<a href="(/leads/[^"]+/attachments/[^"]+)">photo\.jpg</a>', page.text)
    assert link is not None
    response = rivera.get(link.group(1))
    assert response.status_code == 200
    assert response.content == b"\xff\xd8\xff photo"


def test_hidden_attachment_reads_as_missing(
    browser_for: BrowserFactory, tips: list[str], factory: sessionmaker[Session]
) -> None:
    make_user(factory, "okafor", role="investigator", unit="Unit B")
    with transaction(factory) as session:
        document_id = session.execute(select(Document.id)).scalars().first()
    okafor = browser_for("okafor")
    hidden = okafor.get(f"/leads/{tips[0]}/attachments/{document_id}")
    missing = okafor.get(f"/leads/{tips[0]}/attachments/00000000-0000-0000-0000-000000000000")
    assert hidden.status_code == missing.status_code
    assert hidden.text == missing.text
