"""Kudos: thanking people for what they did, in the open."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import Session

from storage import audit
from storage.models import Kudos
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import InvalidInput, too_long
from workflows.outgoing import Outgoing

REASON_MAX = 1000


@dataclass(frozen=True)
class KudosThanks:
    """A person's word that they were thanked, and for what (message content)."""

    kudos: Kudos


@dataclass(frozen=True)
class KudosGiven:
    """The stored thank-you and the direct messages it causes."""

    kudos: Kudos
    messages: list[Outgoing] = field(default_factory=list)


def check_kudos(*, giver: str, receivers: list[str], reason: str) -> dict[str, str]:
    """What is wrong with the thank-you (empty when it may be given)."""
    errors: dict[str, str] = {}
    others = [r for r in receivers if r != giver]
    if not receivers:
        errors["receivers"] = "Who are you thanking? Mention them: `/kudos @ana @ben for …`."
    elif not others:
        errors["receivers"] = "Thanking yourself doesn't count. Who helped you?"
    if not reason.strip():
        errors["reason"] = "Say what they did: it is what makes a thank-you count."
    elif problem := too_long("A thank-you", reason, REASON_MAX):
        errors["reason"] = problem
    return errors


def give_kudos(
    *,
    session: Session,
    actor: Actor,
    receivers: list[str],
    reason: str,
    channel_id: str | None,
    now: datetime,
) -> KudosGiven:
    """The actor thanks `receivers` (never themselves) for `reason`, said in `channel_id`:
    stored and audited, with a direct message to each person thanked; InvalidInput when
    the thank-you is incomplete. The public thank-you is the caller's reply."""
    errors = check_kudos(giver=actor.user_id, receivers=receivers, reason=reason)
    if errors:
        raise InvalidInput(errors)
    ensure_workspace(session=session, team_id=actor.team_id)
    kudos = Kudos(
        team_id=actor.team_id,
        giver=actor.user_id,
        receivers=[r for r in dict.fromkeys(receivers) if r != actor.user_id],
        reason=reason.strip(),
        channel_id=channel_id,
        created_at=now,
    )
    session.add(kudos)
    session.flush()
    assert kudos.id is not None
    audit.record(
        session=session,
        team_id=actor.team_id,
        actor=actor.user_id,
        action="kudos.given",
        entity="kudos",
        entity_id=kudos.id,
        at=now,
        detail={"to": kudos.receivers},
    )
    thanks = [
        Outgoing(
            team_id=kudos.team_id,
            key=message_keys.kudos_thanks(kudos.id, user),
            to=user,
            content=KudosThanks(kudos),
        )
        for user in kudos.receivers
    ]
    return KudosGiven(kudos=kudos, messages=thanks)
