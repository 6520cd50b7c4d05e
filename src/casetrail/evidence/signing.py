"""The installation's Ed25519 key that signs evidence package manifests.

It comes from ``CASETRAIL_EVIDENCE__SIGNING_KEY`` (base64 of the 32-byte private key) or from
``DATA_DIR/keys/package_signing.key`` (PKCS#8 PEM, mode 0600), created on first use. The
fingerprint is the SHA-256 of the raw 32-byte public key in hex. Publish it, so that recipients
can check that a package was signed by this installation.
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from casetrail.blobs.keys import decode_key, keys_dir, write_secret_file
from casetrail.core.errors import CasetrailError
from casetrail.core.logging import get_logger
from casetrail.core.settings import Settings

log = get_logger(__name__)

SIGNING_KEY_FILE = "package_signing.key"


def load_signing_key(settings: Settings) -> Ed25519PrivateKey:
    """Return the configured signing key, creating the key file on first use."""
    configured = settings.evidence.signing_key
    if configured is not None:
        raw = decode_key(configured.get_secret_value(), "CASETRAIL_EVIDENCE__SIGNING_KEY")
        return Ed25519PrivateKey.from_private_bytes(raw)
    path = keys_dir(settings) / SIGNING_KEY_FILE
    if not path.exists():
        fresh = Ed25519PrivateKey.generate()
        pem = fresh.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        if write_secret_file(path, pem):
            log.info("package_signing_key_created", fingerprint=fingerprint(fresh.public_key()))
    try:
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    except (OSError, ValueError) as error:
        raise CasetrailError(f"package signing key {path} is unreadable: {error}") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CasetrailError(f"package signing key {path} is not an Ed25519 key")
    return key


def public_key_pem(key: Ed25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def fingerprint(key: Ed25519PublicKey) -> str:
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()


def normalise_fingerprint(value: str) -> str:
    """Accept a fingerprint with spaces or colons between digit groups, in either case."""
    return "".join(char for char in value.lower() if char in "0123456789abcdef")


def load_public_key(pem: bytes) -> Ed25519PublicKey:
    try:
        key = serialization.load_pem_public_key(pem)
    except ValueError as error:
        raise CasetrailError(f"the public key is not valid PEM: {error}") from None
    if not isinstance(key, Ed25519PublicKey):
        raise CasetrailError("the public key is not an Ed25519 key")
    return key


def signature_valid(key: Ed25519PublicKey, signature: bytes, data: bytes) -> bool:
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
