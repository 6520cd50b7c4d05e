"""Builders shared by the evidence API tests. This module contains no tests.

The case 2026-0142 is led by alice (Unit A). carol is an analyst on it and dave a viewer, both in
Unit A. bob is an investigator in Unit B who may not see the case.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from casetrail.audit.models import AuditRecord
from casetrail.auth.context import operator_context
from casetrail.auth.models import User
from casetrail.blobs.keys import ensure_master_key
from casetrail.blobs.store import object_key
from casetrail.cases.members import add_member
from casetrail.cases.models import Case
from casetrail.core.settings import Settings
from casetrail.db.engine import transaction
from casetrail.http.deps import CSRF_HEADER
from tests.api.conftest import LOGIN, ClientFactory
from tests.factories import PASSWORD, make_case, make_user

CASE_NUMBER = "2026-0142"
EVIDENCE = f"/api/v1/cases/{CASE_NUMBER}/evidence"
SEIZED_AT = "2026-03-14T06:30:00+00:00"
MIB = 1024 * 1024


def pattern(size: int, seed: bytes = b"evidence") -> bytes:
    """Return ``size`` bytes that differ from chunk to chunk, so a changed chunk is detectable."""
    block = b"".join(hashlib.sha256(seed + i.to_bytes(4, "big")).digest() for i in range(2048))
    repeats = size // len(block) + 1
    return (block * repeats)[:size]


def flip_byte(path: Path, offset: int) -> None:
    """Change one bit of the byte at ``offset`` (negative counts from the end) of a stored file."""
    with path.open("r+b") as handle:
        handle.seek(offset, 0 if offset >= 0 else 2)
        value = handle.read(1)
        handle.seek(-1, 1)
        handle.write(bytes([value[0] ^ 0x01]))


@dataclass
class EvidenceCase:
    app: FastAPI
    factory: sessionmaker[Session]
    settings: Settings
    case: Case
    users: dict[str, User]
    login: ClientFactory
    clients: dict[str, TestClient] = field(default_factory=dict)

    def client(self, username: str) -> TestClient:
        """Return a logged-in client of ``username``, one per user."""
        if username not in self.clients:
            self.clients[username] = self.login(username)
        return self.clients[username]

    def lenient_client(self, username: str) -> TestClient:
        """Return a logged-in client that returns what the server sent even when the app raised."""
        client = TestClient(self.app, raise_server_exceptions=False)
        response = client.post(LOGIN, json={"username": username, "password": PASSWORD})
        assert response.status_code == 200, response.text
        client.headers[CSRF_HEADER] = response.json()["csrf_token"]
        return client

    def register(self, username: str = "alice", **fields: Any) -> dict[str, Any]:
        body = {
            "description": "Black smartphone, cracked screen",
            "category": "device",
            "obtained_at": SEIZED_AT,
            "obtained_method": "search warrant",
            "obtained_place": "12 Elm St, kitchen",
            "seal_number": "S-1001",
            **fields,
        }
        response = self.client(username).post(EVIDENCE, json=body)
        assert response.status_code == 201, response.text
        item: dict[str, Any] = response.json()
        return item

    def put_file(
        self, item_number: str, data: bytes, file_name: str = "image.bin", username: str = "alice"
    ) -> dict[str, Any]:
        response = self.client(username).put(
            f"{EVIDENCE}/{item_number}/files/{file_name}",
            content=data,
            headers={"Content-Type": "application/octet-stream"},
        )
        assert response.status_code == 201, response.text
        stored: dict[str, Any] = response.json()
        return stored

    def audit(self, action: str, actor: str | None = None) -> list[AuditRecord]:
        query = select(AuditRecord).where(AuditRecord.action == action)
        if actor is not None:
            query = query.where(AuditRecord.actor_id == self.users[actor].id)
        with transaction(self.factory) as session:
            return list(session.execute(query.order_by(AuditRecord.seq)).scalars())

    def blob_path(self, sha256: str) -> Path:
        return self.settings.data_dir / "blobs" / object_key(sha256)


def build_evidence_case(
    app: FastAPI, factory: sessionmaker[Session], settings: Settings, client_for: ClientFactory
) -> EvidenceCase:
    ensure_master_key(settings)
    users = {
        "alice": make_user(factory, "alice", unit="Unit A"),
        "carol": make_user(factory, "carol", role="analyst", unit="Unit A"),
        "dave": make_user(factory, "dave", role="analyst", unit="Unit A"),
        "bob": make_user(factory, "bob", unit="Unit B"),
    }
    case = make_case(factory, "alice", title="House on Elm St", number=CASE_NUMBER)
    with transaction(factory) as session:
        add_member(session, operator_context(), CASE_NUMBER, username="carol", role="analyst")
        add_member(session, operator_context(), CASE_NUMBER, username="dave", role="viewer")
    return EvidenceCase(app, factory, settings, case, users, client_for)
