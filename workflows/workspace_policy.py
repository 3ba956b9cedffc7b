"""The workspace's PMO settings, who may change them, and pausing one's own nudges."""

from __future__ import annotations

import re
import zoneinfo
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time
from functools import cache
from typing import Any

from sqlmodel import Session

from storage import audit
from storage.models import DEFAULT_PRIORITY_WEIGHTS, Cadence, NudgeStyle, Person, Workspace
from storage.workspaces import ensure_people, ensure_workspace
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted
from workflows.markup import mentions
from workflows.periods import zone
from workflows.wording import day

RISK_SCORE_MIN = 1
RISK_SCORE_MAX = 25
OVERALLOCATION_THRESHOLD_MAX = 100
# The parts of `/goal portfolio`'s score, each weighed from 0 to 100, adding up to 100.
PRIORITY_PARTS = tuple(DEFAULT_PRIORITY_WEIGHTS)
PRIORITY_TOTAL = 100
# Strictly "HH:MM" on a 24-hour clock, ASCII digits only (\d would take Arabic-Indic ones).
CLOCK_TIME = re.compile(r"([01][0-9]|2[0-3]):[0-5][0-9]")
# Files some systems keep among their zones that are not places anyone lives.
NOT_ZONES = {"Factory", "localtime", "posixrules"}


@dataclass(frozen=True)
class WorkspaceSettings:
    """What a workspace's PMO has chosen; defaults are those of a new workspace."""

    time_zone: str = "UTC"
    status_due_weekday: int = 4
    risk_medium_from: int = 6
    risk_high_from: int = 12
    risk_critical_from: int = 20
    digest_channel: str | None = None
    digest_leaders: list[str] = field(default_factory=list)
    digest_weekday: int = 0
    digest_time: str = "09:00"
    default_cadence: Cadence = Cadence.WEEKLY
    quiet_start: str = "19:00"
    quiet_end: str = "08:00"
    nudge_style: NudgeStyle = NudgeStyle.GENTLE
    pmo_leads: list[str] = field(default_factory=list)
    overallocation_threshold: int = 10
    resource_channel: str | None = None
    priority_weights: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_PRIORITY_WEIGHTS))


FIELDS = tuple(WorkspaceSettings.__dataclass_fields__)


@cache
def time_zones() -> tuple[str, ...]:
    """Every IANA time zone name this installation knows, sorted."""
    return tuple(sorted(zoneinfo.available_timezones() - NOT_ZONES))


def parse_clock_time(text: str) -> time:
    """ "19:00" as a time; ValueError unless it is HH:MM on a 24-hour clock."""
    if not CLOCK_TIME.fullmatch(text):
        raise ValueError(f"{text!r} is not a time like 09:00")
    hour, minute = text.split(":")
    return time(int(hour), int(minute))


