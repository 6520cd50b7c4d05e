"""Grouping similar leads: shared identifiers and near-identical text."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from casetrail.db.engine import transaction
from casetrail.leads.fields import LeadContact
from casetrail.leads.models import Lead
from casetrail.leads.normalize import jaccard, name_key, phone_key, place_key, shingles
from casetrail.leads.queue import lead_view
from casetrail.leads.receipts import canonical_code, new_receipt_code
from tests.leads.conftest import LeadWorld

TIP = (
    "People come and go at night at the house on Elm Street. A blue van parks in front every "
    "evening around ten and leaves an hour later."
)
NEAR = (
    "People come and go at night at the house on Elm Street! A blue van parks in front every "
    "evening around ten and leaves an hour later"
)
OTHER = "Someone sells counterfeit watches at the weekend market near the harbour, always on Sundays."


def _group(world: LeadWorld, lead_id: str) -> str | None:
    with transaction(world.factory) as session:
        lead = session.get(Lead, lead_id)
        assert lead is not None
        return lead.group_id


def test_near_identical_tips_are_grouped(world: LeadWorld) -> None:
    first = world.submit(TIP)
    second = world.submit(NEAR)
    group = _group(world, first.lead.id)
    assert group is not None
    assert _group(world, second.lead.id) == group


def test_unrelated_tips_stay_apart(world: LeadWorld) -> None:
    first = world.submit(TIP)
    second = world.submit(OTHER)
    assert _group(world, first.lead.id) is None
    assert _group(world, second.lead.id) is None


def test_same_phone_groups_tips(world: LeadWorld) -> None:
    first = world.submit("Call me about the van", contact=LeadContact(phone="+1 202 555 0100"))
    second = world.submit(f"{OTHER} The seller's number is +1 (202) 555-0100.")
    assert _group(world, first.lead.id) is not None
    assert _group(world, first.lead.id) == _group(world, second.lead.id)


def test_same_name_groups_tips(world: LeadWorld) -> None:
    first = world.submit(TIP, names=["John SMITH"])
    second = world.submit(OTHER, names=["Smith, John"])
    assert _group(world, first.lead.id) == _group(world, second.lead.id)


def test_groups_merge_transitively(world: LeadWorld) -> None:
    first = world.submit("Van seen", contact=LeadContact(email="Watcher@Example.org"))
    second = world.submit(OTHER, location="12 Elm St.")
    third = world.submit("Contact watcher@example.org about 12 Elm Street", location="12 elm street")
    groups = {_group(world, tip.lead.id) for tip in (first, second, third)}
    assert len(groups) == 1
    assert None not in groups


def test_lead_view_names_similarity_reasons(world: LeadWorld) -> None:
    world.submit(TIP, contact=LeadContact(phone="+1 202 555 0100"))
    second = world.submit(NEAR, contact=LeadContact(phone="+12025550100"))
    with transaction(world.factory) as session:
        view = lead_view(session, world.ctx(world.clerk), second.lead.reference)
        similar = view.similar
        group = [lead.reference for lead in view.group]
    assert len(similar) == 1
    assert similar[0].reasons == ["phone", "text"]
    assert similar[0].text_score >= world.settings.leads.similarity_threshold
    assert len(group) == 2


def test_phone_key_normalises_to_e164() -> None:
    assert phone_key("(202) 555-0100", "US") == "+12025550100"
    assert phone_key("+1 202 555 0100", None) == "+12025550100"
    assert phone_key("not a phone", "US") is None


def test_name_and_place_keys() -> None:
    assert name_key("SMITH, John") == name_key("john smith")
    assert place_key("12 Elm St.") == place_key("12 elm street")


def test_jaccard_of_identical_texts() -> None:
    assert jaccard(shingles(TIP), shingles(TIP)) == 1.0
    assert jaccard(shingles(TIP), shingles(OTHER)) < 0.1


@given(st.data())
def test_receipt_code_survives_retyping(data: st.DataObject) -> None:
    code = new_receipt_code()
    lower = data.draw(st.booleans())
    typed = code.lower() if lower else code
    typed = typed.replace("-", data.draw(st.sampled_from(["-", " ", ""])))
    assert canonical_code(typed) == code.replace("-", "")
