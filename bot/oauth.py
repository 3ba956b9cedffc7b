"""Multi-workspace install: Slack's OAuth flow with its tables in our database."""

from __future__ import annotations

import logging
from functools import partial

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from slack_bolt.oauth.callback_options import CallbackOptions, FailureArgs, SuccessArgs
from slack_bolt.oauth.oauth_settings import OAuthSettings
from slack_bolt.response import BoltResponse
from slack_sdk.oauth.installation_store.sqlalchemy import SQLAlchemyInstallationStore
from slack_sdk.oauth.state_store import OAuthStateStore
from slack_sdk.oauth.state_store.sqlalchemy import SQLAlchemyOAuthStateStore
from sqlalchemy.engine import Engine

from bot.manifest import BOT_SCOPES
from bot.settings import Settings
from commands.context import Clock
from storage.db import Database
from storage.slack_tables import BOTS_TABLE, INSTALLATIONS_TABLE, OAUTH_STATES_TABLE
from workflows.workspace_setup import add_installer_as_pmo_lead

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
    settings: Settings, store: SQLAlchemyInstallationStore, database: Database, clock: Clock
) -> OAuthSettings:
    """Bolt's OAuth settings: /slack/install and /slack/oauth_redirect; whoever installs
    becomes the workspace's first PMO lead when it has none."""
    assert settings.SLACK_CLIENT_SECRET and settings.SLACK_STATE_SECRET
    return OAuthSettings(
        client_id=settings.SLACK_CLIENT_ID,
        client_secret=settings.SLACK_CLIENT_SECRET,
        scopes=BOT_SCOPES,
        install_path="/slack/install",
        redirect_uri_path="/slack/oauth_redirect",
        installation_store=store,
        state_store=SignedStateStore(settings.SLACK_STATE_SECRET, database.engine),
        callback_options=CallbackOptions(
            success=partial(_installed, database, clock), failure=_not_installed
        ),
    )


def _installed(database: Database, clock: Clock, args: SuccessArgs) -> BoltResponse:
    # Stored by then; the installer leads a workspace that has no PMO lead yet, then
    # sees Slack's usual success page.
    installation = args.installation
    if installation.team_id and installation.user_id:
        with database.session() as session:
            added = add_installer_as_pmo_lead(
                session=session,
                team_id=installation.team_id,
                user_id=installation.user_id,
                now=clock(),
            )
        if added:
            logger.info(
                "%s installed pmo-bot in %s and is its first PMO lead",
                installation.user_id,
                installation.team_id,
            )
    return args.default.success(args)


def _not_installed(args: FailureArgs) -> BoltResponse:
    return args.default.failure(args)
