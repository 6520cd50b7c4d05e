"""Running an extractor in a child process, with a memory limit and a time limit.

A crafted file can crash a C library (a PDF or image decoder) or make it allocate without
bound. Extraction therefore runs in a child forked from a "forkserver" process that has the
extractors imported already, so each start costs a fork, not an interpreter start. The child
sets ``RLIMIT_AS`` to the memory limit before it reads the file, writes its result (an
``Extraction`` or the reason of an ``ExtractionFailed``) to a pickle file in the work folder,
and exits. A child that is killed, crashes or runs out of time fails the document with a reason;
the worker itself is not affected.

The pickle file is written by this program's own child into a private folder, so loading it
does not deserialise data from outside.
"""

from __future__ import annotations

import multiprocessing
import pickle
import resource
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from casetrail.core.logging import get_logger
from casetrail.documents.extract.base import Extraction, ExtractionFailed, Limits
from casetrail.documents.registry import extractor_for

log = get_logger(__name__)

_CONTEXT = multiprocessing.get_context("forkserver")
_CONTEXT.set_forkserver_preload(["casetrail.documents.registry", "casetrail.documents.extract.registry"])
RESULT_FILE = "extraction.pickle"


def extract_isolated(
    media_type: str, path: Path, limits: Limits, workdir: Path, *, memory_bytes: int, timeout_seconds: float
) -> Extraction:
    """Run the extractor for ``media_type`` in a child process and return its ``Extraction``.

    Raises ``ExtractionFailed`` with a readable reason when the extractor rejects the file, the
    child exceeds ``timeout_seconds``, or it dies (for example on reaching ``memory_bytes``).
    ``memory_bytes`` of 0 sets no memory limit.
    """
    result_path = workdir.parent / RESULT_FILE
    result_path.unlink(missing_ok=True)
    task = _ChildTask(media_type, str(path), limits, str(workdir), str(result_path), memory_bytes)
    child = _CONTEXT.Process(target=_run_child, args=(task,), name="casetrail-extractor")
    with _main_script_hidden():
        child.start()
    child.join(timeout_seconds)
    if child.is_alive():
        child.kill()
        child.join()
        log.warning("extraction_timed_out", media_type=media_type, timeout_seconds=timeout_seconds)
        raise ExtractionFailed(
            f"reading the file timed out after {timeout_seconds:g} seconds "
            "(CASETRAIL_DOCUMENTS__EXTRACT_TIMEOUT_SECONDS)"
        )
    if child.exitcode != 0 or not result_path.exists():
        log.warning("extraction_child_died", media_type=media_type, exitcode=child.exitcode)
        raise ExtractionFailed(_death_reason(child.exitcode, memory_bytes))
    with result_path.open("rb") as handle:
        outcome = pickle.load(handle)  # noqa: S301 - written by our own child, see the module docstring
    if isinstance(outcome, str):
        raise ExtractionFailed(outcome)
    if not isinstance(outcome, Extraction):
        raise ExtractionFailed("the extractor returned no result")
    return outcome


@contextmanager
def _main_script_hidden() -> Iterator[None]:
    """Hide the main script's path from multiprocessing while a child starts.

    With the path, Python 3.11's forkserver children run the main script again before their
    target (its ``__main__`` preload looks for a key that spawn never sets), which costs seconds
    when the main script imports much. The target lives in this module and needs nothing from
    the main script. Only the starting thread reads the attribute meanwhile.
    """
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def _death_reason(exitcode: int | None, memory_bytes: int) -> str:
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name
        cause = f"was stopped by {name}"
    else:
        cause = f"exited with status {exitcode}"
    limit = f" or needs more than the memory limit of {memory_bytes} bytes" if memory_bytes else ""
    return (
        f"reading the file failed: the extractor {cause}; the file may be damaged{limit} "
        "(CASETRAIL_DOCUMENTS__MAX_MEMORY_BYTES)"
    )


@dataclass(frozen=True)
class _ChildTask:
    """Inputs of the extraction child, as plain values that cross the process boundary."""

    media_type: str
    path: str
    limits: Limits
    workdir: str
    result_path: str
    memory_bytes: int


def _run_child(task: _ChildTask) -> None:
    if task.memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (task.memory_bytes, task.memory_bytes))
    outcome: Extraction | str
    try:
        outcome = extractor_for(task.media_type)(Path(task.path), task.limits, Path(task.workdir))
    except ExtractionFailed as failure:
        # An extractor may turn a MemoryError into its own failure; the limit is the real reason.
        cause = failure.__cause__ or failure.__context__
        outcome = _memory_reason(task.memory_bytes) if isinstance(cause, MemoryError) else failure.reason
    except MemoryError:
        outcome = _memory_reason(task.memory_bytes)
    with Path(task.result_path).open("wb") as handle:
        pickle.dump(outcome, handle)


def _memory_reason(memory_bytes: int) -> str:
    return (
        f"reading the file needs more than the memory limit of {memory_bytes} bytes "
        "(CASETRAIL_DOCUMENTS__MAX_MEMORY_BYTES)"
    )
