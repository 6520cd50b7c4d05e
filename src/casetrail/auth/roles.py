"""System roles, case roles and sensitivity labels."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """A user's system role. Case content access also needs membership or supervision."""

    ADMINISTRATOR = "administrator"  # accounts and units; no case content by this role
    SUPERVISOR = "supervisor"  # every case owned by their unit or its sub-units
    INVESTIGATOR = "investigator"  # opens cases; works cases they are members of
    ANALYST = "analyst"  # works cases they are members of
    AUDITOR = "auditor"  # reads and verifies the audit trail; no case content
    INTAKE = "intake"  # triages tips and leads of their unit; no case content by this role


class CaseRole(StrEnum):
    LEAD = "lead"
    INVESTIGATOR = "investigator"
    ANALYST = "analyst"
    VIEWER = "viewer"  # reads the case, changes nothing


class Sensitivity(StrEnum):
    """Case sensitivity labels, lowest first. A user's clearance must reach a case's label."""

    UNCLASSIFIED = "unclassified"
    RESTRICTED = "restricted"
    CONFIDENTIAL = "confidential"
    SECRET = "secret"

    @property
    def rank(self) -> int:
        return list(Sensitivity).index(self)

    def labels_up_to(self) -> list[str]:
        return [label.value for label in Sensitivity if label.rank <= self.rank]
