"""`casetrail init` prepares the data directory and the database; `casetrail serve` runs the server."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
import uvicorn
from sqlalchemy.engine import make_url

from casetrail.blobs.keys import ensure_master_key
from casetrail.cli.output import OutputFormat, OutputOption, print_fields, print_result
from casetrail.cli.runtime import current_runtime
from casetrail.cli.worker import WorkerPool
from casetrail.core.errors import CasetrailError
from casetrail.core.logging import get_logger
from casetrail.core.settings import get_settings
from casetrail.db.engine import engine_for
from casetrail.migrations.runner import is_current, upgrade

log = get_logger(__name__)

APP_FACTORY = "casetrail.asgi:create_app"


def init(output: OutputOption = OutputFormat.TEXT) -> None:
    """Create the data directory and migrate the database to the newest schema.

    Safe to run again: an up-to-date database is left as it is.
    """
    settings = get_settings()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    upgrade(settings.resolved_database_url)
    key_id = ensure_master_key(settings)
    runtime = current_runtime()
    data = {
        "data_dir": str(settings.data_dir.resolve()),
        "database": runtime.database_display,
        "blob_master_key_id": key_id,
    }
    print_result(
        output,
        data,
        lambda: print_fields(
            [
                ("data directory", data["data_dir"]),
                ("database", data["database"]),
                ("blob master key id", data["blob_master_key_id"]),
            ]
        ),
    )


def serve(
    host: Annotated[str, typer.Option(help="Address to listen on, e.g. 127.0.0.1 or 0.0.0.0.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="TCP port to listen on.")] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            min=1, help="Number of worker processes; each builds its own app and database connection pool."
        ),
    ] = 1,
    job_workers: Annotated[
        int,
        typer.Option(
            min=0,
            help="Background job worker processes to run next to the web workers (ingestion); 0 for none.",
        ),
    ] = 1,
) -> None:
    """Serve the API and the web UI with uvicorn. The database must be migrated (`casetrail init`)."""
    settings = get_settings()
    url = settings.resolved_database_url
    _require_migrated(url)
    log.info("server_starting", host=host, port=port, workers=workers, job_workers=job_workers)
    pool = WorkerPool(job_workers)
    if job_workers:
        pool.start()
    try:
        # Workers build the app from the factory themselves; log_config=None leaves log output
        # to casetrail's own logging, and the app logs each request, so uvicorn's access log is off.
        uvicorn.run(
            APP_FACTORY,
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_config=None,
            access_log=False,
        )
    finally:
        pool.stop()
    log.info("server_stopped", host=host, port=port)


def _require_migrated(url: str) -> None:
    parsed = make_url(url)
    display_url = parsed.render_as_string(hide_password=True)
    fix = "run `casetrail init` first"
    database_file = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if database_file and database_file != ":memory:" and not Path(database_file).exists():
        raise CasetrailError(f"no database at {display_url}: {fix}")
    engine = engine_for(url)
    try:
        migrated = is_current(engine)
    finally:
        # The server builds its own pool in each worker; the checking connection is not needed.
        engine.dispose()
    if not migrated:
        raise CasetrailError(f"the database at {display_url} is not migrated to the newest schema: {fix}")
