"""Blob store fixtures: the same behaviour suite runs on a local directory and on an S3 server.

The S3 server is moto's emulator started on 127.0.0.1 (see ``tests.support.s3``).
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest

from casetrail.blobs.keys import Keyring, MasterKey
from casetrail.blobs.local import LocalDirectory
from casetrail.blobs.s3 import S3Bucket
from casetrail.blobs.store import ObjectBackend, SealedBlobStore, object_key
from tests.support.s3 import S3Server, S3Unavailable, start_s3_server

TEST_CHUNK_SIZE = 64 * 1024
_buckets = itertools.count()


@pytest.fixture(scope="session")
def s3_server() -> Iterator[S3Server]:
    try:
        server = start_s3_server()
    except S3Unavailable as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"the S3 emulator is required in CI: {error}", pytrace=False)
        pytest.skip(f"S3 emulator unavailable: {error}")
    yield server
    server.stop()


def s3_client(server: S3Server) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=server.endpoint_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@dataclass
class RawAccess:
    """Reads and replaces a stored object behind the store's back, to simulate damage."""

    read: Callable[[str], bytes]
    write: Callable[[str, bytes], None]
    count: Callable[[], int]


@dataclass
class StoreUnderTest:
    objects: ObjectBackend
    raw: RawAccess
    keyring: Keyring

    def store(self, keyring: Keyring | None = None, chunk_size: int = TEST_CHUNK_SIZE) -> SealedBlobStore:
        return SealedBlobStore(self.objects, keyring or self.keyring, chunk_size=chunk_size)


def _local(tmp_path: Path) -> tuple[ObjectBackend, RawAccess]:
    root = tmp_path / "blobs"
    objects = LocalDirectory(root)

    def write(sha256: str, data: bytes) -> None:
        objects.path_for(object_key(sha256)).write_bytes(data)

    def count() -> int:
        return sum(1 for path in root.rglob("*") if path.is_file() and path.parent.name != "tmp")

    raw = RawAccess(
        read=lambda sha256: objects.path_for(object_key(sha256)).read_bytes(),
        write=write,
        count=count,
    )
    return objects, raw


def _s3(server: S3Server, tmp_path: Path) -> tuple[ObjectBackend, RawAccess]:
    client = s3_client(server)
    bucket = f"casetrail-test-{os.getpid()}-{next(_buckets)}"
    client.create_bucket(Bucket=bucket)
    objects = S3Bucket(client, bucket, tmp_path / "spool")

    def read(sha256: str) -> bytes:
        body: bytes = client.get_object(Bucket=bucket, Key=object_key(sha256))["Body"].read()
        return body

    def write(sha256: str, data: bytes) -> None:
        client.put_object(Bucket=bucket, Key=object_key(sha256), Body=data)

    def count() -> int:
        listed: int = client.list_objects_v2(Bucket=bucket).get("KeyCount", 0)
        return listed

    return objects, RawAccess(read=read, write=write, count=count)


@pytest.fixture(params=["local", "s3"])
def under_test(request: pytest.FixtureRequest, tmp_path: Path) -> StoreUnderTest:
    if request.param == "local":
        objects, raw = _local(tmp_path)
    else:
        objects, raw = _s3(request.getfixturevalue("s3_server"), tmp_path)
    return StoreUnderTest(objects, raw, Keyring(MasterKey("test-key", os.urandom(32))))


@pytest.fixture
def store(under_test: StoreUnderTest) -> SealedBlobStore:
    return under_test.store()