def settings_of(*, session: Session, team_id: str) -> WorkspaceSettings:
    """The workspace's settings as they are stored (a new workspace gets the defaults)."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    return WorkspaceSettings(
        time_zone=workspace.time_zone,
        status_due_weekday=workspace.status_due_weekday,
        risk_medium_from=workspace.risk_medium_from,
        risk_high_from=workspace.risk_high_from,
        risk_critical_from=workspace.risk_critical_from,
        digest_channel=workspace.digest_channel,
        digest_leaders=list(workspace.digest_leaders),
        digest_weekday=workspace.digest_weekday,
        digest_time=workspace.digest_time,
        default_cadence=Cadence(workspace.default_cadence),
        quiet_start=workspace.quiet_start,
        quiet_end=workspace.quiet_end,
        nudge_style=NudgeStyle(workspace.nudge_style),
        pmo_leads=list(workspace.pmo_leads),
        overallocation_threshold=workspace.overallocation_threshold,
        resource_channel=workspace.resource_channel,
        priority_weights={**DEFAULT_PRIORITY_WEIGHTS, **workspace.priority_weights},
    )


def check_settings(draft: WorkspaceSettings) -> dict[str, str]:
    """What is wrong with the draft, field by field (empty when it may be saved)."""
    errors: dict[str, str] = {}
    if draft.time_zone not in time_zones():
        errors["time_zone"] = (
            f"{draft.time_zone or 'That'} is not a time zone. Pick one such as Europe/London."
        )
    times: dict[str, time] = {}
    for name in ("digest_time", "quiet_start", "quiet_end"):
        try:
            times[name] = parse_clock_time(getattr(draft, name))
        except ValueError:
            errors[name] = "Give a time as HH:MM on a 24-hour clock, such as 09:00 or 19:30."
    if {"quiet_start", "quiet_end"} <= times.keys() and times["quiet_start"] == times["quiet_end"]:
        errors["quiet_end"] = "Quiet hours must end at a different time than they start."
    for name in ("status_due_weekday", "digest_weekday"):
        if getattr(draft, name) not in range(7):
            errors[name] = "Pick a day of the week."
    errors.update(_check_bands(draft))
    errors.update(_check_weights(draft.priority_weights))
    if draft.default_cadence not in set(Cadence):
        errors["default_cadence"] = "Pick how often new projects report."
    if draft.nudge_style not in set(NudgeStyle):
        errors["nudge_style"] = "Pick gentle or firm."
    if not 0 <= draft.overallocation_threshold <= OVERALLOCATION_THRESHOLD_MAX:
        errors["overallocation_threshold"] = (
            f"Give a share from 0 to {OVERALLOCATION_THRESHOLD_MAX} %."
        )
    return errors


def _check_bands(draft: WorkspaceSettings) -> dict[str, str]:
    # Each band starts above the one before it, all within the possible scores (1 x 1 to 5 x 5).
    errors: dict[str, str] = {}
    below: tuple[str, int] | None = None
    for name, label in (
        ("risk_medium_from", "medium"),
        ("risk_high_from", "high"),
        ("risk_critical_from", "critical"),
    ):
        score = getattr(draft, name)
        if not RISK_SCORE_MIN <= score <= RISK_SCORE_MAX:
            errors[name] = f"A score is from {RISK_SCORE_MIN} to {RISK_SCORE_MAX}."
        elif below is not None and score <= below[1]:
            errors[name] = f"The {label} band must start above {below[0]} ({below[1]})."
        below = (label, score)
    return errors


def _check_weights(weights: dict[str, int]) -> dict[str, str]:
    # Each part from 0 to 100 (errors on `priority_goal` and so on), and all four adding
    # up to 100, said on the last one.
    errors = {
        f"priority_{part}": f"Give a whole number from 0 to {PRIORITY_TOTAL}."
        for part in PRIORITY_PARTS
        if not 0 <= weights.get(part, -1) <= PRIORITY_TOTAL
    }
    total = sum(weights.get(part, 0) for part in PRIORITY_PARTS)
    if not errors and total != PRIORITY_TOTAL:
        errors[f"priority_{PRIORITY_PARTS[-1]}"] = (
            f"The four weights must add up to {PRIORITY_TOTAL}; these add up to {total}."
        )
    return errors


def may_change_settings(
    *, session: Session, team_id: str, user_id: str, is_slack_admin: bool
) -> bool:
    """Slack's workspace admins and owners may, and so may the PMO leads, if any are named."""
    if is_slack_admin:
        return True
    return user_id in ensure_workspace(session=session, team_id=team_id).pmo_leads


def require_may_change_settings(
    *, session: Session, team_id: str, user_id: str, is_slack_admin: bool
) -> None:
    """Raise NotPermitted naming who may change the settings, unless `user_id` may."""
    if may_change_settings(
        session=session, team_id=team_id, user_id=user_id, is_slack_admin=is_slack_admin
    ):
        return
    leads = ensure_workspace(session=session, team_id=team_id).pmo_leads
    who = "a Slack workspace admin"
    if leads:
        who = f"the PMO leads ({mentions(leads)}) or {who}"
    raise NotPermitted(f"Only {who} can change pmo-bot's settings.")


