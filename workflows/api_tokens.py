"""Tokens for the read-only API: PMO leads create, list and revoke them; the API checks them.

A token is shown once, when it is created; only its SHA-256 hash is kept. Looking a token
up by its hash is what makes the check constant-time: nobody compares secrets byte by byte.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from storage import audit
from storage.api_queries import live_token, live_token_named, tokens_of
from storage.models import ApiToken
from storage.workspaces import ensure_workspace
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError
from workflows.markup import mentions, quoted

PREFIX = "pmo_"
NAME_MAX = 100
# Writing last_used_at on every request would make each API read a write as well.
LAST_USED_EVERY = timedelta(minutes=1)


@dataclass(frozen=True)
class IssuedToken:
    """A new token's record and its secret, which exists nowhere else once shown."""

    token: ApiToken
    secret: str


def token_hash(secret: str) -> str:
    """What is stored of a token: its SHA-256, in hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def require_pmo_lead(*, session: Session, actor: Actor) -> None:
    """Raise NotPermitted naming the PMO leads, unless the actor is one."""
    leads = ensure_workspace(session=session, team_id=actor.team_id).pmo_leads
    if actor.user_id in leads:
        return
    if not leads:
        raise NotPermitted(
            "Only PMO leads manage API tokens, and none are named yet: a Slack admin can "
            "name them in `/pmo settings`."
        )
    raise NotPermitted(f"Only the PMO leads ({mentions(leads)}) manage API tokens.")


def create_token(*, session: Session, actor: Actor, name: str, now: datetime) -> IssuedToken:
    """A new token for the actor's workspace, named `name` (1 to 100 characters, unique among
    its live tokens): stored as a hash, audited without the secret, returned once."""
    require_pmo_lead(session=session, actor=actor)
    name = name.strip()
    if not name:
        raise InvalidInput({"name": "Name the token after what uses it: `/pmo api token NAME`."})
    if len(name) > NAME_MAX:
        raise InvalidInput(
            {"name": f"A token's name can be at most {NAME_MAX} characters; yours has {len(name)}."}
        )
    if live_token_named(session=session, team_id=actor.team_id, name=name):
        raise InvalidInput(
            {"name": f"A token `{quoted(name)}` exists already: revoke it or pick another name."}
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        team_id=actor.team_id,
        name=name,
        token_hash=token_hash(secret),
        created_by=actor.user_id,
        created_at=now,
    )
    session.add(token)
    session.flush()
    assert token.id is not None
    audit.record(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        action="api_token.create",
        entity="api_token",
        entity_id=token.id,
        at=now,
        detail={"name": name},
    )
    return IssuedToken(token=token, secret=secret)


def revoke_token(*, session: Session, actor: Actor, name_or_id: str, now: datetime) -> ApiToken:
    """Revoke the workspace's live token with this name (else this id); audited. It stops
    working at once and stays listed as revoked."""
    require_pmo_lead(session=session, actor=actor)
    wanted = name_or_id.strip()
    token = live_token_named(session=session, team_id=actor.team_id, name=wanted)
    if token is None and wanted.isdigit():
        by_id = session.get(ApiToken, int(wanted))
        if by_id and by_id.team_id == actor.team_id and by_id.revoked_at is None:
            token = by_id
    if token is None:
        raise PmoError(f"There is no live API token `{quoted(wanted)}`. `/pmo api` lists them.")
    token.revoked_at = now
    session.add(token)
    audit.record(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        action="api_token.revoke",
        entity="api_token",
        entity_id=token.id or 0,
        at=now,
        detail={"name": token.name},
    )
    return token


def list_tokens(*, session: Session, actor: Actor) -> list[ApiToken]:
    """The workspace's tokens, revoked ones too (no secrets: there are none to show)."""
    require_pmo_lead(session=session, actor=actor)
    return tokens_of(session=session, team_id=actor.team_id)


def team_of_token(*, session: Session, secret: str, now: datetime) -> str | None:
    """The workspace a live token belongs to, else None; notes when it was last used (at
    most once a minute)."""
    if not secret.startswith(PREFIX):
        return None
    token = live_token(session=session, token_hash=token_hash(secret))
    if token is None:
        return None
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_EVERY:
        token.last_used_at = now
        session.add(token)
    return token.team_id
