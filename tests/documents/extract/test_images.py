from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import ExifTags, Image

from casetrail.documents.extract.base import ExtractionFailed, Limits
from casetrail.documents.extract.images import extract_image
from tests.documents.extract.conftest import NO_OCR, sample


def test_image_gps_position(workdir: Path) -> None:
    extraction = extract_image(sample("images/DSCN0010_gps.jpg"), NO_OCR, workdir)
    gps = extraction.meta["gps"]
    # 43° 28' 2.814" N, 11° 53' 6.456" E (near Arezzo, Italy).
    assert gps["lat"] == pytest.approx(43.4674483, abs=1e-6)
    assert gps["lon"] == pytest.approx(11.8851267, abs=1e-6)


def test_image_capture_time(workdir: Path) -> None:
    extraction = extract_image(sample("images/DSCN0010_gps.jpg"), NO_OCR, workdir)
    assert extraction.meta["captured_at"] == "2008-10-22T16:28:39"
    assert extraction.document_date == datetime(2008, 10, 22, 16, 28, 39, tzinfo=UTC)


def test_image_camera_exif(workdir: Path) -> None:
    extraction = extract_image(sample("images/DSCN0010_gps.jpg"), NO_OCR, workdir)
    assert extraction.meta["exif"]["Make"] == "NIKON"
    assert extraction.meta["exif"]["Model"] == "COOLPIX P6000"


def test_image_west_longitude_negative(workdir: Path) -> None:
    extraction = extract_image(sample("images/testJPEG_GEO.jpg"), NO_OCR, workdir)
    assert extraction.meta["gps"]["lon"] == pytest.approx(-54.1234, abs=1e-4)


def test_image_without_gps(workdir: Path) -> None:
    extraction = extract_image(sample("images/testJPEG_EXIF.jpg"), NO_OCR, workdir)
    assert "gps" not in extraction.meta
    assert extraction.meta["exif"]["Model"] == "Canon EOS 40D"


def test_heic_exif_and_gps(workdir: Path) -> None:
    extraction = extract_image(sample("images/testHEIF.heic"), NO_OCR, workdir)
    assert extraction.meta["image"]["format"] == "HEIF"
    assert extraction.meta["gps"]["lat"] == pytest.approx(12.54321, abs=1e-4)
    assert extraction.document_date == datetime(2009, 8, 11, 9, 9, 45, tzinfo=UTC)


def test_webp_preview(workdir: Path) -> None:
    extraction = extract_image(sample("images/testWEBP.webp"), NO_OCR, workdir)
    assert extraction.meta["image"]["width"] == 150
    assert extraction.pages[0].image_png is not None


def test_tiff_pages_per_frame(workdir: Path) -> None:
    extraction = extract_image(sample("images/testTIFF_multipage.tif"), NO_OCR, workdir)
    assert [page.page_no for page in extraction.pages] == [1, 2]
    assert extraction.meta["image"]["frames"] == 2


def test_scanned_image_ocr(workdir: Path) -> None:
    extraction = extract_image(sample("images/testOCR.png"), Limits(), workdir)
    assert extraction.pages[0].ocr is True
    assert "contains some words" in extraction.pages[0].text


def test_image_truncated(tmp_path: Path, workdir: Path) -> None:
    broken = tmp_path / "broken.jpg"
    broken.write_bytes(sample("images/DSCN0010_gps.jpg").read_bytes()[:2000])
    with pytest.raises(ExtractionFailed, match="damaged"):
        extract_image(broken, NO_OCR, workdir)


def test_image_capture_time_with_offset(tmp_path: Path, workdir: Path) -> None:
    exif = Image.Exif()
    details = exif.get_ifd(ExifTags.IFD.Exif)
    details[ExifTags.Base.DateTimeOriginal] = "2021:06:01 08:15:00"
    details[ExifTags.Base.OffsetTimeOriginal] = "+02:00"
    photo = tmp_path / "photo.jpg"
    Image.new("RGB", (32, 32), "gray").save(photo, exif=exif)
    extraction = extract_image(photo, NO_OCR, workdir)
    assert extraction.meta["captured_at"] == "2021-06-01T08:15:00+02:00"
    assert extraction.document_date == datetime(2021, 6, 1, 6, 15, tzinfo=UTC)
