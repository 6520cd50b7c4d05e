"""Forms of the case page: CSRF, notes with conflict detection, status, members and tasks."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.models import User
from casetrail.cases import members as member_service
from casetrail.cases import notes as note_service
from casetrail.cases import service as case_service
from casetrail.cases import tasks as task_service
from casetrail.db.engine import transaction
from tests.factories import context_for, make_case, make_user
from tests.web.conftest import BrowserFactory
from tests.web.html import csrf_token, hidden_value, post_form


def _note_count(factory: sessionmaker[Session], user: User, number: str) -> int:
    with transaction(factory) as session:
        return len(note_service.list_notes(session, context_for(user), number))


def test_post_without_csrf_token_is_rejected(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")

    missing = client.post(
        f"/cases/{case.number}/notes", data={"body": "Seen at the port."}, follow_redirects=False
    )
    forged = client.post(
        f"/cases/{case.number}/notes",
        data={"body": "Seen at the port.", "csrf_token": "forged"},
        follow_redirects=False,
    )

    assert missing.status_code == 403
    assert "CSRF" in missing.text
    assert forged.status_code == 403
    assert _note_count(factory, alice, case.number) == 0


def test_add_note_through_form(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")

    response = post_form(
        client, f"/cases/{case.number}", f"/cases/{case.number}/notes", {"body": "Seen at the port."}
    )

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "Seen at the port." in page.text
    assert "Note added." in page.text
    assert _note_count(factory, alice, case.number) == 1


def test_concurrent_note_edit_shows_conflict(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    with transaction(factory) as session:
        note = note_service.add_note(session, context_for(alice), case.number, "Car seen at 22:00.")
    client = browser_for("alice")
    edit_url = f"/cases/{case.number}/notes/{note.id}/edit"
    form = client.get(edit_url)
    assert hidden_value(form.text, "expected_version") == "1"

    with transaction(factory) as session:
        note_service.update_note(
            session, context_for(alice), case.number, note.id, body="Car seen at 23:00.", expected_version=1
        )
    response = client.post(
        f"/cases/{case.number}/notes/{note.id}",
        data={"body": "Car seen at 22:15.", "expected_version": "1", "csrf_token": csrf_token(form.text)},
        follow_redirects=False,
    )

    assert response.status_code == 409
    assert "Someone else changed this note" in response.text
    assert "Car seen at 23:00." in response.text
    assert "Car seen at 22:15." in response.text
    assert hidden_value(response.text, "expected_version") == "2"
    with transaction(factory) as session:
        stored = note_service.get_note(session, context_for(alice), case.number, note.id)
        assert stored.body == "Car seen at 23:00."


def test_note_edit_saves_new_text(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    with transaction(factory) as session:
        note = note_service.add_note(session, context_for(alice), case.number, "Car seen at 22:00.")
    client = browser_for("alice")
    edit_url = f"/cases/{case.number}/notes/{note.id}/edit"

    response = post_form(
        client,
        edit_url,
        f"/cases/{case.number}/notes/{note.id}",
        {"body": "Car seen at 22:05.", "expected_version": "1"},
    )

    assert response.status_code == 303
    with transaction(factory) as session:
        stored = note_service.get_note(session, context_for(alice), case.number, note.id)
        assert stored.body == "Car seen at 22:05."
        assert stored.version == 2


def test_status_change_requires_reason(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    url = f"/cases/{case.number}"

    response = post_form(
        client, url, f"{url}/status", {"to_status": "active", "reason": " ", "expected_version": "1"}
    )

    assert response.status_code == 422
    assert "A reason is required for a status change." in response.text
    with transaction(factory) as session:
        assert case_service.get_case(session, context_for(alice), case.number).case.status == "open"


def test_status_change_with_reason(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    url = f"/cases/{case.number}"

    response = post_form(
        client,
        url,
        f"{url}/status",
        {"to_status": "active", "reason": "Warrant granted", "expected_version": "1"},
    )

    assert response.status_code == 303
    page = client.get(url)
    assert "Warrant granted" in page.text
    assert "Status changed to active." in page.text
    with transaction(factory) as session:
        assert case_service.get_case(session, context_for(alice), case.number).case.status == "active"


def test_status_form_offers_allowed_transitions(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")

    page = client.get(f"/cases/{case.number}")

    assert '<option value="active">active</option>' in page.text
    assert '<option value="archived">' not in page.text


def test_invalid_transition_shows_conflict(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    url = f"/cases/{case.number}"

    response = post_form(
        client, url, f"{url}/status", {"to_status": "archived", "reason": "Done", "expected_version": "1"}
    )

    assert response.status_code == 409
    assert "cannot move from open to archived" in response.text
    assert "Back to the form" in response.text


def test_add_and_remove_member(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    make_user(factory, "carol")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    url = f"/cases/{case.number}"

    added = post_form(client, url, f"{url}/members", {"username": "carol", "role": "analyst"})
    page = client.get(url)
    removed = post_form(client, url, f"{url}/members/carol/remove", {})
    after = client.get(url)

    assert added.status_code == 303
    assert "carol is now analyst of the case." in page.text
    assert removed.status_code == 303
    assert f"{url}/members/carol/remove" not in after.text


def test_add_task_and_change_status(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    url = f"/cases/{case.number}"

    created = post_form(
        client,
        url,
        f"{url}/tasks",
        {"title": "Request phone records", "assignee": "alice", "due_date": "2026-05-01"},
    )
    with transaction(factory) as session:
        task = task_service.list_tasks(session, context_for(alice), case.number)[0]
    changed = post_form(client, url, f"{url}/tasks/{task.id}", {"status": "done", "expected_version": "1"})

    assert created.status_code == 303
    assert changed.status_code == 303
    page = client.get(url)
    assert "Request phone records" in page.text
    assert "due 2026-05-01" in page.text
    with transaction(factory) as session:
        stored = task_service.list_tasks(session, context_for(alice), case.number)[0]
        assert stored.status == "done"
        assert stored.assignee_id == alice.id


def test_invalid_due_date_is_named(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    url = f"/cases/{case.number}"

    response = post_form(client, url, f"{url}/tasks", {"title": "Call back", "due_date": "next week"})

    assert response.status_code == 422
    assert "invalid date" in response.text.lower()
    assert "due date" in response.text


def test_edit_case_details(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    url = f"/cases/{case.number}"

    response = post_form(
        client,
        url,
        f"{url}/details",
        {
            "title": "Zala holdings",
            "summary": "Shell companies.",
            "offence_category": "fraud",
            "sensitivity": "secret",
            "expected_version": "1",
        },
    )

    assert response.status_code == 303
    page = client.get(url)
    assert "Zala holdings" in page.text
    assert "SECRET" in page.text


def test_viewer_sees_no_forms(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    alice = make_user(factory, "alice")
    make_user(factory, "vera")
    case = make_case(factory, "alice", number="2026-0142")
    with transaction(factory) as session:
        member_service.add_member(session, context_for(alice), case.number, username="vera", role="viewer")
    client = browser_for("vera")

    page = client.get(f"/cases/{case.number}")

    assert page.status_code == 200
    assert 'id="new-note"' not in page.text
    assert 'id="status-form"' not in page.text
    assert 'id="import"' not in page.text
