"""Settings, read once from the environment (prefix ``CASETRAIL_``) and an optional ``.env`` file.

Nested values use ``__`` as the separator, for example ``CASETRAIL_SESSION__IDLE_MINUTES=15``.
Every setting is documented in README.md; a test keeps the two in step.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class SessionSettings(BaseModel):
    idle_minutes: int = Field(
        default=30,
        ge=1,
        description="Minutes without a request after which a browser session ends, e.g. 30.",
    )
    absolute_hours: int = Field(
        default=12,
        ge=1,
        description="Hours after login after which a session ends even while in use, e.g. 12.",
    )
    secure_cookie: bool = Field(
        default=False,
        description="Send the session cookie only over HTTPS. Turn on behind TLS in production.",
    )


class LoginSettings(BaseModel):
    max_failures: int = Field(
        default=5, ge=1, description="Failed logins in a row that lock an account, e.g. 5."
    )
    lockout_minutes: int = Field(
        default=15, ge=1, description="Minutes an account stays locked after too many failures."
    )
    min_password_length: int = Field(
        default=12, ge=8, description="Shortest password accepted for a local account."
    )


class BlobSettings(BaseModel):
    """Storage of evidence files: the backend and the master key that protects them at rest."""

    backend: str = Field(
        default="local",
        pattern="^(local|s3)$",
        description="Where blobs live: 'local' keeps files under DATA_DIR/blobs, 's3' in an S3 bucket.",
    )
    master_key: SecretStr | None = Field(
        default=None,
        description=(
            "Base64 of 32 random bytes that wrap every blob's data key, e.g. the output of "
            "`openssl rand -base64 32`. Unset means DATA_DIR/keys/master.key, which `casetrail init` creates."
        ),
    )
    master_key_id: str = Field(
        default="master-1",
        pattern="^[A-Za-z0-9._-]{1,64}$",
        description="Name of MASTER_KEY stored in each blob header, e.g. master-2 after a rotation.",
    )
    retired_master_keys: dict[str, SecretStr] = Field(
        default_factory=dict,
        description=(
            'Earlier master keys by key id, as JSON, e.g. {"master-1": "<base64>"}; '
            "blobs sealed under them stay readable after a rotation."
        ),
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="URL of the S3-compatible service, e.g. https://s3.example.org; unset means AWS.",
    )
    s3_bucket: str = Field(default="", description="Bucket that contains the blobs, e.g. casetrail-evidence.")
    s3_region: str | None = Field(default=None, description="Region of the bucket, e.g. eu-central-1.")
    s3_access_key_id: str | None = Field(
        default=None, description="Access key id; unset means the usual AWS credential chain."
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None, description="Secret access key that belongs to S3_ACCESS_KEY_ID."
    )


class EvidenceSettings(BaseModel):
    signing_key: SecretStr | None = Field(
        default=None,
        description=(
            "Base64 of the 32-byte Ed25519 private key that signs evidence packages. "
            "Unset means DATA_DIR/keys/package_signing.key, created on first use."
        ),
    )


class LakehouseSettings(BaseModel):
    """The analytics copy of the store in Apache Iceberg tables, and SQL over it."""

    catalog_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the Iceberg catalog database, e.g. "
            "postgresql+psycopg://casetrail@db.example/lakehouse; it holds the same tables as "
            "Iceberg's JDBC catalog, so Trino and Spark read them. Unset means SQLite in "
            "DATA_DIR/lakehouse/catalog.db."
        ),
    )
    warehouse: str | None = Field(
        default=None,
        description=(
            "Where table data and metadata files live: a local folder or an s3:// URL, e.g. "
            "s3://casetrail-lakehouse/warehouse. Unset means DATA_DIR/lakehouse/warehouse."
        ),
    )
    namespace: str = Field(
        default="casetrail",
        pattern="^[a-z][a-z0-9_]{0,63}$",
        description="Iceberg namespace (schema in Trino) that holds the tables, e.g. casetrail.",
    )
    s3_endpoint_url: str | None = Field(
        default=None,
        description="URL of the S3-compatible service of an s3:// warehouse, e.g. https://s3.example.org.",
    )
    s3_region: str | None = Field(
        default=None, description="Region of the warehouse bucket, e.g. eu-central-1."
    )
    s3_access_key_id: str | None = Field(
        default=None, description="Access key id for the warehouse bucket; unset means the AWS default chain."
    )
    s3_secret_access_key: SecretStr | None = Field(
        default=None, description="Secret access key that belongs to S3_ACCESS_KEY_ID."
    )
    batch_size: int = Field(
        default=500,
        ge=1,
        le=100_000,
        description="Outbox events (or audit records) the sync applies per Iceberg commit, e.g. 500.",
    )
    follow_interval_seconds: float = Field(
        default=5.0,
        gt=0,
        description="Seconds `lakehouse sync --follow` waits when it has caught up, e.g. 5.",
    )
    max_result_rows: int = Field(
        default=10_000,
        ge=1,
        description="Rows an analyst query returns at most; longer results are cut and marked truncated.",
    )
    query_timeout_seconds: float = Field(
        default=60.0, gt=0, description="Seconds after which an analyst query is interrupted, e.g. 60."
    )
    query_memory_limit: str = Field(
        default="2GB",
        pattern=r"^[0-9]+(\.[0-9]+)?\s?(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$",
        description="Memory one DuckDB query may use before it spills or fails, e.g. 2GB.",
    )
    query_threads: int = Field(default=2, ge=1, description="Threads one DuckDB query uses, e.g. 2.")
    orphan_grace_minutes: int = Field(
        default=60,
        ge=0,
        description=(
            "Files younger than this are never removed as orphans by `lakehouse maintain`, so a "
            "write in progress elsewhere keeps its files, e.g. 60."
        ),
    )
    snapshot_retention_days: int | None = Field(
        default=None,
        ge=1,
        description=(
            "Days of table history kept for time travel; `lakehouse maintain` expires older "
            "snapshots. Unset keeps every snapshot (a purge still removes history it must)."
        ),
    )


class DocumentSettings(BaseModel):
    """Limits of document ingestion. A file over a limit fails its own ingestion with the reason."""

    max_upload_bytes: int = Field(
        default=4 * 1024**3,
        ge=1,
        description="Largest file accepted for a document upload, in bytes, e.g. 4294967296 (4 GiB).",
    )
    max_unpacked_bytes: int = Field(
        default=2 * 1024**3,
        ge=1,
        description="Bytes an archive may unpack to in total before it is rejected, e.g. 2147483648.",
    )
    max_ratio: float = Field(
        default=100.0,
        gt=1,
        description="Unpacked size divided by packed size that marks an archive as a zip bomb, e.g. 100.",
    )
    max_members: int = Field(default=10_000, ge=1, description="Files one archive may contain, e.g. 10000.")
    max_depth: int = Field(
        default=5,
        ge=0,
        description="Nesting of child documents (an attachment of a mail inside a zip is depth 2), e.g. 5.",
    )
    max_pages: int = Field(default=5_000, ge=1, description="Pages read from one document, e.g. 5000.")
    max_ocr_pages: int = Field(default=500, ge=0, description="Pages of one document read by OCR, e.g. 500.")
    ocr_languages: str = Field(
        default="eng",
        pattern=r"^[a-z_]{3,}(\+[a-z_]{3,})*$",
        description="Tesseract language codes joined by '+', e.g. eng+deu.",
    )
    tool_timeout_seconds: float = Field(
        default=300.0,
        gt=0,
        description="Seconds one run of an external tool (tesseract, ffprobe, ffmpeg) may take, e.g. 300.",
    )
    phone_region: str = Field(
        default="",
        pattern="^([A-Z]{2})?$",
        description=(
            "Country (ISO 3166 alpha-2) whose national phone numbers are read from documents, "
            "e.g. GB; empty finds only numbers written with + and a country code."
        ),
    )
    max_memory_bytes: int = Field(
        default=4 * 1024**3,
        ge=0,
        description=(
            "Address space one extraction process may use, in bytes, e.g. 4294967296 (4 GiB); "
            "a file that needs more fails. 0 sets no limit."
        ),
    )
    extract_timeout_seconds: float = Field(
        default=3600.0,
        gt=0,
        description="Seconds reading one file may take in all (OCR of every page included), e.g. 3600.",
    )
    ingest_attempts: int = Field(
        default=3,
        ge=1,
        description="Runs of an ingestion job before it fails for good when its worker stops, e.g. 3.",
    )


class JobSettings(BaseModel):
    """The background job queue and its workers."""

    lease_seconds: float = Field(
        default=900.0,
        gt=0,
        description=(
            "Seconds a worker holds a job before another worker may take it over; the worker "
            "renews the lease while the job runs, e.g. 900."
        ),
    )
    poll_interval_seconds: float = Field(
        default=1.0, gt=0, description="Seconds an idle worker waits before it looks for work again, e.g. 1."
    )
    retry_base_seconds: float = Field(
        default=10.0,
        ge=0,
        description="Seconds before the second attempt of a failed job; doubles per attempt, e.g. 10.",
    )
    retry_max_seconds: float = Field(
        default=3600.0, ge=0, description="Longest delay between two attempts of a job, e.g. 3600."
    )


class MailSettings(BaseModel):
    """The SMTP server that sends notification e-mail. Unset HOST turns e-mail off."""

    host: str | None = Field(
        default=None,
        description="SMTP server name or address, e.g. smtp.example.org. Unset means no e-mail is sent.",
    )
    port: int = Field(default=587, ge=1, le=65535, description="SMTP port, e.g. 587 (STARTTLS) or 465 (SSL).")
    security: str = Field(
        default="starttls",
        pattern="^(none|starttls|ssl)$",
        description=(
            "Transport security: 'starttls' upgrades a plain connection, 'ssl' connects with TLS "
            "(port 465), 'none' sends in clear text (only for a relay on the same host)."
        ),
    )
    from_address: str = Field(
        default="casetrail@localhost",
        description="Sender address of notification e-mail, e.g. casetrail@agency.example.",
    )
    username: str | None = Field(
        default=None, description="SMTP login name; unset means the server needs no login."
    )
    password: SecretStr | None = Field(default=None, description="SMTP password for USERNAME.")
    password_file: Path | None = Field(
        default=None,
        description=(
            "File whose first line is the SMTP password, e.g. /run/secrets/smtp; used when "
            "PASSWORD is unset, so the password stays out of the environment."
        ),
    )
    timeout_seconds: float = Field(
        default=30.0, gt=0, description="Seconds to wait for the SMTP server on each step, e.g. 30."
    )
    base_url: str = Field(
        default="http://localhost:8000",
        description="Address of the web UI that links in e-mail start with, e.g. https://casetrail.agency.example.",
    )
    batch_size: int = Field(default=50, ge=1, description="E-mails one sender run claims at most, e.g. 50.")
    lease_seconds: float = Field(
        default=300.0,
        gt=0,
        description=(
            "Seconds a sender holds a claimed e-mail before another sender may take it over "
            "(its sender is presumed dead), e.g. 300. Keep it well above TIMEOUT_SECONDS."
        ),
    )
    retry_base_seconds: float = Field(
        default=30.0,
        gt=0,
        description="Seconds before the second attempt after a failed send; doubles per attempt, e.g. 30.",
    )
    retry_max_seconds: float = Field(
        default=3600.0, gt=0, description="Longest delay between two attempts of one e-mail, e.g. 3600."
    )
    max_attempts: int = Field(
        default=48,
        ge=1,
        description=(
            "Attempts after which an e-mail that still fails is marked failed, e.g. 48 "
            "(about two days of retries at the default delays)."
        ),
    )


class NotificationSettings(BaseModel):
    """In-app notifications and their live stream to the browser."""

    stream_poll_seconds: float = Field(
        default=2.0,
        gt=0,
        description="Seconds between two database reads of an open notification stream, e.g. 2.",
    )
    stream_heartbeat_seconds: float = Field(
        default=15.0,
        gt=0,
        description="Seconds of silence before the stream sends a comment to keep proxies open, e.g. 15.",
    )
    stream_max_seconds: float = Field(
        default=300.0,
        gt=0,
        description=(
            "Seconds after which the server ends a stream; the browser reconnects and resumes "
            "with Last-Event-ID, and the login is checked again, e.g. 300."
        ),
    )


class LeadSettings(BaseModel):
    """Tips from the public form, internal leads and their triage."""

    max_attachments: int = Field(
        default=5, ge=0, le=50, description="Files one tip (or one addition to it) may carry, e.g. 5."
    )
    max_attachment_bytes: int = Field(
        default=25 * 1024 * 1024,
        ge=1,
        description="Largest tip attachment in bytes; larger files are rejected, e.g. 26214400 (25 MiB).",
    )
    max_text_length: int = Field(
        default=20_000, ge=100, description="Longest tip text in characters, e.g. 20000."
    )
    rate_limit_window_seconds: int = Field(
        default=3600,
        ge=10,
        description="Length of one rate-limit window of the public tip pages in seconds, e.g. 3600.",
    )
    tips_per_window: int = Field(
        default=10, ge=1, description="Tips one client address may submit per window, e.g. 10."
    )
    receipt_attempts_per_window: int = Field(
        default=10,
        ge=1,
        description="Receipt-code look-ups (right or wrong) one client address may make per window, e.g. 10.",
    )
    client_key: SecretStr | None = Field(
        default=None,
        description=(
            "Base64 of 32 random bytes, the HMAC key that turns client addresses into rate-limit "
            "keys, e.g. the output of `openssl rand -base64 32`; every server process must share it. "
            "Unset means DATA_DIR/keys/tip_client.key, created on first use."
        ),
    )
    phone_region: str | None = Field(
        default=None,
        pattern="^[A-Z]{2}$",
        description=(
            "Two-letter country code used to read phone numbers written without a country code, "
            "e.g. DE; unset means only numbers written with + are recognised."
        ),
    )
    form_timezone: str = Field(
        default="UTC",
        description="IANA time zone in which times typed into the tip forms are read, e.g. Europe/Berlin.",
    )
    similarity_threshold: float = Field(
        default=0.7,
        gt=0,
        le=1,
        description="Jaccard similarity of word shingles above which two tip texts are grouped, e.g. 0.7.",
    )
    due_hours: dict[str, int] = Field(
        default_factory=lambda: {"urgent": 4, "high": 24, "normal": 72, "low": 168},
        description=(
            "Hours from arrival until a lead of each priority is due, as JSON, e.g. "
            '{"urgent": 4, "high": 24, "normal": 72, "low": 168}.'
        ),
    )


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="CASETRAIL_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="ignore",
    )

    data_dir: Path = Field(
        default=Path("var"),
        description="Folder for the embedded database and local files, e.g. ./var.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the operational database, e.g. "
            "postgresql+psycopg://casetrail@db.example/casetrail. "
            "Unset means SQLite in DATA_DIR/casetrail.db."
        ),
    )
    log_format: str = Field(
        default="console",
        pattern="^(console|json)$",
        description="Log output: 'console' for people, 'json' for a log collector.",
    )
    log_level: str = Field(default="INFO", description="Lowest level logged, e.g. INFO or DEBUG.")
    session: SessionSettings = Field(default_factory=SessionSettings)
    login: LoginSettings = Field(default_factory=LoginSettings)
    blobs: BlobSettings = Field(default_factory=BlobSettings)
    evidence: EvidenceSettings = Field(default_factory=EvidenceSettings)
    lakehouse: LakehouseSettings = Field(default_factory=LakehouseSettings)
    leads: LeadSettings = Field(default_factory=LeadSettings)
    documents: DocumentSettings = Field(default_factory=DocumentSettings)
    jobs: JobSettings = Field(default_factory=JobSettings)
    mail: MailSettings = Field(default_factory=MailSettings)
    notifications: NotificationSettings = Field(default_factory=NotificationSettings)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'casetrail.db').resolve()}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()


def reset_settings_cache() -> None:
    """Forget cached settings so the next call re-reads the environment (tests, CLI options)."""
    get_settings.cache_clear()
