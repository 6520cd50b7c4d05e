"""`casetrail search ...`: full-text search as a user, and keeping the index as the operator.

``casetrail search QUERY`` searches as the user whose API token is in ``CASETRAIL_TOKEN``.
Without ``--case`` it reads every case that user may see, so ``--purpose`` is required and
audited. ``reindex`` rebuilds the index from the database and ``sync`` applies pending
changes; both run as the local operator. To search for the words "reindex" or "sync"
themselves, write ``casetrail search query reindex``.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from typer.core import TyperGroup

from casetrail.auth.context import operator_context
from casetrail.cli.output import OutputFormat, OutputOption, hint, print_fields, print_result
from casetrail.cli.runtime import current_runtime, user_transaction
from casetrail.core.ids import new_id
from casetrail.search import service
from casetrail.search.follower import sync_until_caught_up
from casetrail.search.rebuild import rebuild
from casetrail.search.request import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, SearchRequest, SortOrder
from casetrail.search.service import SearchHit, SearchPage


class SearchGroup(TyperGroup):
    """A group whose first argument, unless it names a sub-command, is a query for ``query``."""

    # ``ctx`` is a context of typer's bundled click, whose class typer does not export.
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["query", *args]
        result: list[str] = super().parse_args(ctx, args)
        return result


search_app = typer.Typer(
    cls=SearchGroup,
    help="Full-text search over documents, notes and entity names: `casetrail search QUERY`.",
    no_args_is_help=True,
)


def _marked(hit: SearchHit) -> str:
    """Return the snippet with each match between double angle quotes."""
    return "".join(f"«{part}»" if is_match else part for part, is_match in hit.snippet.segments())


def _hit_data(hit: SearchHit, query: str) -> dict[str, Any]:
    return {
        "type": hit.type,
        "id": hit.object_id,
        "case": hit.case_number,
        "page": hit.page_no,
        "title": hit.title,
        "snippet": {"text": hit.snippet.text, "highlights": [list(pair) for pair in hit.snippet.highlights]},
        "date": hit.date,
        "author": hit.author,
        "media_type": hit.media_type,
        "labels": list(hit.labels),
        "score": hit.score,
        "link": hit.web_path(query),
    }


def _print_page(found: SearchPage) -> None:
    if not found.hits:
        typer.echo("no results")
    for hit in found.hits:
        place = f"page {hit.page_no}" if hit.page_no else hit.type
        date = hit.date.date().isoformat() if hit.date else "no date"
        typer.echo(
            f"{hit.case_number}  {hit.type}  {place}  {hit.title or '(untitled)'}  {date}  id {hit.object_id}"
        )
        typer.echo(f"    {_marked(hit)}")
    noun = "result" if found.total == 1 else "results"
    hint(f"{found.total} {noun}, page {found.page} of {found.pages}")


@search_app.command("query")
def query_command(
    *,
    query: Annotated[
        str, typer.Argument(help='Query: words, "phrases", AND, OR, NOT, -word, prefix*, fuzzy~.')
    ],
    case: Annotated[
        str | None, typer.Option("--case", help="Case number; leave out to search every case you may see.")
    ] = None,
    purpose: Annotated[
        str | None, typer.Option(help="Why you search across cases; required without --case, and audited.")
    ] = None,
    types: Annotated[
        list[str] | None,
        typer.Option("--type", help="Only this result type (repeatable): document, note, entity."),
    ] = None,
    date_from: Annotated[str | None, typer.Option("--from", help="On or after: YYYY[-MM[-DD]].")] = None,
    date_to: Annotated[str | None, typer.Option("--to", help="On or before: YYYY[-MM[-DD]].")] = None,
    author: Annotated[str | None, typer.Option(help="Author or sender contains this text.")] = None,
    label: Annotated[str | None, typer.Option(help="Documents carrying this label.")] = None,
    sort: Annotated[SortOrder, typer.Option(help="Result order.")] = SortOrder.RELEVANCE,
    page: Annotated[int, typer.Option(min=1, help="Page of results to print.")] = 1,
    page_size: Annotated[
        int, typer.Option(min=1, max=MAX_PAGE_SIZE, help="Results per page.")
    ] = DEFAULT_PAGE_SIZE,
    output: OutputOption = OutputFormat.TEXT,
) -> None:
    """Search the cases you may see; matches are shown «like this»."""
    request = SearchRequest(
        q=query,
        case=case,
        types=tuple(types or ()),
        date_from=date_from,
        date_to=date_to,
        author=author,
        label=label,
        sort=sort,
        page=page,
        page_size=page_size,
    )
    with user_transaction(current_runtime()) as (session, ctx):
        found = service.search(session, ctx.with_purpose(purpose), request)
    data = {
        "results": [_hit_data(hit, query) for hit in found.hits],
        "total": found.total,
        "page": found.page,
        "pages": found.pages,
        "case": found.case_number,
    }
    print_result(output, data, lambda: _print_page(found))


@search_app.command("reindex")
def reindex_command(*, output: OutputOption = OutputFormat.TEXT) -> None:
    """Rebuild the search index from the database; searches keep working meanwhile."""
    runtime = current_runtime()
    progress = Progress(
        TextColumn("Indexing"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    )
    source = operator_context(request_id=new_id()).audit_source
    with progress:
        task = progress.add_task("index", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = rebuild(runtime.factory, source, progress=advance)
    print_result(
        output,
        asdict(report),
        lambda: print_fields(
            [("objects", report.objects), ("entries", report.entries), ("removed", report.removed)]
        ),
    )


@search_app.command("sync")
def sync_command(*, output: OutputOption = OutputFormat.TEXT) -> None:
    """Apply the changes made since the index was last updated (what the worker does)."""
    run = sync_until_caught_up(current_runtime().factory)
    print_result(
        output,
        asdict(run),
        lambda: print_fields(
            [
                ("events", run.events),
                ("objects", run.objects),
                ("entries", run.entries),
                ("failed", run.failed),
            ]
        ),
    )
