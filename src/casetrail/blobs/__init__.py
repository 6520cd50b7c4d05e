"""Content-addressed, encrypted file storage for evidence: a local directory or an S3 bucket.

Depends only on ``casetrail.core``. A blob is named by the SHA-256 of its plaintext, sealed with
AES-256-GCM in chunks (see ``sealed``), and streamed in and out, never held whole in memory.
"""
