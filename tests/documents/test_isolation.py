"""Extraction in a child process: a file over the memory or time limit fails alone, with the reason."""

from __future__ import annotations

from casetrail.core.settings import DocumentSettings
from tests.documents.conftest import World, reload, run_worker, store_file


def test_memory_limit_fails_document(world: World) -> None:
    world.settings = world.settings.model_copy(
        update={"documents": DocumentSettings(max_memory_bytes=64 * 1024 * 1024)}
    )
    document = store_file(world, "pdf/testPDF.pdf")

    stats = run_worker(world)

    row = reload(world, document.id)
    assert stats.done == 1
    assert row.status == "failed"
    assert "memory limit of 67108864 bytes" in (row.failure_reason or "")


def test_time_limit_fails_document(world: World) -> None:
    world.settings = world.settings.model_copy(
        update={"documents": DocumentSettings(extract_timeout_seconds=0.001)}
    )
    document = store_file(world, "images/testOCR.png")

    run_worker(world)

    row = reload(world, document.id)
    assert row.status == "failed"
    assert "timed out after 0.001 seconds" in (row.failure_reason or "")


def test_worker_survives_and_reads_next_file(world: World) -> None:
    world.settings = world.settings.model_copy(
        update={"documents": DocumentSettings(max_memory_bytes=64 * 1024 * 1024)}
    )
    store_file(world, "pdf/testPDF.pdf")
    run_worker(world)
    world.settings = world.settings.model_copy(update={"documents": DocumentSettings()})
    good = store_file(world, "csv/testCSV.csv")

    run_worker(world)

    assert reload(world, good.id).status == "ingested"
