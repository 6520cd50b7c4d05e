from __future__ import annotations

import gzip
import io
import tarfile
import zipfile
from pathlib import Path

import py7zr
import pytest

from casetrail.documents.extract.archives import extract_7z, extract_gzip, extract_tar, extract_zip
from casetrail.documents.extract.base import ExtractionFailed, Limits
from tests.documents.extract.conftest import NO_OCR, sample

MEMBERS = [
    "testEXCEL.xls",
    "testHTML.html",
    "testOpenOffice2.odt",
    "testPDF.pdf",
    "testPPT.ppt",
    "testRTF.rtf",
    "testTXT.txt",
    "testWORD.doc",
    "testXML.xml",
]


def test_zip_members_become_children(workdir: Path) -> None:
    extraction = extract_zip(sample("archives/test-documents.zip"), NO_OCR, workdir)
    assert [child.file_name for child in extraction.children] == MEMBERS
    assert extraction.meta["archive"]["members"] == 9
    assert "testPDF.pdf" in extraction.pages[0].text


def test_zip_member_bytes(workdir: Path) -> None:
    extraction = extract_zip(sample("archives/test-documents.zip"), NO_OCR, workdir)
    pdf = next(child for child in extraction.children if child.file_name == "testPDF.pdf")
    with zipfile.ZipFile(sample("archives/test-documents.zip")) as archive:
        assert pdf.path.read_bytes() == archive.read("testPDF.pdf")


def test_zip_of_zip(workdir: Path) -> None:
    outer = extract_zip(sample("archives/test-zip-of-zip.zip"), NO_OCR, workdir)
    assert [child.file_name for child in outer.children] == ["html-within-zip.zip"]
    inner = extract_zip(outer.children[0].path, NO_OCR, workdir / "inner")
    assert [child.file_name for child in inner.children] == ["text.html"]


def test_7z_members(workdir: Path) -> None:
    extraction = extract_7z(sample("archives/test-documents.7z"), NO_OCR, workdir)
    names = sorted(child.file_name for child in extraction.children)
    assert names == [f"test-documents/{name}" for name in MEMBERS]
    assert extraction.meta["archive"]["unpacked_bytes"] == 115328


def test_7z_password_protected(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="password"):
        extract_7z(sample("archives/test7Z_protected_passTika.7z"), NO_OCR, workdir)


def test_tar_gz_members(tmp_path: Path, workdir: Path) -> None:
    bundle = tmp_path / "bundle.tar.gz"
    with tarfile.open(bundle, "w:gz") as archive:
        archive.add(sample("csv/testCSV.csv"), arcname="data/testCSV.csv")
        archive.add(sample("html/testHTML.html"), arcname="testHTML.html")
    extraction = extract_gzip(bundle, NO_OCR, workdir)
    assert [child.file_name for child in extraction.children] == ["data/testCSV.csv", "testHTML.html"]
    assert extraction.meta["archive"]["format"] == "tar+gzip"


def test_gzip_single_file_name(tmp_path: Path, workdir: Path) -> None:
    packed = tmp_path / "packed.gz"
    with packed.open("wb") as raw, gzip.GzipFile(filename="testCSV.csv", mode="wb", fileobj=raw) as stream:
        stream.write(sample("csv/testCSV.csv").read_bytes())
    extraction = extract_gzip(packed, NO_OCR, workdir)
    assert [child.file_name for child in extraction.children] == ["testCSV.csv"]
    assert extraction.children[0].path.read_bytes() == sample("csv/testCSV.csv").read_bytes()


def test_tar_skips_links_and_traversal(tmp_path: Path, workdir: Path) -> None:
    bundle = tmp_path / "bundle.tar"
    with tarfile.open(bundle, "w") as archive:
        payload = b"escaped"
        member = tarfile.TarInfo("../../etc/x")
        member.size = len(payload)
        archive.addfile(member, io.BytesIO(payload))
        link = tarfile.TarInfo("passwd")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        archive.addfile(link)
    extraction = extract_tar(bundle, NO_OCR, workdir)
    assert [child.file_name for child in extraction.children] == ["etc/x"]
    assert extraction.children[0].path.parent == workdir


