"""Loading the demo: two units, six accounts in every role, two cases, a public FtM dataset and leads.

Loading is idempotent. Units, accounts and cases are looked up by name and number, and the
dataset is imported into a case only when no earlier import of the same file (same SHA-256)
exists there. A demo lead is recorded only when no lead has its title. So a run creates only
what is missing. New accounts get random passwords, which the caller prints once; only their
Argon2 hashes are stored.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from importlib import resources
from importlib.resources.abc import Traversable

from sqlalchemy import select
from sqlalchemy.orm import Session

from casetrail.auth import service as auth_service
from casetrail.auth.context import RequestContext
from casetrail.auth.models import Unit, User
from casetrail.auth.roles import CaseRole, Role, Sensitivity
from casetrail.cases import members as member_service
from casetrail.cases import service as case_service
from casetrail.cases.models import Case
from casetrail.core.ids import new_token
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings
from casetrail.entities.models import ImportBatch
from casetrail.exchange.ftm_import import ImportReport, import_ftm
from casetrail.leads import service as lead_service
from casetrail.leads.fields import Grading, LeadContact, LeadFacts
from casetrail.leads.models import Lead

log = get_logger(__name__)

DATASET_FILE = "ftm_opensanctions_zala_slice.ftm.json"
# 16 random bytes give a 22-character password, above any sensible minimum length.
PASSWORD_BYTES = 16

FINANCIAL_CRIMES = "Financial Crimes Unit"
NARCOTICS = "Narcotics Unit 3"
UNITS = (FINANCIAL_CRIMES, NARCOTICS)


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    role: Role
    unit: str | None
    clearance: Sensitivity


ACCOUNTS = (
    DemoAccount("mensah", "Lt. Kofi Mensah", Role.SUPERVISOR, FINANCIAL_CRIMES, Sensitivity.SECRET),
    DemoAccount("rivera", "Ana Rivera", Role.INVESTIGATOR, FINANCIAL_CRIMES, Sensitivity.SECRET),
    DemoAccount("okafor", "Sgt. Daniel Okafor", Role.INVESTIGATOR, NARCOTICS, Sensitivity.CONFIDENTIAL),
    DemoAccount("chen", "Mei Chen", Role.ANALYST, FINANCIAL_CRIMES, Sensitivity.CONFIDENTIAL),
    DemoAccount("lindqvist", "Eva Lindqvist", Role.AUDITOR, None, Sensitivity.CONFIDENTIAL),
    DemoAccount("admin", "Demo Administrator", Role.ADMINISTRATOR, None, Sensitivity.CONFIDENTIAL),
)


@dataclass(frozen=True)
class DemoCase:
    number: str
    title: str
    lead: str
    summary: str
    offence_category: str
    sensitivity: Sensitivity
    members: tuple[tuple[str, CaseRole], ...] = ()
    with_dataset: bool = False


CASES = (
    DemoCase(
        number="DEMO-0001",
        title="Zala Aero group: sanctions evasion network",
        lead="rivera",
        summary=(
            "Companies, owners and directors around the ZALA Aero group, from OpenSanctions "
            "(sanctions lists and the Russian company register). Starting point: who owns whom, "
            "and which sanctions apply to them."
        ),
        offence_category="sanctions evasion",
        sensitivity=Sensitivity.CONFIDENTIAL,
        members=(("chen", CaseRole.ANALYST),),
        with_dataset=True,
    ),
    DemoCase(
        number="DEMO-0002",
        title="Harbour Road warehouse: cocaine distribution",
        lead="okafor",
        summary="Night-time deliveries to a rented warehouse reported by two tips.",
        offence_category="drug trafficking",
        sensitivity=Sensitivity.RESTRICTED,
    ),
)


@dataclass(frozen=True)
class DemoLead:
    channel: str
    facts: LeadFacts
    source: str
    grading: Grading
    contact: LeadContact = field(default_factory=LeadContact)
    priority: str = "normal"


# Two calls about the same warehouse share a phone number, so the queue shows them as a group.
LEADS = (
    DemoLead(
        channel="phone",
        facts=LeadFacts(
            title="Night deliveries at the Harbour Road warehouse",
            body=(
                "A caller reports vans unloading at the Harbour Road warehouse between midnight and "
                "two, most nights. One driver gave +1 202 555 0142 to a neighbour."
            ),
            location="17 Harbour Road",
            vehicle_plates=["HR 4471"],
        ),
        source="Call to the tip line",
        grading=Grading(scale="5x5x5", source="C", information="3", handling="1"),
        priority="high",
    ),
    DemoLead(
        channel="colleague",
        facts=LeadFacts(
            title="Van seen at Harbour Road again",
            body=(
                "Patrol saw van HR 4471 at the warehouse at 01:30; the number +1 202 555 0142 is "
                "painted on its side."
            ),
            location="17 Harbour Rd",
            subject_names=["Marco Veldt"],
        ),
        source="Night patrol, Narcotics Unit 3",
        grading=Grading(scale="admiralty", source="B", information="2"),
    ),
)


@dataclass
class DemoReport:
    units_created: list[str] = field(default_factory=list)
    accounts_created: list[tuple[DemoAccount, str]] = field(default_factory=list)
    """New accounts with their generated passwords, to be shown once."""
    accounts_existing: list[str] = field(default_factory=list)
    cases_created: list[DemoCase] = field(default_factory=list)
    cases_existing: list[str] = field(default_factory=list)
    imports: list[tuple[str, ImportReport]] = field(default_factory=list)
    leads_created: list[str] = field(default_factory=list)

    @property
    def created_anything(self) -> bool:
        created = self.units_created or self.accounts_created or self.cases_created or self.imports
        return bool(created or self.leads_created)


def dataset_path() -> Traversable:
    return resources.files("casetrail.demo").joinpath("data", DATASET_FILE)


def load_demo(session: Session, ctx: RequestContext, settings: Settings) -> DemoReport:
    """Create whatever part of the demo is missing, in the caller's transaction."""
    report = DemoReport()
    _load_units(session, ctx, report)
    _load_accounts(session, ctx, settings, report)
    _load_cases(session, ctx, report)
    _load_dataset(session, ctx, report)
    _load_leads(session, ctx, settings, report)
    log.info(
        "demo_loaded",
        units_created=len(report.units_created),
        accounts_created=len(report.accounts_created),
        cases_created=len(report.cases_created),
        imports=len(report.imports),
        leads_created=len(report.leads_created),
    )
    return report


