"""Verifying an evidence package with nothing but the zip: no database, no configuration.

Checks, each reported as a named problem: the manifest's Ed25519 signature under the included
public key; the key's fingerprint against the one the caller expects (the signature alone only
proves that the package was made with the included key); the SHA-256 and size of every file
the manifest lists; files missing from the zip, files the manifest does not list and names that
occur twice; and the hash chain of every item's custody log.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from casetrail.core.errors import CasetrailError
from casetrail.evidence.chain import check_chain
from casetrail.evidence.package import CONTROL_FILES, MANIFEST, PUBLIC_KEY, SIGNATURE
from casetrail.evidence.signing import fingerprint, load_public_key, normalise_fingerprint, signature_valid

_READ_SIZE = 1024 * 1024


@dataclass(frozen=True)
class PackageProblem:
    kind: str
    """One of: format, signature, fingerprint, missing, changed, extra, duplicate, chain."""
    path: str
    detail: str


@dataclass
class PackageCheck:
    path: Path
    fingerprint: str | None = None
    files_checked: int = 0
    problems: list[PackageProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, path: str, detail: str) -> None:
        self.problems.append(PackageProblem(kind, path, detail))


def verify_package(path: Path, expected_fingerprint: str | None = None) -> PackageCheck:
    """Check the package at ``path``; every problem found is listed, not only the first."""
    check = PackageCheck(path=path)
    try:
        archive = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile) as error:
        check.add("format", str(path), f"not a readable zip file: {error}")
        return check
    with archive:
        # Directory entries carry no content; `zip -r` adds them when a package is re-packed.
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        for name, count in Counter(names).items():
            if count > 1:
                check.add("duplicate", name, f"the zip holds {count} entries with this name")
        manifest_bytes = _member(archive, MANIFEST, check)
        if manifest_bytes is None:
            return check
        _check_signature(archive, manifest_bytes, expected_fingerprint, check)
        manifest = _parse_manifest(manifest_bytes, check)
        if manifest is None:
            return check
        _check_files(archive, manifest, set(names), check)
        _check_custody_chains(archive, manifest, check)
    return check


def _member(archive: zipfile.ZipFile, name: str, check: PackageCheck) -> bytes | None:
    try:
        return archive.read(name)
    except KeyError:
        check.add("missing", name, "the package has no such file")
    except (zipfile.BadZipFile, OSError) as error:
        check.add("changed", name, f"unreadable: {error}")
    return None


def _check_signature(
    archive: zipfile.ZipFile, manifest_bytes: bytes, expected_fingerprint: str | None, check: PackageCheck
) -> None:
    key_pem = _member(archive, PUBLIC_KEY, check)
    signature_text = _member(archive, SIGNATURE, check)
    if key_pem is None or signature_text is None:
        check.add("signature", MANIFEST, "cannot check the signature: the key or the signature is missing")
        return
    try:
        key = load_public_key(key_pem)
        signature = base64.b64decode(signature_text.strip(), validate=True)
    except (CasetrailError, binascii.Error, ValueError) as error:
        check.add("signature", SIGNATURE, f"unreadable signature or key: {error}")
        return
    check.fingerprint = fingerprint(key)
    if not signature_valid(key, signature, manifest_bytes):
        check.add(
            "signature",
            MANIFEST,
            "the signature does not match: the manifest was changed or signed by another key",
        )
    if expected_fingerprint is not None and normalise_fingerprint(expected_fingerprint) != check.fingerprint:
        check.add(
            "fingerprint",
            PUBLIC_KEY,
            f"the package is signed by key {check.fingerprint}, not by the expected {expected_fingerprint}",
        )


def _parse_manifest(manifest_bytes: bytes, check: PackageCheck) -> dict[str, Any] | None:
    try:
        manifest = json.loads(manifest_bytes)
        entries = manifest["files"]
        if not isinstance(entries, list):
            raise TypeError("files is not a list")
        for entry in entries:
            str(entry["path"]), str(entry["sha256"]), int(entry["size"])
    except (ValueError, KeyError, TypeError) as error:
        check.add("format", MANIFEST, f"the manifest is not valid: {error}")
        return None
    if check.fingerprint is not None and manifest.get("signing_key_fingerprint") != check.fingerprint:
        check.add(
            "fingerprint", MANIFEST, "the manifest names another signing key than the included public key"
        )
    result: dict[str, Any] = manifest
    return result


def _check_files(
    archive: zipfile.ZipFile, manifest: dict[str, Any], present: set[str], check: PackageCheck
) -> None:
    listed: set[str] = set()
    for entry in manifest["files"]:
        path = str(entry["path"])
        listed.add(path)
        if path not in present:
            check.add("missing", path, "listed in the manifest but not in the package")
            continue
        digest, size = _hash_member(archive, path)
        check.files_checked += 1
        if digest is None:
            check.add("changed", path, "the file cannot be read from the zip")
        elif digest != entry["sha256"] or size != int(entry["size"]):
            check.add(
                "changed",
                path,
                f"SHA-256 {digest} and {size} bytes; the manifest records "
                f"{entry['sha256']} and {entry['size']} bytes",
            )
    for path in sorted(present - listed - CONTROL_FILES):
        check.add("extra", path, "in the package but not listed in the manifest")


def _hash_member(archive: zipfile.ZipFile, path: str) -> tuple[str | None, int]:
    digest = hashlib.sha256()
    size = 0
    try:
        with archive.open(path) as member:
            while chunk := member.read(_READ_SIZE):
                digest.update(chunk)
                size += len(chunk)
    except (zipfile.BadZipFile, OSError):
        return None, size
    return digest.hexdigest(), size


def _check_custody_chains(archive: zipfile.ZipFile, manifest: dict[str, Any], check: PackageCheck) -> None:
    name = "custody_log.json"
    if name not in {str(entry["path"]) for entry in manifest["files"]}:
        check.add("missing", name, "the manifest lists no custody log")
        return
    try:
        dossier = json.loads(archive.read(name))
        items = list(dossier["items"])
    except (KeyError, ValueError, TypeError, zipfile.BadZipFile) as error:
        check.add("format", name, f"the custody log is not valid: {error}")
        return
    for item in items:
        try:
            result = check_chain(item["events"], expected_head=item.get("custody_head"))
        except (KeyError, TypeError, ValueError) as error:
            check.add("chain", name, f"item {item.get('number')}: an event lacks a field ({error})")
            continue
        if not result.ok:
            check.add("chain", name, f"item {item['number']}: event {result.first_bad_seq}: {result.problem}")