def change_settings(
    *,
    session: Session,
    actor: Actor,
    is_slack_admin: bool,
    draft: WorkspaceSettings,
    unreadable: dict[str, str],
    now: datetime,
) -> WorkspaceSettings:
    """The actor changes the workspace's settings to the draft, if they may (asked again
    at saving: rights can change while a form is open). InvalidInput names every wrong
    field at once, the rules' and the `unreadable` ones the form could not read."""
    require_may_change_settings(
        session=session,
        team_id=actor.team_id,
        user_id=actor.user_id,
        is_slack_admin=is_slack_admin,
    )
    errors = {**check_settings(draft), **unreadable}
    if errors:
        raise InvalidInput(errors)
    return save_settings(
        session=session, team_id=actor.team_id, actor=actor.user_id, draft=draft, now=now
    )


def save_settings(
    *, session: Session, team_id: str, actor: str, draft: WorkspaceSettings, now: datetime
) -> WorkspaceSettings:
    """Store the draft, audited with each changed field before and after (nothing changed,
    nothing audited); InvalidInput when the draft is wrong. The caller checks permission
    (`change_settings` is the person's action)."""
    errors = check_settings(draft)
    if errors:
        raise InvalidInput(errors)
    draft = _tidy(draft)
    workspace = ensure_workspace(session=session, team_id=team_id)
    before = _describe(settings_of(session=session, team_id=team_id))
    after = _describe(draft)
    changes = {name: [before[name], after[name]] for name in FIELDS if before[name] != after[name]}
    if not changes:
        return draft
    _apply(workspace, draft)
    session.add(workspace)
    audit.record(
        session=session,
        team_id=team_id,
        actor=actor,
        action="workspace.settings_changed",
        entity="workspace",
        entity_id=team_id,
        at=now,
        detail={"changes": changes},
    )
    return draft


def _tidy(draft: WorkspaceSettings) -> WorkspaceSettings:
    # The same person named twice is named once; enums are stored as themselves.
    values = asdict(draft)
    values["digest_leaders"] = list(dict.fromkeys(draft.digest_leaders))
    values["pmo_leads"] = list(dict.fromkeys(draft.pmo_leads))
    values["priority_weights"] = {part: draft.priority_weights[part] for part in PRIORITY_PARTS}
    values["default_cadence"] = Cadence(draft.default_cadence)
    values["nudge_style"] = NudgeStyle(draft.nudge_style)
    return WorkspaceSettings(**values)


def _apply(workspace: Workspace, draft: WorkspaceSettings) -> None:
    for name in FIELDS:
        value = getattr(draft, name)
        setattr(workspace, name, list(value) if isinstance(value, list) else value)


def _describe(settings: WorkspaceSettings) -> dict[str, Any]:
    # JSON-safe snapshot for the audit row.
    return {
        name: (str(value) if isinstance(value, Cadence | NudgeStyle) else value)
        for name, value in asdict(settings).items()
    }


def acknowledgers_of(workspace: Workspace, sponsors: list[str]) -> list[str]:
    """Who may acknowledge a project's updates, each once: its sponsors, then the
    workspace's PMO leads and the digest's leaders."""
    return list(dict.fromkeys([*sponsors, *workspace.pmo_leads, *workspace.digest_leaders]))


def today_in_workspace(*, session: Session, team_id: str, now: datetime) -> date:
    """The date it is now in the workspace's time zone."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    return now.astimezone(zone(workspace.time_zone)).date()


def pause_nudges(
    *, session: Session, team_id: str, user_id: str, until: date | None, now: datetime
) -> Person:
    """No nudges for the person up to and including `until` (None turns them back on),
    audited; InvalidInput when `until` has already passed in the workspace's time zone."""
    today = today_in_workspace(session=session, team_id=team_id, now=now)
    if until is not None and until < today:
        raise InvalidInput(
            {"until": f"{day(until)} has passed: pick today ({day(today)}) or a later day."}
        )
    person = ensure_people(session=session, team_id=team_id, user_ids=[user_id])[user_id]
    before = person.paused_until
    if before == until:
        return person
    person.paused_until = until
    session.add(person)
    audit.record(
        session=session,
        team_id=team_id,
        actor=user_id,
        action="person.paused" if until else "person.resumed",
        entity="person",
        entity_id=user_id,
        at=now,
        detail={
            "paused_until": [before.isoformat() if before else None, until and until.isoformat()]
        },
    )
    return person
