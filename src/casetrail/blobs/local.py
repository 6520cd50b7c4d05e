"""Blobs in a local directory: ``ROOT/ab/cd/<sha256>``, temporary files in ``ROOT/tmp``."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from casetrail.core.errors import NotFound


class LocalDirectory:
    name = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_for(self, key: str) -> Path:
        return self.root / key

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    @contextmanager
    def reader(self, key: str) -> Iterator[BinaryIO]:
        try:
            handle = self.path_for(key).open("rb")
        except FileNotFoundError:
            raise NotFound(f"blob {key.rsplit('/', 1)[-1]} not found in {self.root}") from None
        with handle:
            yield handle

    def store_file(self, path: Path, key: str) -> bool:
        target = self.path_for(key)
        if target.exists():
            return False
        target.parent.mkdir(parents=True, exist_ok=True)
        # The temporary file lives under the same root, so the rename is atomic.
        os.replace(path, target)
        _fsync_dir(target.parent)
        return True

    def spool_dir(self) -> Path:
        return self.root / "tmp"


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
