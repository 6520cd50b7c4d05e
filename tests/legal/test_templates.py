"""Template administration: versions, checks with the template's name and line, who may edit."""

from __future__ import annotations

import pytest

from casetrail.auth.context import operator_context
from casetrail.core.errors import PermissionDenied, ValidationFailed
from casetrail.db.engine import transaction
from casetrail.legal import library, service
from casetrail.legal.models import LegalDocumentVersion
from casetrail.legal.render import shipped_file
from tests.factories import context_for, make_user
from tests.legal.conftest import LegalWorld

DEFINITION = shipped_file("case_summary.toml")
SOURCE = shipped_file("case_summary.typ")


def test_admin_saves_new_version(world: LegalWorld) -> None:
    admin = make_user(world.factory, "adam", role="administrator", unit=None)
    with transaction(world.factory) as session:
        saved = library.save_template_version(
            session,
            context_for(admin),
            "case_summary",
            source=SOURCE + "\nEnd of summary.\n",
            definition=DEFINITION,
        )
        number = saved.number
    assert number == 2
    document = world.create("case_summary")
    with transaction(world.factory) as session:
        version = session.get(LegalDocumentVersion, service.get_version(session, document).id)
        assert version is not None
        recorded = version.inputs["template"]["version"]
    assert recorded == 2


def test_compile_error_names_template_and_line(world: LegalWorld) -> None:
    broken = '= Title\n\nSome text.\n#prose(field("summary")\n'
    with transaction(world.factory) as session, pytest.raises(ValidationFailed) as raised:
        library.save_template_version(
            session, operator_context(), "broken_summary", source=broken, definition=DEFINITION
        )
    assert "template broken_summary, line 4" in raised.value.message


def test_unknown_field_names_line(world: LegalWorld) -> None:
    broken = "= Title\n#data.fields.nosuchfield.len()\n"
    with transaction(world.factory) as session, pytest.raises(ValidationFailed) as raised:
        library.save_template_version(
            session, operator_context(), "broken_field", source=broken, definition=DEFINITION
        )
    assert "template broken_field, line 2" in raised.value.message


def test_definition_error_names_line(world: LegalWorld) -> None:
    with transaction(world.factory) as session, pytest.raises(ValidationFailed) as raised:
        library.save_template_version(
            session, operator_context(), "bad_toml", source=SOURCE, definition='name = "x"\n[[fields]\n'
        )
    assert "template bad_toml" in raised.value.message
    assert "line 2" in raised.value.message


def test_removing_footer_is_rejected(world: LegalWorld) -> None:
    source = "#set page(footer: none)\n" + SOURCE
    with transaction(world.factory) as session, pytest.raises(ValidationFailed) as raised:
        library.save_template_version(
            session, operator_context(), "no_footer", source=source, definition=DEFINITION
        )
    assert "footer" in raised.value.message


def test_investigator_cannot_edit_templates(world: LegalWorld) -> None:
    with transaction(world.factory) as session, pytest.raises(PermissionDenied):
        library.save_template_version(
            session, world.ctx(world.alice), "case_summary", source=SOURCE, definition=DEFINITION
        )
