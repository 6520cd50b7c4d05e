"""Settings, read once from the environment (prefix ``CASETRAIL_``) and an optional ``.env`` file.

Nested values use ``__`` as the separator, for example ``CASETRAIL_SESSION__IDLE_MINUTES=15``.
Every setting is documented in README.md; a test keeps the two in step.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, Field
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
