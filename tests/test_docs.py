"""Meta-tests that keep the docs and the migrations in step with the code."""

from __future__ import annotations

import re

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from pydantic import BaseModel
from sqlalchemy import Engine

from casetrail.audit.actions import AuditAction
from casetrail.core.settings import Settings
from casetrail.migrations.registry import include_name, metadata
from tests.conftest import REPO_ROOT


def _setting_names(model: type[BaseModel], prefix: str = "CASETRAIL_") -> list[str]:
    names: list[str] = []
    for name, field in model.model_fields.items():
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            names.extend(_setting_names(annotation, f"{prefix}{name.upper()}__"))
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_readme_documents_every_setting() -> None:
    readme = (REPO_ROOT / "README.md").read_text()
    missing = [name for name in _setting_names(Settings) if f"`{name}`" not in readme]
    assert missing == []


def test_audit_actions_are_from_vocabulary() -> None:
    used: set[str] = set()
    for path in (REPO_ROOT / "src" / "casetrail").rglob("*.py"):
        used.update(re.findall(r"AuditAction\.([A-Z_]+)", path.read_text()))
    assert used <= set(AuditAction.__members__)


def test_migrations_match_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": include_name}
        )
        differences = compare_metadata(context, metadata())
    assert differences == []
