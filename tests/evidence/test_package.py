"""Evidence packages: export, then verify with nothing but the zip; every kind of change is named."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest

from casetrail.auth.context import operator_context
from casetrail.blobs.sealed import DEFAULT_CHUNK_SIZE
from casetrail.db.engine import transaction
from casetrail.evidence.files import add_file
from casetrail.evidence.package import export_package
from casetrail.evidence.package_verify import PackageCheck, verify_package
from tests.evidence.conftest import World
from tests.support.streams import PatternStream


@pytest.fixture
def package(world: World, tmp_path: Path) -> Path:
    phone = world.new_item()
    world.new_item(description="Cash, 40 notes of 50 EUR", category="currency", seal_number="S-1003")
    world.upload(phone.item.number, b"\x89PNG\r\n\x1a\n" + b"photo" * 100, name="photo.png")
    with transaction(world.factory) as session:
        add_file(
            session,
            world.ctx(world.alice),
            world.store,
            world.number,
            phone.item.number,
            source=PatternStream(DEFAULT_CHUNK_SIZE + 10),
            file_name="phone.img",
        )
    destination = tmp_path / "out" / "package.zip"
    with transaction(world.factory) as session:
        export_package(
            session,
            world.ctx(world.alice),
            world.settings,
            world.store,
            world.number,
            destination=destination,
        )
    return destination


def _rewrite(
    source: Path,
    target: Path,
    *,
    drop: str | None = None,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
) -> Path:
    replace = replace or {}
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename == drop:
                continue
            new.writestr(info.filename, replace.get(info.filename, old.read(info.filename)))
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return target


def _kinds(check: PackageCheck) -> list[tuple[str, str]]:
    return [(problem.kind, problem.path) for problem in check.problems]


def test_package_contents(package: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        rows = list(csv.DictReader(io.StringIO(archive.read("custody_log.csv").decode())))
    assert {"files/E-0001/photo.png", "files/E-0001/phone.img"} <= names
    assert {"custody_log.json", "custody_log.csv", "report.pdf", "public_key.pem", "manifest.sig"} <= names
    listed = {entry["path"] for entry in manifest["files"]}
    assert listed == names - {"manifest.json", "manifest.sig"}
    assert manifest["case_number"] == "2026-0142"
    assert manifest["items"] == ["E-0001", "E-0002"]
    assert [row["event_type"] for row in rows] == ["intake", "file_added", "file_added", "intake"]


def test_intact_package_verifies(package: Path) -> None:
    check = verify_package(package)
    assert check.ok, check.problems
    assert check.files_checked == 6
    assert check.fingerprint is not None


def test_expected_fingerprint_checked(package: Path) -> None:
    fingerprint = verify_package(package).fingerprint
    assert fingerprint is not None
    grouped = ":".join(fingerprint[i : i + 4].upper() for i in range(0, 64, 4))
    assert verify_package(package, expected_fingerprint=grouped).ok
    check = verify_package(package, expected_fingerprint="ab" * 32)
    assert _kinds(check) == [("fingerprint", "public_key.pem")]


def test_changed_file_named(package: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        original = archive.read("files/E-0001/photo.png")
    changed = bytearray(original)
    changed[-1] ^= 0x01
    tampered = _rewrite(package, tmp_path / "changed.zip", replace={"files/E-0001/photo.png": bytes(changed)})
    check = verify_package(tampered)
    assert _kinds(check) == [("changed", "files/E-0001/photo.png")]


def test_removed_file_named(package: Path, tmp_path: Path) -> None:
    tampered = _rewrite(package, tmp_path / "removed.zip", drop="files/E-0001/phone.img")
    check = verify_package(tampered)
    assert _kinds(check) == [("missing", "files/E-0001/phone.img")]


def test_added_file_named(package: Path, tmp_path: Path) -> None:
    tampered = _rewrite(package, tmp_path / "added.zip", add={"files/E-0001/planted.jpg": b"\xff\xd8\xff"})
    check = verify_package(tampered)
    assert _kinds(check) == [("extra", "files/E-0001/planted.jpg")]


def test_changed_manifest_fails_signature(package: Path, tmp_path: Path) -> None:
    with zipfile.ZipFile(package) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    manifest["files"] = [entry for entry in manifest["files"] if entry["path"] != "files/E-0001/phone.img"]
    tampered = _rewrite(
        package,
        tmp_path / "manifest.zip",
        drop="files/E-0001/phone.img",
        replace={"manifest.json": json.dumps(manifest, indent=2).encode()},
    )
    check = verify_package(tampered)
    assert _kinds(check) == [("signature", "manifest.json")]


def test_duplicate_entry_named(package: Path, tmp_path: Path) -> None:
    tampered = tmp_path / "duplicate.zip"
    tampered.write_bytes(package.read_bytes())
    with pytest.warns(UserWarning, match="Duplicate name"), zipfile.ZipFile(tampered, "a") as archive:
        archive.writestr("files/E-0001/photo.png", b"second copy")
    check = verify_package(tampered)
    assert ("duplicate", "files/E-0001/photo.png") in _kinds(check)


def test_not_a_zip_named(tmp_path: Path) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"not a zip at all")
    check = verify_package(path)
    assert [problem.kind for problem in check.problems] == ["format"]


def test_custody_log_chain_checked(world: World, tmp_path: Path) -> None:
    item = world.new_item()
    destination = tmp_path / "chain.zip"
    with transaction(world.factory) as session:
        export_package(
            session,
            operator_context(),
            world.settings,
            world.store,
            world.number,
            destination=destination,
            item_numbers=[item.item.number],
        )
    with zipfile.ZipFile(destination) as archive:
        dossier = json.loads(archive.read("custody_log.json"))
    assert dossier["items"][0]["chain"]["ok"]
    dossier["items"][0]["events"][0]["seal_number"] = "S-FORGED"
    tampered = _rewrite(
        destination, tmp_path / "forged.zip", replace={"custody_log.json": json.dumps(dossier).encode()}
    )
    kinds = _kinds(verify_package(tampered))
    assert ("changed", "custody_log.json") in kinds
    assert ("chain", "custody_log.json") in kinds


def test_repacked_with_directories_verifies(package: Path, tmp_path: Path) -> None:
    # `unzip` then `zip -r` adds an entry for each folder; those carry no content.
    repacked = _rewrite(package, tmp_path / "repacked.zip", add={"files/": b"", "files/E-0001/": b""})
    check = verify_package(repacked)
    assert check.problems == []
