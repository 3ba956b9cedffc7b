"""Multi-workspace install: Slack's OAuth flow with its tables in our database."""

from __future__ import annotations

import logging

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.engine import Engine

from bot.manifest import BOT_SCOPES
from bot.settings import Settings
from storage.slack_tables import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE

logger = logging.getLogger(__name__)
STATE_TTL_SECONDS = 600


class SignedStateStore(OAuthStateStore):
    """OAuth states signed with SLACK_STATE_SECRET and used once (kept in the database)."""

    def __init__(self, secret: str, engine: Engine) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="pmo-bot-oauth-state")
        self._once = SQLAlchemyOAuthStateStore(
            expiration_seconds=STATE_TTL_SECONDS, engine=engine, table_name=OAUTH_STATES_TABLE
        )

    @property
    def logger(self) -> logging.Logger:
        return logger

    def issue(self, *args: object, **kwargs: object) -> str:
        """A fresh state: a one-time nonce, signed so a forged one fails before the database."""
        return self._signer.dumps(self._once.issue())

    def consume(self, state: str) -> bool:
        """True once for a state we issued in the last ten minutes."""
        try:
            nonce = self._signer.loads(state, max_age=STATE_TTL_SECONDS)
        except (BadSignature, SignatureExpired):
            logger.warning("rejected an OAuth state with a bad signature or past its time")
            return False
        return self._once.consume(nonce)


def installation_store(settings: Settings, engine: Engine) -> SQLAlchemyInstallationStore:
    """Slack's installation store on our tables (created by our migrations)."""
    assert settings.SLACK_CLIENT_ID
    return SQLAlchemyInstallationStore(
        client_id=settings.SLACK_CLIENT_ID,
        engine=engine,
        bots_table_name=BOTS_TABLE,
        installations_table_name=INSTALLATIONS_TABLE,
    )


def oauth_settings(
    settings: Settings, store: SQLAlchemyInstallationStore, engine: Engine
) -> OAuthSettings:
    """Bolt's OAuth settings: /slack/install and /slack/oauth_redirect."""
    assert settings.SLACK_CLIENT_SECRET and settings.SLACK_STATE_SECRET
    return OAuthSettings(
        client_id=settings.SLACK_CLIENT_ID,
        client_secret=settings.SLACK_CLIENT_SECRET,
        scopes=BOT_SCOPES,
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        installation_store=store,
        state_store=SignedStateStore(settings.SLACK_STATE_SECRET, engine),
    )
