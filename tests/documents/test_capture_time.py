"""Capture times without a time zone: read from a real JPEG, kept in local time, never converted."""

from __future__ import annotations

from datetime import datetime

import pytest

from casetrail.documents.capture_time import format_local_time, unzoned_capture_time
from tests.documents.conftest import World, reload, run_worker, store_file


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"captured_at": "2009-08-11T09:09:45"}, datetime(2009, 8, 11, 9, 9, 45)),  # noqa: DTZ001 (local time)
        ({"captured_at": "2009-08-11T09:09:45+02:00"}, None),
        ({"captured_at": "not a time"}, None),
        ({"captured_at": 20090811}, None),
        ({}, None),
        (None, None),
    ],
)
def test_unzoned_capture_time_cases(meta: dict[str, object] | None, expected: datetime | None) -> None:
    assert unzoned_capture_time(meta) == expected


def test_local_time_format_names_unknown_zone() -> None:
    local = datetime(2009, 8, 11, 9, 9, 45)  # noqa: DTZ001 (a camera's local time has no zone)

    assert format_local_time(local) == "2009-08-11 09:09:45 (time zone unknown)"


def test_jpeg_without_offset_keeps_local_time(world: World) -> None:
    stored = store_file(world, "images/testJPEG_EXIF.jpg")
    run_worker(world)

    document = reload(world, stored.id)

    assert document.status == "ingested"
    assert document.local_capture_time == "2009-08-11T09:09:45"
    assert document.meta["exif"]["DateTimeOriginal"] == "2009:08:11 09:09:45"
    assert document.meta["captured_at"] == "2009-08-11T09:09:45"
