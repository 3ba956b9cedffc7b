"""Acknowledging a status update: a sponsor, PMO lead or digest leader says they read it.

An acknowledgement (with an optional comment for the PM) is one user action: it locks
the update, checks who may, stores and audits it, and returns the edit of the update's
post (who acknowledged, when, and their comments) and a direct message to the PM.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from storage import acknowledgements, audit, status_history
from storage.models import Acknowledgement, Project, Role, StatusUpdate
from storage.projects import holders
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, PmoError, too_long
from workflows.markup import channel, mention, mentions, quoted
from workflows.outgoing import Outgoing
from workflows.status import TEXT_MAX, post_of
from workflows.wording import period_words, plural
from workflows.workspace_policy import acknowledgers_of

ACKNOWLEDGED = "status.acknowledged"
COMMENTED = "status.acknowledgement_commented"
# Each of these audit rows is one more version of the update's post.
ACTIONS = (ACKNOWLEDGED, COMMENTED)
# A comment is shown in a section of the post: Slack shows at most 3,000 characters.
COMMENT_MAX = TEXT_MAX
NOBODY_NAMED = (
    "None is named yet: `/pmo edit` sets the sponsor, `/pmo settings` the PMO leads and "
    "the digest's leaders"
)


@dataclass(frozen=True)
class Acknowledged:
    """The outcome: the acknowledgement as it now stands, what to tell the person, and
    the messages to send (none when nothing changed)."""

    update: StatusUpdate
    project: Project
    acknowledgement: Acknowledgement
    changed: bool
    message: str
    messages: list[Outgoing] = field(default_factory=list)


@dataclass(frozen=True)
class AcknowledgementNotice:
    """The direct message telling the PM (or the update's author) that a leader read the
    update, with their comment if they wrote one (message content). `again`: they had
    acknowledged it before and now commented."""

    project: Project
    update: StatusUpdate
    by: str
    comment: str
    again: bool


@dataclass(frozen=True)
class CommentAsk:
    """What the comment form needs: the update, how to name it, the person's comment so far."""

    update_id: int
    label: str
    comment: str


def status_label(project: Project, update: StatusUpdate) -> str:
    """`the APOLLO status for the week of Mon 23 Nov 2026`."""
    return f"the {project.key} status for {period_words(update.period, the=True)}"


def acknowledgers(*, session: Session, project: Project) -> list[str]:
    """Who may acknowledge the project's updates, each once: its sponsors, the workspace's
    PMO leads and the digest's leaders."""
    assert project.id is not None
    sponsors = holders(
        session=session, team_id=project.team_id, project_id=project.id, role=Role.SPONSOR
    )
    workspace = ensure_workspace(session=session, team_id=project.team_id)
    return acknowledgers_of(workspace, sponsors)


def acknowledge(
    *, session: Session, actor: Actor, update_id: int, now: datetime, comment: str = ""
) -> Acknowledged:
    """The actor acknowledges the update, with `comment` if any (a blank one keeps the
    comment they gave before; a new one replaces it). Stored and audited once per change,
    however often they click; a superseded update is refused, pointing to the newer one."""
    comment = comment.strip()
    if problem := too_long("The comment", comment, COMMENT_MAX):
        raise InvalidInput({"comment": problem})
    update, project = _acknowledgeable(session, actor, update_id)
    assert update.id is not None
    label = status_label(project, update)
    before = acknowledgements.acknowledgement_by(
        session=session, team_id=actor.team_id, update_id=update.id, user_id=actor.user_id
    )
    if before is not None and comment in ("", before.comment):
        said = " with that comment" if comment else ""
        return Acknowledged(
            update, project, before, False, f"You already acknowledged {label}{said}."
        )
    if before is None:
        acknowledgement = _store(session, update, actor.user_id, comment, now, label)
        action, detail = ACKNOWLEDGED, {"comment": comment}
    else:
        acknowledgement, detail = before, {"comment": comment, "before": before.comment}
        acknowledgement.comment, acknowledgement.updated_at = comment, now
        session.add(acknowledgement)
        action = COMMENTED
    _record(session, project, update, actor.user_id, action, now, detail)
    told = _told(session, project, update, actor.user_id)
    messages = _messages(session, project, update, acknowledgement, told, again=before is not None)
    return Acknowledged(
        update, project, acknowledgement, True, _said(label, comment, before, told), messages
    )


def comment_on(
    *, session: Session, actor: Actor, update_id: int, comment: str, now: datetime
) -> Acknowledged:
    """The comment form: acknowledge the update with this comment (which must say something)."""
    if not comment.strip():
        raise InvalidInput(
            {"comment": "Write a comment for the PM, or use the post's Acknowledge button."}
        )
    return acknowledge(session=session, actor=actor, update_id=update_id, comment=comment, now=now)


def comment_form(*, session: Session, actor: Actor, update_id: int) -> CommentAsk:
    """What the comment form opens with, if the actor may acknowledge the update."""
    update, project = _acknowledgeable(session, actor, update_id)
    assert update.id is not None
    before = acknowledgements.acknowledgement_by(
        session=session, team_id=actor.team_id, update_id=update.id, user_id=actor.user_id
    )
    return CommentAsk(
        update.id, f"{project.key} {period_words(update.period)}", before.comment if before else ""
    )


def _acknowledgeable(
    session: Session, actor: Actor, update_id: int
) -> tuple[StatusUpdate, Project]:
    # Lock the update so two clicks at once store one acknowledgement, and an edit of the
    # update can't slip in between the check and the acknowledgement.
    update = acknowledgements.update_to_acknowledge(
        session=session, team_id=actor.team_id, update_id=update_id
    )
    if update is None:
        raise PmoError("That status update no longer exists.")
    project = session.get(Project, update.project_id)
    assert project is not None
    may = acknowledgers(session=session, project=project)
    if actor.user_id not in may:
        who = f": {mentions(may)}" if may else f". {NOBODY_NAMED}"
        raise NotPermitted(
            f"Only the sponsor of {project.key}, the PMO leads and the digest's leaders "
            f"acknowledge its status updates{who}."
        )
    if update.superseded_by_id is not None:
        raise PmoError(_superseded(session, project, update))
    return update, project


def _superseded(session: Session, project: Project, update: StatusUpdate) -> str:
    # Point to the version that stands now: that is the one to acknowledge.
    assert project.id is not None
    newer = status_history.current_in_period(
        session=session, team_id=project.team_id, project_id=project.id, period=update.period
    )
    period = period_words(update.period, the=True)
    said = f"This {project.key} update for {period} was replaced by a newer one"
    if newer is not None:
        said += f" from {mention(newer.author)} (“{quoted(newer.summary, 60)}”)"
    where = f", the latest {project.key} post in {channel(project.channel_id)}"
    return f"{said}. Acknowledge that one instead{where if project.channel_id else ''}."


def _store(
    session: Session, update: StatusUpdate, user_id: str, comment: str, now: datetime, label: str
) -> Acknowledgement:
    assert update.id is not None
    acknowledgement = Acknowledgement(
        team_id=update.team_id,
        update_id=update.id,
        user_id=user_id,
        comment=comment,
        created_at=now,
        updated_at=now,
    )
    try:
        with session.begin_nested():
            session.add(acknowledgement)
    except IntegrityError:
        # The same person's other click won the race; the database kept one row.
        raise PmoError(f"You already acknowledged {label}.") from None
    return acknowledgement


def _record(
    session: Session,
    project: Project,
    update: StatusUpdate,
    actor: str,
    action: str,
    now: datetime,
    detail: dict[str, object],
) -> None:
    audit.record(
        session=session,
        team_id=update.team_id,
        actor=actor,
        action=action,
        entity="status_update",
        entity_id=update.id or 0,
        at=now,
        detail={"project": project.key, "period": update.period, **detail},
    )
    session.flush()


def _told(session: Session, project: Project, update: StatusUpdate, actor: str) -> list[str]:
    # The PM hears of it, and the update's author when someone else posted it; never the
    # person who acknowledged.
    assert project.id is not None
    pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    return [user for user in dict.fromkeys([*pms, update.author]) if user != actor]


def _messages(
    session: Session,
    project: Project,
    update: StatusUpdate,
    acknowledgement: Acknowledgement,
    told: list[str],
    *,
    again: bool,
) -> list[Outgoing]:
    # The post edited in place, and one direct message per person told; each keyed by the
    # post's version, so a replayed click sends nothing twice.
    assert update.id is not None
    version = acknowledgements.changes_recorded(
        session=session, team_id=update.team_id, update_id=update.id, actions=ACTIONS
    )
    given = acknowledgements.acknowledgements_of(
        session=session, team_id=update.team_id, update_ids=[update.id]
    )[update.id]
    edit = Outgoing(
        team_id=update.team_id,
        key=message_keys.status_acknowledged(update.id, version),
        to=project.channel_id or update.author,
        content=post_of(session=session, project=project, update=update, acknowledged=given),
        update_key=message_keys.status_posted(update.id),
    )
    notice = AcknowledgementNotice(
        project, update, by=acknowledgement.user_id, comment=acknowledgement.comment, again=again
    )
    return [edit] + [
        Outgoing(
            team_id=update.team_id,
            key=message_keys.status_acknowledgement_told(update.id, version, user),
            to=user,
            content=notice,
        )
        for user in told
    ]


def _said(label: str, comment: str, before: Acknowledgement | None, told: list[str]) -> str:
    # What the person who clicked reads.
    if before is not None:
        said = f"Your comment on {label} is saved."
    elif comment:
        said = f"You acknowledged {label}, with your comment."
    else:
        said = f"You acknowledged {label}."
    return f"{said} {mentions(told)} {plural(len(told), 'is')} told." if told else said