def _load_units(session: Session, ctx: RequestContext, report: DemoReport) -> None:
    for name in UNITS:
        if session.execute(select(Unit.id).where(Unit.name == name)).first() is None:
            auth_service.create_unit(session, ctx, name)
            report.units_created.append(name)


def _load_accounts(session: Session, ctx: RequestContext, settings: Settings, report: DemoReport) -> None:
    for account in ACCOUNTS:
        if session.execute(select(User.id).where(User.username == account.username)).first() is not None:
            report.accounts_existing.append(account.username)
            continue
        password = new_token(PASSWORD_BYTES)
        auth_service.create_user(
            session,
            ctx,
            settings,
            username=account.username,
            password=password,
            role=account.role.value,
            display_name=account.display_name,
            clearance=account.clearance.value,
            unit_name=account.unit,
        )
        report.accounts_created.append((account, password))


def _load_cases(session: Session, ctx: RequestContext, report: DemoReport) -> None:
    for demo_case in CASES:
        if session.execute(select(Case.id).where(Case.number == demo_case.number)).first() is not None:
            report.cases_existing.append(demo_case.number)
            continue
        case_service.create_case(
            session,
            ctx,
            title=demo_case.title,
            lead_username=demo_case.lead,
            number=demo_case.number,
            summary=demo_case.summary,
            offence_category=demo_case.offence_category,
            sensitivity=demo_case.sensitivity.value,
        )
        for username, role in demo_case.members:
            member_service.add_member(session, ctx, demo_case.number, username=username, role=role.value)
        report.cases_created.append(demo_case)


def _load_dataset(session: Session, ctx: RequestContext, report: DemoReport) -> None:
    path = dataset_path()
    digest = _sha256(path)
    for demo_case in CASES:
        if not demo_case.with_dataset or _already_imported(session, demo_case.number, digest):
            continue
        with path.open("rb") as stream:
            result = import_ftm(
                session, ctx, demo_case.number, stream, file_name=DATASET_FILE, skip_invalid_values=True
            )
        report.imports.append((demo_case.number, result))


def _already_imported(session: Session, number: str, digest: str) -> bool:
    query = (
        select(ImportBatch.id)
        .join(Case, Case.id == ImportBatch.case_id)
        .where(Case.number == number, ImportBatch.sha256 == digest)
    )
    return session.execute(query).first() is not None


def _sha256(path: Traversable) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _load_leads(session: Session, ctx: RequestContext, settings: Settings, report: DemoReport) -> None:
    for demo_lead in LEADS:
        if session.execute(select(Lead.id).where(Lead.title == demo_lead.facts.title)).first() is not None:
            continue
        lead = lead_service.create_lead(
            session,
            ctx,
            settings,
            channel=demo_lead.channel,
            facts=demo_lead.facts,
            contact=demo_lead.contact,
            grading=demo_lead.grading,
            source_description=demo_lead.source,
            priority=demo_lead.priority,
            category="drugs",
            jurisdiction="harbour district",
            unit_name=NARCOTICS,
        )
        report.leads_created.append(lead.reference)
