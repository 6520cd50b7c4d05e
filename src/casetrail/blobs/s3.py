"""Blobs in an S3-compatible bucket (AWS S3, MinIO, Ceph RGW, ...), through boto3.

boto3 is an optional dependency (the ``s3`` extra); ``factory`` imports this module only when
the S3 backend is configured. An object is uploaded only once it is complete (multipart for
large files), so a reader never sees part of one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, BinaryIO, cast

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from casetrail.core.errors import CasetrailError, NotFound
from casetrail.core.settings import Settings

_MISSING_CODES = {"404", "NoSuchKey", "NotFound"}


def client_from_settings(settings: Settings) -> Any:
    blobs = settings.blobs
    secret = blobs.s3_secret_access_key.get_secret_value() if blobs.s3_secret_access_key else None
    return boto3.client(
        "s3",
        endpoint_url=blobs.s3_endpoint_url,
        region_name=blobs.s3_region,
        aws_access_key_id=blobs.s3_access_key_id,
        aws_secret_access_key=secret,
        # Path-style addressing needs no DNS entry per bucket, so S3-compatible services accept it.
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"}),
    )


class S3Bucket:
    name = "s3"

    def __init__(self, client: Any, bucket: str, spool: Path) -> None:
        if not bucket:
            raise CasetrailError("CASETRAIL_BLOBS__S3_BUCKET is empty: name the bucket that holds the blobs")
        self.client = client
        self.bucket = bucket
        self.spool = spool

    @classmethod
    def from_settings(cls, settings: Settings) -> S3Bucket:
        return cls(client_from_settings(settings), settings.blobs.s3_bucket, settings.data_dir / "tmp")

    def exists(self, key: str) -> bool:
        try:
            self.client.head_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _error_code(error) in _MISSING_CODES:
                return False
            raise
        return True

    @contextmanager
    def reader(self, key: str) -> Iterator[BinaryIO]:
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=key)
        except ClientError as error:
            if _error_code(error) in _MISSING_CODES:
                raise NotFound(f"blob {key.rsplit('/', 1)[-1]} not found in bucket {self.bucket}") from None
            raise
        body = response["Body"]
        try:
            yield cast(BinaryIO, body)
        finally:
            body.close()

    def store_file(self, path: Path, key: str) -> bool:
        if self.exists(key):
            return False
        self.client.upload_file(str(path), self.bucket, key)
        return True

    def spool_dir(self) -> Path:
        return self.spool


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
