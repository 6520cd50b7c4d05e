"""`casetrail documents ...`: upload files into a case, list them, show one, retry a failed one.

Commands act as the user whose API token is in ``CASETRAIL_TOKEN`` when it is set, and as the
local operator otherwise. Uploaded files are ingested by the job workers (`casetrail worker`,
or the ones `casetrail serve` starts); `documents list` shows their status.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, BinaryIO

import typer

from casetrail.blobs.factory import blob_store
from casetrail.cli.evidence import acting_transaction
from casetrail.cli.output import OutputFormat, OutputOption, hint, print_fields, print_result, print_table
from casetrail.cli.runtime import current_runtime
from casetrail.core.errors import CasetrailError
from casetrail.documents import queries, service
from casetrail.documents.models import Document
from casetrail.documents.service import Upload

documents_app = typer.Typer(help="Documents of a case: upload, list, show and retry ingestion.")

CaseArgument = Annotated[str, typer.Argument(help="Case number, e.g. 2026-0142.")]
DocumentArgument = Annotated[str, typer.Argument(help="Document id, as `documents list` prints it.")]


class ProgressReader:
    """A binary stream that reports every read's size, to drive a progress bar."""

    def __init__(self, source: BinaryIO, advance: Callable[[int], None]) -> None:
        self._source = source
        self._advance = advance

    def read(self, size: int = -1) -> bytes:
        data = self._source.read(size)
        self._advance(len(data))
        return data


def _summary(document: Document) -> dict[str, Any]:
    return {
        "id": document.id,
        "file_name": document.file_name,
        "status": document.status,
        "media_type": document.media_type,
        "page_count": document.page_count,
        "size": document.size,
        "failure_reason": document.failure_reason,
    }


@documents_app.command("upload")
def upload(
    case: CaseArgument,
    files: Annotated[
        list[Path], typer.Argument(help="Files to upload.", exists=True, dir_okay=False, readable=True)
    ],
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Upload files into a case; each is stored at once and ingested by a job worker.

    Each file is stored in its own transaction, so a rejected file (too large, bad name) does
    not stop the others. Exit status 1 when any file was rejected.
    """
    runtime = current_runtime()
    store = blob_store(runtime.settings)
    results: list[dict[str, Any]] = []
    total = sum(path.stat().st_size for path in files)
    with typer.progressbar(length=total, label="Uploading", file=sys.stderr) as bar:
        for path in files:
            results.append(_upload_one(runtime, store, case, path, bar.update))
    print_result(output, results, lambda: _print_uploads(results))
    if any("error" in result for result in results):
        raise typer.Exit(1)


def _upload_one(
    runtime: Any, store: Any, case: str, path: Path, advance: Callable[[int], None]
) -> dict[str, Any]:
    try:
        with path.open("rb") as handle, acting_transaction(runtime) as (session, ctx):
            source = ProgressReader(handle, advance)
            [document] = service.upload_documents(
                session,
                ctx,
                case,
                blobs=store,
                settings=runtime.settings,
                uploads=[Upload(source=source, file_name=path.name)],  # type: ignore[arg-type]
            )
            return _summary(document)
    except CasetrailError as error:
        return {"file_name": path.name, "error": error.message}


def _print_uploads(results: list[dict[str, Any]]) -> None:
    print_table(
        ["id", "file", "status"],
        [
            [result.get("id", "-"), result["file_name"], result.get("status") or result["error"]]
            for result in results
        ],
    )
    hint("a job worker ingests them: follow with `casetrail documents list CASE`")


@documents_app.command("list")
def list_command(  # noqa: PLR0917 - typer maps each parameter to an argument or option
    case: CaseArgument,
    status: Annotated[
        str | None,
        typer.Option(help="Only documents with this status: queued, processing, ingested, failed."),
    ] = None,
    children: Annotated[
        bool, typer.Option("--children", help="Also list files read out of other documents.")
    ] = False,
    limit: Annotated[int, typer.Option(min=1, max=queries.MAX_PAGE_SIZE, help="Documents per page.")] = 50,
    offset: Annotated[int, typer.Option(min=0, help="Documents to skip.")] = 0,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """List a case's documents, newest first, with their ingestion status."""
    runtime = current_runtime()
    with acting_transaction(runtime) as (session, ctx):
        listed = queries.list_documents(
            session, ctx, case, status=status, include_children=children, limit=limit, offset=offset
        )
        data = {"total": listed.total, "items": [_summary(document) for document in listed.items]}
    print_result(output, data, lambda: _print_list(data))


def _print_list(data: dict[str, Any]) -> None:
    print_table(
        ["id", "file", "type", "pages", "status"],
        [
            [item["id"], item["file_name"], item["media_type"] or "-", item["page_count"], item["status"]]
            for item in data["items"]
        ],
    )
    typer.echo(f"{len(data['items'])} of {data['total']} documents")


@documents_app.command("show")
def show(document_id: DocumentArgument, output: OutputOption = OutputFormat.TEXT) -> None:
    """Show a document's metadata, ingestion status, pages, children and mention counts."""
    runtime = current_runtime()
    with acting_transaction(runtime) as (session, ctx):
        view = queries.get_document(session, ctx, document_id)
        document = view.document
        data = {
            **_summary(document),
            "sha256": document.sha256,
            "title": document.title,
            "author": document.author,
            "document_date": document.document_date,
            "origin": document.origin,
            "parent_id": document.parent_id,
            "attempts": document.attempts,
            "labels": document.labels,
            "meta": document.meta,
            "children": [_summary(child) for child in view.children],
            "mentions": view.mention_counts,
        }
    print_result(output, data, lambda: _print_document(data))


def _print_document(data: dict[str, Any]) -> None:
    print_fields(
        [
            ("id", data["id"]),
            ("file", data["file_name"]),
            ("title", data["title"]),
            ("type", data["media_type"]),
            ("status", data["status"]),
            ("failure reason", data["failure_reason"]),
            ("pages", data["page_count"]),
            ("size", data["size"]),
            ("sha256", data["sha256"]),
            ("author", data["author"]),
            ("date", data["document_date"]),
            ("origin", data["origin"]),
            ("attempts", data["attempts"]),
            ("labels", ", ".join(data["labels"])),
            ("children", len(data["children"])),
            ("mentions", ", ".join(f"{key} {value}" for key, value in sorted(data["mentions"].items()))),
        ]
    )


@documents_app.command("retry")
def retry(document_id: DocumentArgument, output: OutputOption = OutputFormat.TEXT) -> None:
    """Queue a failed document for ingestion again."""
    runtime = current_runtime()
    with acting_transaction(runtime) as (session, ctx):
        document = service.retry_document(session, ctx, runtime.settings, document_id)
        data = _summary(document)
    print_result(output, data, lambda: typer.echo(f"document {document_id} queued for ingestion again"))