def test_zip_traversal_stays_in_workdir(tmp_path: Path, workdir: Path) -> None:
    bundle = tmp_path / "traversal.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("../../etc/x", b"escaped")
        archive.writestr("/absolute/y", b"absolute")
    extraction = extract_zip(bundle, NO_OCR, workdir)
    assert [child.file_name for child in extraction.children] == ["etc/x", "absolute/y"]
    assert all(child.path.resolve().parent == workdir.resolve() for child in extraction.children)
    assert not (tmp_path.parent / "etc").exists()


def test_zip_bomb_ratio(tmp_path: Path, workdir: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", bytes(20 * 1024 * 1024))
    with pytest.raises(ExtractionFailed, match="compression ratio"):
        extract_zip(bomb, NO_OCR, workdir)


def test_zip_bomb_lying_header(tmp_path: Path, workdir: Path) -> None:
    # The member claims 1 kB but inflates to 20 MB. zipfile stops at the declared size, and the
    # checksum of the truncated output then fails.
    bomb = tmp_path / "liar.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", bytes(20 * 1024 * 1024))
    data = bytearray(bomb.read_bytes())
    declared = (20 * 1024 * 1024).to_bytes(4, "little")
    data = data.replace(declared, (1024).to_bytes(4, "little"))
    bomb.write_bytes(bytes(data))
    with pytest.raises(ExtractionFailed, match="cannot be unpacked"):
        extract_zip(bomb, NO_OCR, workdir)


def test_zip_total_size_limit(tmp_path: Path, workdir: Path) -> None:
    bundle = tmp_path / "big.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("a.bin", bytes(4096))
    with pytest.raises(ExtractionFailed, match="over the limit"):
        extract_zip(bundle, Limits(max_unpacked_bytes=1000), workdir)


def test_zip_member_count_limit(tmp_path: Path, workdir: Path) -> None:
    bundle = tmp_path / "many.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        for index in range(5):
            archive.writestr(f"{index}.txt", b"x")
    with pytest.raises(ExtractionFailed, match="members"):
        extract_zip(bundle, Limits(max_members=3), workdir)


def test_zip_password_protected(tmp_path: Path, workdir: Path) -> None:
    bundle = tmp_path / "locked.zip"
    with zipfile.ZipFile(bundle, "w") as archive:
        archive.writestr("secret.txt", b"x")
    data = bytearray(bundle.read_bytes())
    # Set the "encrypted" bit (general purpose flag bit 0) in the local and central headers.
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature)
        data[position + offset] |= 0x01
    bundle.write_bytes(bytes(data))
    with pytest.raises(ExtractionFailed, match="password"):
        extract_zip(bundle, NO_OCR, workdir)


def test_droste_quine_yields_itself(workdir: Path) -> None:
    # A zip that contains itself. The pipeline stops such recursion at Limits.max_depth.
    extraction = extract_zip(sample("malformed/droste.zip"), NO_OCR, workdir)
    inner = next(child for child in extraction.children if child.file_name == "droste.zip")
    assert inner.path.read_bytes() == sample("malformed/droste.zip").read_bytes()


def test_zip_corrupted(workdir: Path) -> None:
    with pytest.raises(ExtractionFailed, match="damaged"):
        extract_zip(sample("malformed/testZIP_corrupted_oom.zip"), NO_OCR, workdir)


def test_gzip_bomb_counted_while_copying(tmp_path: Path, workdir: Path) -> None:
    # gzip declares no size up front, so only counting the inflated bytes can stop it.
    bomb = tmp_path / "zeros.gz"
    bomb.write_bytes(gzip.compress(bytes(20 * 1024 * 1024)))
    with pytest.raises(ExtractionFailed, match="compression ratio"):
        extract_gzip(bomb, NO_OCR, workdir)


def test_7z_bomb_ratio(tmp_path: Path, workdir: Path) -> None:
    bomb = tmp_path / "zeros.7z"
    with py7zr.SevenZipFile(bomb, "w") as archive:
        archive.writestr(bytes(20 * 1024 * 1024), "zeros.bin")
    with pytest.raises(ExtractionFailed, match="compression ratio"):
        extract_7z(bomb, NO_OCR, workdir)


def test_7z_declared_size_limit(tmp_path: Path, workdir: Path) -> None:
    bundle = tmp_path / "big.7z"
    with py7zr.SevenZipFile(bundle, "w") as archive:
        archive.writestr(bytes(4096), "a.bin")
    with pytest.raises(ExtractionFailed, match="would unpack to 4096 bytes"):
        extract_7z(bundle, Limits(max_unpacked_bytes=1000), workdir)
