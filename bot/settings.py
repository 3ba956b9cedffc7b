"""The one place pmo-bot reads its configuration: the environment and an optional `.env`."""

from __future__ import annotations

from typing import Self

from pydantic import Field, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from storage.db import normalize_url

DEFAULT_DATABASE_URL = "sqlite:///pmo.db"
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
# Bolt's listener threads in a serving process (bot/app.py): each may be in a transaction.
LISTENER_THREADS = 16
DEFAULT_POOL_SIZE = LISTENER_THREADS


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line that names it."""


class Settings(BaseSettings):
    """Everything pmo-bot needs from its deployment, validated once at start."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", case_sensitive=True)

    SLACK_BOT_TOKEN: str | None = None
    SLACK_SIGNING_SECRET: str | None = None
    SLACK_APP_TOKEN: str | None = None
    SLACK_CLIENT_ID: str | None = None
    SLACK_CLIENT_SECRET: str | None = None
    SLACK_STATE_SECRET: str | None = None
    SLACK_API_URL: str = DEFAULT_SLACK_API_URL
    DATABASE_URL: str = DEFAULT_DATABASE_URL
    PORT: int = Field(default=3000, ge=1, le=65535)
    # The most database connections a serving process holds, kept open once opened: one
    # per listener thread (bot/app.py) by default.
    DATABASE_POOL_SIZE: int = Field(default=DEFAULT_POOL_SIZE, ge=1, le=100)
    # `pmo-bot scheduler` serves GET /metrics and /healthz on this port when set.
    METRICS_PORT: int | None = Field(default=None, ge=1, le=65535)
    # A folder of Jinja2 templates overriding the digest's and nudges' text (optional).
    TEMPLATES_DIR: str | None = None

    @field_validator(
        "SLACK_BOT_TOKEN",
        "SLACK_SIGNING_SECRET",
        "SLACK_APP_TOKEN",
        "SLACK_CLIENT_ID",
        "SLACK_CLIENT_SECRET",
        "SLACK_STATE_SECRET",
        "METRICS_PORT",
        mode="before",
    )
    @classmethod
    def _blank_is_unset(cls, value: object) -> object:
        # `FOO=` in a .env file means "not set", not "set to nothing".
        if isinstance(value, str) and not value.strip():
            return None
        return value.strip() if isinstance(value, str) else value

    @field_validator("SLACK_BOT_TOKEN")
    @classmethod
    def _bot_token_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("SLACK_APP_TOKEN")
    @classmethod
    def _app_token_shape(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("SLACK_API_URL")
    @classmethod
    def _api_url_shape(cls, value: str) -> str:
        value = value.strip()
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return value if value.endswith("/") else value + "/"

    @field_validator("DATABASE_URL")
    @classmethod
    def _database_url_shape(cls, value: str) -> str:
        # Heroku still hands out postgres:// URLs, which SQLAlchemy no longer accepts.
        value = normalize_url(value)
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError("must be a database URL such as sqlite:///pmo.db") from None
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("must be a sqlite:// or postgresql:// URL")
        return value

    @model_validator(mode="after")
    def _oauth_settings_come_together(self) -> Self:
        oauth = {
            "SLACK_CLIENT_ID": self.SLACK_CLIENT_ID,
            "SLACK_CLIENT_SECRET": self.SLACK_CLIENT_SECRET,
            "SLACK_STATE_SECRET": self.SLACK_STATE_SECRET,
        }
        given = [name for name, value in oauth.items() if value]
        if given and len(given) < len(oauth):
            missing = next(name for name, value in oauth.items() if not value)
            raise ValueError(f"{missing} is required when {given[0]} is set (OAuth install)")
        return self

    @property
    def oauth_enabled(self) -> bool:
        """True when the app installs into many workspaces through OAuth."""
        return bool(self.SLACK_CLIENT_ID)

    @property
    def socket_mode(self) -> bool:
        """True when `serve` connects over Socket Mode instead of listening on HTTP."""
        return bool(self.SLACK_APP_TOKEN)

    def require_slack(self, *, receive: bool = True) -> None:
        """Raise SettingsError unless the settings are enough to talk to Slack.

        `receive` False is for processes that only send (the scheduler): they need a
        token but no signing secret.
        """
        if not self.oauth_enabled and not self.SLACK_BOT_TOKEN:
            raise SettingsError(
                "SLACK_BOT_TOKEN is not set: give the bot token (xoxb-...) from your Slack "
                "app's OAuth & Permissions page, or SLACK_CLIENT_ID, SLACK_CLIENT_SECRET and "
                "SLACK_STATE_SECRET for multi-workspace install"
            )
        if receive and not self.socket_mode and not self.SLACK_SIGNING_SECRET:
            raise SettingsError(
                "SLACK_SIGNING_SECRET is not set: HTTP mode needs the signing secret from your "
                "Slack app's Basic Information page (or set SLACK_APP_TOKEN for Socket Mode)"
            )


def load_settings(**overrides: object) -> Settings:
    """Read and validate the settings, raising SettingsError with one line naming the culprit."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        error = exc.errors()[0]
        name = ".".join(str(part) for part in error["loc"]) or "settings"
        message = error["msg"].removeprefix("Value error, ")
        if name == "settings":
            raise SettingsError(message) from None
        raise SettingsError(f"{name}: {message[:1].lower()}{message[1:]}") from None
