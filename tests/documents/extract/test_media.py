from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from casetrail.documents.extract.base import Extraction, ExtractionFailed
from casetrail.documents.extract.media import extract_media
from tests.documents.extract.conftest import NO_OCR, sample

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Extraction:
    """The extraction of the 13.7 s sample clip, shared because ffmpeg runs take a while."""
    return extract_media(sample("audio_video/testVideoMp4.mp4"), NO_OCR, tmp_path_factory.mktemp("clip"))


def test_video_duration_and_codecs(clip: Extraction) -> None:
    media = clip.meta["media"]
    assert media["duration_s"] == pytest.approx(13.696, abs=0.01)
    assert [(stream["type"], stream["codec"]) for stream in media["streams"]] == [
        ("video", "h264"),
        ("audio", "aac"),
    ]
    assert media["streams"][0]["width"] == 320


def test_video_unset_creation_time(clip: Extraction) -> None:
    # The container stores 0 (1970-01-01) as creation time, which means "not set".
    assert clip.document_date is None
    assert clip.meta["media"]["creation_time"] == ""


def test_video_keyframe_thumbnails(clip: Extraction) -> None:
    thumbnails = clip.meta["media"]["thumbnails"]
    assert thumbnails
    assert [page.page_no for page in clip.pages] == [item["page_no"] for item in thumbnails]
    assert all((page.image_png or b"").startswith(PNG_SIGNATURE) for page in clip.pages)


def test_tiny_video(workdir: Path) -> None:
    extraction = extract_media(sample("audio_video/testMP4Video.mp4"), NO_OCR, workdir)
    assert extraction.media_type == "video/mp4"
    assert extraction.meta["media"]["duration_s"] == pytest.approx(1.0, abs=0.01)


def test_mp3_tags(workdir: Path) -> None:
    extraction = extract_media(sample("audio_video/testMP3id3v2.mp3"), NO_OCR, workdir)
    assert extraction.title == "Test Title"
    assert extraction.author == "Test Artist"
    assert extraction.meta["media"]["streams"][0]["codec"] == "mp3"
    assert extraction.pages == []


def test_wav_codec(workdir: Path) -> None:
    extraction = extract_media(sample("audio_video/testWAV.wav"), NO_OCR, workdir)
    assert extraction.meta["media"]["streams"][0]["codec"] == "pcm_s16le"


def test_truncated_m4a(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="no audio or video stream"):
        extract_media(sample("malformed/testMP4_truncated.m4a"), NO_OCR, workdir)


def test_media_reader_rejects_text(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="ffprobe failed"):
        extract_media(sample("csv/testCSV.csv"), NO_OCR, workdir)


def test_video_creation_time(tmp_path: Path, workdir: Path) -> None:
    made = tmp_path / "made.mp4"
    subprocess.run(
        [
            "ffmpeg", "-v", "error", "-nostdin",
            "-f", "lavfi", "-i", "testsrc=duration=2:size=160x120:rate=10",
            "-metadata", "creation_time=2021-03-04T05:06:07Z",
            "-c:v", "mpeg4", str(made),
        ],
        check=True,
        timeout=60,
    )  # fmt: skip
    extraction = extract_media(made, NO_OCR, workdir)
    assert extraction.document_date == datetime(2021, 3, 4, 5, 6, 7, tzinfo=UTC)
    assert extraction.meta["media"]["creation_time"] == "2021-03-04T05:06:07+00:00"
    assert extraction.meta["media"]["streams"][0]["codec"] == "mpeg4"
