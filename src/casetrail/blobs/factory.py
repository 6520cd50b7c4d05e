"""Building the configured blob store from settings."""

from __future__ import annotations

from casetrail.blobs.keys import load_keyring
from casetrail.blobs.local import LocalDirectory
from casetrail.blobs.store import BlobStore, ObjectBackend, SealedBlobStore
from casetrail.core.errors import CasetrailError
from casetrail.core.settings import Settings


def blob_store(settings: Settings) -> BlobStore:
    """Return the store named by ``CASETRAIL_BLOBS__BACKEND``, sealing under the current master key."""
    objects: ObjectBackend
    if settings.blobs.backend == "s3":
        objects = _s3_bucket(settings)
    else:
        objects = LocalDirectory(settings.data_dir / "blobs")
    return SealedBlobStore(objects, load_keyring(settings))


def _s3_bucket(settings: Settings) -> ObjectBackend:
    # boto3 is optional, so the S3 module is imported only when that backend is configured.
    try:
        from casetrail.blobs.s3 import S3Bucket  # noqa: PLC0415
    except ImportError:
        raise CasetrailError(
            "CASETRAIL_BLOBS__BACKEND=s3 needs boto3: install Casetrail with the s3 extra "
            "(uv sync --extra s3, or pip install 'casetrail[s3]')"
        ) from None
    return S3Bucket.from_settings(settings)
