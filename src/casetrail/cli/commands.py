"""The `casetrail` commands: administration as the local operator, case work as a token's user.

Logging goes to standard error. Commands other than `serve` log warnings and errors only, unless
CASETRAIL_LOG_LEVEL is set.
"""

from __future__ import annotations

import typer

from casetrail.cli import server
from casetrail.cli.accounts import unit_app, user_app
from casetrail.cli.audit import audit_app
from casetrail.cli.cases import case_app, note_app
from casetrail.cli.demo import demo
from casetrail.cli.documents import documents_app
from casetrail.cli.entities import entity_app
from casetrail.cli.errors import CasetrailGroup
from casetrail.cli.evidence import evidence_app
from casetrail.cli.graph import graph_app
from casetrail.cli.imports import import_app
from casetrail.cli.jobs import jobs as jobs_command
from casetrail.cli.lakehouse import lakehouse_app, purge_command, sql_command
from casetrail.cli.leads import leads_app
from casetrail.cli.legal import doc_app
from casetrail.cli.notifications import notifications_app
from casetrail.cli.search import search_app
from casetrail.cli.worker import worker as worker_command
from casetrail.cli.xref import watchlist_app, xref_app
from casetrail.core.logging import configure_logging
from casetrail.core.settings import get_settings

app = typer.Typer(
    cls=CasetrailGroup,
    name="casetrail",
    help="Casetrail: investigative case management. Case commands read the API token in CASETRAIL_TOKEN.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def configure(ctx: typer.Context) -> None:
    settings = get_settings()
    explicit = "log_level" in settings.model_fields_set
    level = settings.log_level if explicit or ctx.invoked_subcommand == "serve" else "WARNING"
    configure_logging(level, settings.log_format)


app.command("init")(server.init)
app.command("serve")(server.serve)
app.command("worker")(worker_command)
app.command("jobs")(jobs_command)
app.command("demo")(demo)
app.add_typer(user_app, name="user")
app.add_typer(unit_app, name="unit")
app.add_typer(case_app, name="case")
app.add_typer(note_app, name="note")
app.add_typer(entity_app, name="entity")
app.add_typer(import_app, name="import")
app.add_typer(evidence_app, name="evidence")
app.add_typer(documents_app, name="documents")
app.add_typer(xref_app, name="xref")
app.add_typer(watchlist_app, name="watchlist")
app.add_typer(graph_app, name="graph")
app.add_typer(audit_app, name="audit")
app.add_typer(lakehouse_app, name="lakehouse")
app.add_typer(doc_app, name="doc")
app.add_typer(search_app, name="search")
app.add_typer(notifications_app, name="notifications")
app.add_typer(leads_app, name="leads")
app.command("sql")(sql_command)
app.command("purge")(purge_command)
