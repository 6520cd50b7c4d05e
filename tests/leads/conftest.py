"""Lead fixtures: units A and B, triage staff, investigators, and a local blob store.

Every test runs on SQLite and on PostgreSQL through ``factory`` and ``settings``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import pytest
from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.context import RequestContext, anonymous_context
from casetrail.auth.models import User
from casetrail.blobs.factory import blob_store
from casetrail.blobs.keys import ensure_master_key
from casetrail.blobs.store import BlobStore
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.leads import intake
from casetrail.leads.fields import LeadContact, LeadFacts
from casetrail.leads.intake import Attachment, TipReceipt
from tests.factories import context_for, make_user


@dataclass
class LeadWorld:
    factory: sessionmaker[Session]
    settings: Settings
    store: BlobStore
    clerk: User  # intake, Unit A
    supervisor: User  # supervisor, Unit A
    rivera: User  # investigator, Unit A
    okafor: User  # investigator, Unit B
    admin: User

    def ctx(self, user: User) -> RequestContext:
        return context_for(user)

    def public(self) -> RequestContext:
        return anonymous_context("198.51.100.7", "tip-request")

    def submit(
        self,
        body: str,
        *,
        files: dict[str, bytes] | None = None,
        contact: LeadContact | None = None,
        location: str = "",
        names: list[str] | None = None,
        plates: list[str] | None = None,
    ) -> TipReceipt:
        attachments = [
            Attachment(file_name=name, media_type="text/plain", stream=io.BytesIO(data), size=len(data))
            for name, data in (files or {}).items()
        ]
        with transaction(self.factory) as session:
            return intake.submit_tip(
                session,
                self.public(),
                self.settings,
                self.store,
                facts=LeadFacts(
                    body=body, location=location, subject_names=names or [], vehicle_plates=plates or []
                ),
                contact=contact or LeadContact(),
                attachments=attachments,
            )


@pytest.fixture
def store(settings: Settings) -> BlobStore:
    ensure_master_key(settings)
    return blob_store(settings)


@pytest.fixture
def world(factory: sessionmaker[Session], settings: Settings, store: BlobStore) -> LeadWorld:
    return LeadWorld(
        factory=factory,
        settings=settings,
        store=store,
        clerk=make_user(factory, "clerk", role="intake", unit="Unit A", clearance="confidential"),
        supervisor=make_user(factory, "mensah", role="supervisor", unit="Unit A"),
        rivera=make_user(factory, "rivera", role="investigator", unit="Unit A"),
        okafor=make_user(factory, "okafor", role="investigator", unit="Unit B"),
        admin=make_user(factory, "admin", role="administrator", unit=None),
    )
