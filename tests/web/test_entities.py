"""Entity pages: facts with provenance, relationships, adding and retracting facts, merges, import."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from casetrail.auth.models import User
from casetrail.cases import notes as note_service
from casetrail.db.engine import transaction
from casetrail.entities import merge as merge_service
from casetrail.entities import service as entity_service
from casetrail.entities.service import EntityView
from casetrail.entities.statements import Source, SourceType
from tests.conftest import DATA_DIR
from tests.factories import context_for, make_case, make_user
from tests.web.conftest import BrowserFactory
from tests.web.html import csrf_token, hidden_value, post_form

ZALA_FILE = DATA_DIR / "ftm_opensanctions_zala_slice.ftm.json"


def _person(factory: sessionmaker[Session], user: User, number: str, name: str, source: Source) -> EntityView:
    with transaction(factory) as session:
        return entity_service.create_entity(
            session, context_for(user), number, schema="Person", properties={"name": [name]}, source=source
        )


def test_entity_page_shows_provenance(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    with transaction(factory) as session:
        note = note_service.add_note(
            session, context_for(alice), case.number, "Interview with the harbour master."
        )
    person = _person(factory, alice, case.number, "Ivan Petrov", Source(SourceType.MANUAL))
    with transaction(factory) as session:
        entity_service.add_statements(
            session,
            context_for(alice),
            case.number,
            person.record.entity_id,
            properties={"nationality": ["ru"]},
            source=Source(SourceType.NOTE, note.id),
            expected_version=person.record.version,
        )
    client = browser_for("alice")

    page = client.get(f"/cases/{case.number}/entities/{person.record.entity_id}")

    assert page.status_code == 200
    assert "Ivan Petrov" in page.text
    assert "source: typed in by hand" in page.text
    assert f'href="/cases/{case.number}#note-{note.id}"' in page.text
    assert "recorded by alice" in page.text
    assert " UTC" in page.text
    assert 'class="sensitivity sensitivity-restricted"' in page.text


def test_entity_page_shows_import_source_and_relationships(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    page = client.get(f"/cases/{case.number}")
    with ZALA_FILE.open("rb") as stream:
        imported = client.post(
            f"/cases/{case.number}/imports",
            data={"csrf_token": csrf_token(page.text), "skip_invalid_values": "true"},
            files={"file": (ZALA_FILE.name, stream, "application/json")},
            follow_redirects=False,
        )
    assert imported.status_code == 303
    after = client.get(imported.headers["location"])
    assert "Imported 91 entities" in after.text

    company = client.get(f"/cases/{case.number}?schema=Company&q=zala")
    link = company.text.split(f'href="/cases/{case.number}/entities/', 1)[1].split('"', 1)[0]
    entity = client.get(f"/cases/{case.number}/entities/{link}")

    assert entity.status_code == 200
    assert "source: import" in entity.text
    assert 'id="relationships"' in entity.text
    assert "No entity of this case refers to this one." not in entity.text


def test_import_of_invalid_file_names_line(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    page = client.get(f"/cases/{case.number}")

    response = client.post(
        f"/cases/{case.number}/imports",
        data={"csrf_token": csrf_token(page.text)},
        files={"file": ("broken.ftm.json", b'{"id": "a", "schema": "Person", "properties": {}}\nnot json\n')},
        follow_redirects=False,
    )

    assert response.status_code == 422
    assert "line 2" in response.text.lower()


def test_create_entity_in_two_steps(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")
    form_url = f"/cases/{case.number}/new-entity?schema=Vehicle"
    form = client.get(form_url)
    assert form.status_code == 200
    assert '<option value="registrationNumber">' in form.text

    response = client.post(
        f"/cases/{case.number}/entities",
        data={
            "csrf_token": csrf_token(form.text),
            "schema": "Vehicle",
            "prop": ["registrationNumber", "model", ""],
            "value": ["B-XY 123", "Golf", ""],
            "source": "manual",
        },
        follow_redirects=False,
    )

    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert "B-XY 123" in page.text
    assert "Golf" in page.text


def test_new_entity_rejects_unknown_schema(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    client = browser_for("alice")

    response = client.get(f"/cases/{case.number}/new-entity?schema=Spaceship")

    assert response.status_code == 422
    assert "unknown schema" in response.text.lower()


def test_add_facts_and_retract_one(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    person = _person(factory, alice, case.number, "Ivan Petrov", Source(SourceType.MANUAL))
    client = browser_for("alice")
    url = f"/cases/{case.number}/entities/{person.record.entity_id}"
    page = client.get(url)

    added = client.post(
        f"{url}/facts",
        data={
            "csrf_token": csrf_token(page.text),
            "expected_version": hidden_value(page.text, "expected_version"),
            "prop": ["birthDate", ""],
            "value": ["1971-03-02", ""],
            "source": "manual",
        },
        follow_redirects=False,
    )
    assert added.status_code == 303
    with transaction(factory) as session:
        view = entity_service.get_entity(session, context_for(alice), case.number, person.record.entity_id)
    birth = next(stmt for stmt in view.statements if stmt.prop == "birthDate")

    retracted = post_form(
        client,
        url,
        f"/cases/{case.number}/statements/{birth.id}/retract",
        {"reason": "Wrong person", "expected_version": str(view.record.version)},
    )

    assert retracted.status_code == 303
    after = client.get(url)
    assert "1971-03-02" not in after.text
    assert "Fact retracted." in after.text


def test_retract_with_stale_version_is_rejected(
    factory: sessionmaker[Session], browser_for: BrowserFactory
) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    person = _person(factory, alice, case.number, "Ivan Petrov", Source(SourceType.MANUAL))
    client = browser_for("alice")
    url = f"/cases/{case.number}/entities/{person.record.entity_id}"
    statement = person.statements[0]

    response = post_form(
        client,
        url,
        f"/cases/{case.number}/statements/{statement.id}/retract",
        {"reason": "Wrong person", "expected_version": str(person.record.version + 5)},
    )

    assert response.status_code == 409
    assert "changed since it was read" in response.text


def test_merge_and_undo(factory: sessionmaker[Session], browser_for: BrowserFactory) -> None:
    alice = make_user(factory, "alice")
    case = make_case(factory, "alice", number="2026-0142")
    first = _person(factory, alice, case.number, "Ivan Petrov", Source(SourceType.MANUAL))
    second = _person(factory, alice, case.number, "I. Petrov", Source(SourceType.MANUAL))
    client = browser_for("alice")
    url = f"/cases/{case.number}"

    merged = post_form(
        client,
        url,
        f"{url}/merges",
        {"winner_id": first.record.entity_id, "loser_id": second.record.entity_id, "reason": "Same passport"},
    )
    assert merged.status_code == 303
    winner = client.get(merged.headers["location"])
    assert "I. Petrov" in winner.text
    with transaction(factory) as session:
        merge = merge_service.list_merges(session, context_for(alice), case.number)[0]

    undone = post_form(client, url, f"{url}/merges/{merge.id}/undo", {"reason": "Different birth dates"})

    assert undone.status_code == 303
    page = client.get(url)
    assert "undone by alice" in page.text
    assert "Different birth dates" in page.text
