from __future__ import annotations

from pathlib import Path

import pytest

from casetrail.documents.extract.base import ExtractionFailed
from casetrail.documents.extract.media import extract_media
from tests.documents.extract.conftest import NO_OCR, sample

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_video_duration_and_codecs(workdir: Path) -> None:
    extraction = extract_media(sample("audio_video/testVideoMp4.mp4"), NO_OCR, workdir)
    media = extraction.meta["media"]
    assert media["duration_s"] == pytest.approx(13.696, abs=0.01)
    assert [(stream["type"], stream["codec"]) for stream in media["streams"]] == [
        ("video", "h264"),
        ("audio", "aac"),
    ]
    assert media["streams"][0]["width"] == 320


def test_video_unset_creation_time(workdir: Path) -> None:
    # The container stores 0 (1970-01-01) as creation time, which means "not set".
    extraction = extract_media(sample("audio_video/testVideoMp4.mp4"), NO_OCR, workdir)
    assert extraction.document_date is None
    assert extraction.meta["media"]["creation_time"] == ""


def test_video_keyframe_thumbnails(workdir: Path) -> None:
    extraction = extract_media(sample("audio_video/testVideoMp4.mp4"), NO_OCR, workdir)
    thumbnails = extraction.meta["media"]["thumbnails"]
    assert thumbnails
    assert [page.page_no for page in extraction.pages] == [item["page_no"] for item in thumbnails]
    assert all((page.image_png or b"").startswith(PNG_SIGNATURE) for page in extraction.pages)


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
