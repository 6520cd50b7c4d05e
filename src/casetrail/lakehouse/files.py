"""Files of a table on its file system (a local folder or an object store), and orphan removal.

A file is reachable when the table's current metadata file, or a snapshot listed in it,
refers to it: manifest lists, manifests, data and delete files, statistics files. Everything
else under the table's location is an orphan: data files of a write that never committed,
files of expired snapshots, superseded metadata files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pyarrow.fs import FileSelector, FileSystem, FileType
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.table import Table

from casetrail.core.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class StoredFile:
    path: str
    """Path on the table's file system, without the scheme (bucket/key for object stores)."""
    modified: datetime | None
    size: int


def _file_system(table: Table, location: str) -> tuple[FileSystem, str]:
    scheme, netloc, path = PyArrowFileIO.parse_location(location)
    io = table.io
    if not isinstance(io, PyArrowFileIO):
        io = PyArrowFileIO(table.io.properties)
    return io.fs_by_scheme(scheme, netloc), path


def _path_of(location: str) -> str:
    return PyArrowFileIO.parse_location(location)[2]


def list_files(table: Table) -> list[StoredFile]:
    """List every file under the table's location."""
    fs, root = _file_system(table, table.location())
    infos = fs.get_file_info(FileSelector(root, recursive=True, allow_not_found=True))
    return [
        StoredFile(path=info.path, modified=info.mtime, size=info.size or 0)
        for info in infos
        if info.type == FileType.File
    ]


def reachable_paths(table: Table) -> set[str]:
    """Return the paths of every file the current metadata refers to."""
    paths = {_path_of(table.metadata_location)}
    metadata = table.metadata
    for statistics in metadata.statistics:
        paths.add(_path_of(statistics.statistics_path))
    for partition_statistics in metadata.partition_statistics:
        paths.add(_path_of(partition_statistics.statistics_path))
    for snapshot in metadata.snapshots:
        paths.add(_path_of(snapshot.manifest_list))
        for manifest in snapshot.manifests(table.io):
            paths.add(_path_of(manifest.manifest_path))
            for entry in manifest.fetch_manifest_entry(table.io, discard_deleted=True):
                paths.add(_path_of(entry.data_file.file_path))
    return paths


def orphan_files(table: Table, *, older_than: datetime | None) -> list[StoredFile]:
    """Return unreachable files, only those modified before ``older_than`` when it is given."""
    reachable = reachable_paths(table)
    orphans = []
    for stored in list_files(table):
        if stored.path in reachable:
            continue
        if older_than is not None and stored.modified is not None and stored.modified >= older_than:
            continue
        orphans.append(stored)
    return orphans


def delete_files(table: Table, files: list[StoredFile]) -> None:
    if not files:
        return
    fs, _root = _file_system(table, table.location())
    for stored in files:
        fs.delete_file(stored.path)


def delete_location(table: Table) -> int:
    """Delete every file under the table's location; return how many there were."""
    files = list_files(table)
    delete_files(table, files)
    return len(files)
