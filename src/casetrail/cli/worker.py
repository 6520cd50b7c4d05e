"""`casetrail worker`: run background jobs (document ingestion and the tasks of other packages).

Each package with background work lists its job handlers in ``<package>/tasks.py`` as
``HANDLERS`` and its periodic tasks as ``PERIODIC``; ``TASK_MODULES`` names those modules.
``--concurrency N`` starts N worker processes, each taking one job at a time from the shared
queue. `casetrail serve` starts job workers the same way next to the web workers.
"""

from __future__ import annotations

import importlib
import multiprocessing
import os
import signal
import threading
from collections.abc import Sequence
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Annotated

import typer

from casetrail.blobs.factory import blob_store
from casetrail.core.errors import CasetrailError
from casetrail.core.logging import configure_logging, get_logger
from casetrail.core.settings import get_settings
from casetrail.db.engine import engine_for, session_factory
from casetrail.jobs.types import JobHandler, PeriodicTask
from casetrail.jobs.worker import Worker
from casetrail.migrations.runner import is_current

log = get_logger(__name__)

# One line per package with background work.
TASK_MODULES: tuple[str, ...] = (
    "casetrail.documents.tasks",
    "casetrail.xref.tasks",
    "casetrail.search.tasks",
    "casetrail.notifications.tasks",
)

# Seconds a stopping worker process gets to finish its current job before it is killed.
STOP_TIMEOUT_SECONDS = 60.0
# Seconds between checks that every worker process of a pool is still running.
MONITOR_INTERVAL_SECONDS = 5.0


def load_tasks(modules: Sequence[str] = TASK_MODULES) -> tuple[dict[str, JobHandler], list[PeriodicTask]]:
    """Collect ``HANDLERS`` and ``PERIODIC`` from the task modules; a kind defined twice is an error."""
    handlers: dict[str, JobHandler] = {}
    periodic: list[PeriodicTask] = []
    for name in modules:
        module = importlib.import_module(name)
        for kind, handler in getattr(module, "HANDLERS", {}).items():
            if kind in handlers:
                raise CasetrailError(f"job kind {kind!r} is defined twice; {name} repeats it")
            handlers[kind] = handler
        periodic.extend(getattr(module, "PERIODIC", []))
    return handlers, periodic


def run_worker_process(once: bool = False) -> int:
    """Run one worker in this process until SIGTERM or SIGINT; return the number of jobs run."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    handlers, periodic = load_tasks()
    worker = Worker(
        settings=settings,
        sessions=session_factory(engine_for(settings.resolved_database_url)),
        blobs=blob_store(settings),
        handlers=handlers,
        periodic=periodic,
        worker_id=f"worker-{os.uname().nodename}-{os.getpid()}",
    )
    worker.install_signal_handlers()
    return worker.run(once=once).jobs


def _spawn(index: int, *, once: bool) -> BaseProcess:
    context = multiprocessing.get_context("spawn")
    process = context.Process(target=run_worker_process, args=(once,), name=f"casetrail-job-worker-{index}")
    process.start()
    return process


def stop_worker_processes(processes: Sequence[BaseProcess]) -> None:
    """Ask each worker to stop after its current job, and kill one that does not stop in time."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    for process in processes:
        process.join(STOP_TIMEOUT_SECONDS)
        if process.is_alive():
            log.warning("job_worker_killed", pid=process.pid)
            process.kill()
            process.join()
    log.info("job_workers_stopped", count=len(processes))


class WorkerPool:
    """Job worker processes (spawned, each with its own database pool), restarted when one exits.

    A worker process runs until it is stopped. One that is gone while the pool runs (killed from
    outside, or failed at start, for example with the database unreachable) is started again.
    """

    def __init__(self, count: int) -> None:
        self.count = count
        self.processes: list[BaseProcess] = []
        self._stopping = threading.Event()
        self._monitor = threading.Thread(target=self._watch, name="job-worker-monitor", daemon=True)

    def start(self) -> None:
        self.processes = [_spawn(index, once=False) for index in range(self.count)]
        log.info("job_workers_started", count=self.count, pids=[process.pid for process in self.processes])
        self._monitor.start()

    def _watch(self) -> None:
        while not self._stopping.wait(MONITOR_INTERVAL_SECONDS):
            for index, process in enumerate(self.processes):
                if process.is_alive() or self._stopping.is_set():
                    continue
                log.warning("job_worker_restarted", pid=process.pid, exitcode=process.exitcode)
                self.processes[index] = _spawn(index, once=False)

    def stop(self) -> None:
        self._stopping.set()
        if self._monitor.is_alive():
            self._monitor.join()
        stop_worker_processes(self.processes)


def worker(
    concurrency: Annotated[
        int, typer.Option(min=1, help="Worker processes to run; each runs one job at a time.")
    ] = 1,
    once: Annotated[
        bool,
        typer.Option("--once", help="Run the jobs that are due now, then exit, instead of waiting for more."),
    ] = False,
) -> None:
    """Run background jobs (document ingestion and others) until stopped with Ctrl-C or SIGTERM."""
    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    _require_migrated(settings.resolved_database_url)
    if concurrency == 1:
        jobs = run_worker_process(once=once)
        typer.echo(f"{jobs} jobs run", err=True)
        return
    if once:
        processes = [_spawn(index, once=True) for index in range(concurrency)]
        for process in processes:
            process.join()
        return
    _run_pool(concurrency)


def _run_pool(concurrency: int) -> None:
    """Run a pool until SIGTERM or SIGINT, then stop its workers after their current jobs."""
    stop_requested = threading.Event()

    def _on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("job_workers_stop_requested", signal=signum)
        stop_requested.set()

    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)
    pool = WorkerPool(concurrency)
    pool.start()
    stop_requested.wait()
    pool.stop()


def _require_migrated(url: str) -> None:
    if not is_current(engine_for(url)):
        raise CasetrailError("the database is not migrated to the newest schema: run `casetrail init` first")
