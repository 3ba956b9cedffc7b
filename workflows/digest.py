"""The Monday digest: one honest page on the portfolio, in a fixed number of queries.

It opens with what needs attention (workflows/attention.py), then the figures. Every one
is computed from bulk queries over the whole workspace (two dozen however many projects,
in storage/), then in Python; see bench/digest_bench.py. The digest is the content of its
messages: commands/digest_message.py writes them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta

from sqlmodel import Session

from storage import sent_messages
from storage.gate_log import decided_between
from storage.kudos_log import kudos_between
from storage.models import Gate, Project, Rag, Risk, Role, Workspace
from storage.portfolio import PostedRag, ProjectRow, rag_history
from storage.risk_log import top_open_risks
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.attention import Attention, needs_attention
from workflows.digest_benefits import BenefitsReview, benefits_review
from workflows.digest_capacity import CapacityOutlook, capacity_outlook
from workflows.digest_goals import GoalWeek, goals_of_week
from workflows.digest_learning import Learning, learning_review
from workflows.forecast import Forecast, forecast
from workflows.health_trend import (
    TREND_WEEKS,
    HealthTrend,
    health_trend,
    history_start,
    trend_ends,
)
from workflows.load_heatmap import workspace_heat_map
from workflows.outgoing import Outgoing
from workflows.participation import (
    Participation,
    due_in,
    rag_at,
    standing_at,
    updated_in,
    weekly_participation,
)
from workflows.periods import add_working_days, week_label, zone
from workflows.risks import Severity, severity
from workflows.workspace_policy import parse_clock_time

TOP_RISKS = 5
PARTICIPATION_WEEKS = 4
# Enough history to know every project's standing four weeks back, whatever its cadence;
# and thirteen weeks back, for the Learning section's trend of updates on time.
HISTORY = timedelta(days=7 * max(PARTICIPATION_WEEKS, TREND_WEEKS) + 62)


@dataclass(frozen=True)
class Window:
    """The week a digest reports on: the seven days before its send time. `label` is the
    ISO week it is sent in (its outbox key); people read `week_of`, that week's Monday."""

    label: str
    start: datetime
    end: datetime
    week_of: date


@dataclass(frozen=True)
class ProjectLine:
    """A project as the digest names it."""

    project: ProjectRow
    pm: str | None
    rag: Rag | None
    previous: Rag | None
    last_update_at: datetime | None


@dataclass(frozen=True)
class RiskLine:
    risk: Risk
    severity: Severity


@dataclass(frozen=True)
class GateLine:
    gate: Gate
    project: Project
    working_days: int
    waiting: list[str]
    approvals: int


@dataclass(frozen=True)
class Digest:
    """Everything the digest says, ready to render: what needs attention first."""

    team_id: str
    window: Window
    attention: Attention
    active_projects: int
    counts: dict[str, int]
    previous_counts: dict[str, int]
    moved: list[ProjectLine]
    missing: list[ProjectLine]
    # Only risks at or above the workspace's high band (`risk_high_from`).
    top_risks: list[tuple[Project, list[RiskLine]]]
    risk_high_from: int
    pending_gates: list[GateLine]
    decided_gates: list[tuple[Project, list[Gate]]]
    participation: list[Participation] = field(default_factory=list)
    kudos: int = 0
    capacity: CapacityOutlook = field(default_factory=CapacityOutlook)
    # Each active goal's health and what moved it (none: the workspace has no goal).
    goals: list[GoalWeek] = field(default_factory=list)
    benefits: BenefitsReview = field(default_factory=BenefitsReview)
    learning: Learning = field(default_factory=Learning)


@dataclass(frozen=True)
class DigestPlan:
    """A workspace's digest for its latest period: its key, where it goes, what to send.

    `digest` (the messages' content) is None, and `messages` empty, when it was not built:
    already stored for its period, or with no recipient.
    """

    team_id: str
    key: str
    recipients: list[str]
    already_sent: bool
    digest: Digest | None = None
    messages: list[Outgoing] = field(default_factory=list)


def digest_moment(workspace: Workspace, now: datetime) -> datetime:
    """The latest scheduled digest time at or before `now` (the workspace's day and time)."""
    tz = zone(workspace.time_zone)
    local = now.astimezone(tz)
    monday = local.date() - timedelta(days=local.weekday())
    day = monday + timedelta(days=workspace.digest_weekday)
    moment = datetime.combine(day, parse_clock_time(workspace.digest_time), tzinfo=tz)
    if moment > local:
        moment -= timedelta(days=7)
    return moment.astimezone(now.tzinfo)


def window_for(workspace: Workspace, moment: datetime) -> Window:
    """The seven days before a digest time, labelled by the ISO week it is sent in."""
    local_day = moment.astimezone(zone(workspace.time_zone)).date()
    monday = local_day - timedelta(days=local_day.weekday())
    return Window(
        label=week_label(monday), start=moment - timedelta(days=7), end=moment, week_of=monday
    )


def digest_recipients(workspace: Workspace) -> list[str]:
    """Where the digest goes: the digest channel (if set) first, then each leader."""
    channel = [workspace.digest_channel] if workspace.digest_channel else []
    return channel + list(workspace.digest_leaders)


def plan_digest(*, session: Session, team_id: str, now: datetime) -> DigestPlan:
    """The digest due at the latest digest time at or before `now`, as one message per
    recipient: the first under the period's key, each other a leader's own copy.

    A digest already stored for its period, or with nowhere to go, is not built again
    (the scheduler asks every five minutes): its plan has no messages.
    """
    workspace = ensure_workspace(session=session, team_id=team_id)
    window = window_for(workspace, digest_moment(workspace, now))
    key = message_keys.digest(team_id, window.label)
    recipients = digest_recipients(workspace)
    already = sent_messages.exists(session=session, team_id=team_id, key=key)
    plan = DigestPlan(team_id=team_id, key=key, recipients=recipients, already_sent=already)
    if already or not recipients:
        return plan
    # One read of status history serves the digest and its chart, one count of updates on
    # time its Participation, Learning and chart, one forecast its Capacity and heat map.
    updates = _history(session, workspace, window)
    planned = forecast(session=session, workspace=workspace, now=window.end)
    digest = _build(session, workspace, window, updates, planned)
    messages = [
        Outgoing(
            team_id=team_id,
            key=key if number == 0 else message_keys.digest_copy(key, recipient),
            to=recipient,
            content=digest,
        )
        for number, recipient in enumerate(recipients)
    ]
    # The chart goes in each copy's thread.
    trend = health_trend(
        session=session,
        workspace=workspace,
        end=window.end,
        updates=updates,
        projects=digest.attention.projects,
        on_time=[week.on_time for week in digest.learning.weeks],
    )
    if not trend.empty:
        messages += [
            Outgoing(
                team_id=team_id,
                key=message_keys.digest_chart(copy.key),
                to=copy.to,
                content=trend,
                thread_key=copy.key,
            )
            for copy in messages
        ]
    # So does the capacity heat map, once anyone has hours allocated.
    heat = workspace_heat_map(session=session, workspace=workspace, now=window.end, planned=planned)
    if heat is not None:
        messages += [
            Outgoing(
                team_id=team_id,
                key=message_keys.digest_heatmap(copy.key),
                to=copy.to,
                content=heat,
                thread_key=copy.key,
            )
            for copy in messages
            if copy.thread_key is None
        ]
    return replace(plan, digest=digest, messages=messages)


def build_digest(*, session: Session, team_id: str, now: datetime) -> Digest:
    """The digest of the week before the latest digest time at or before `now`."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    return _build(session, workspace, window_for(workspace, digest_moment(workspace, now)))


def digest_trend(*, session: Session, team_id: str, now: datetime) -> HealthTrend:
    """The trend the digest due at `now` carries (its chart), for previews."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    window = window_for(workspace, digest_moment(workspace, now))
    return health_trend(session=session, workspace=workspace, end=window.end)


def _history(session: Session, workspace: Workspace, window: Window) -> dict[int, list[PostedRag]]:
    # Enough to know where each project stood over the participation weeks and the chart's
    # thirteen (health_trend.history_start is the earlier of the two).
    since = min(window.end - HISTORY, history_start(window.end))
    return rag_history(session=session, team_id=workspace.team_id, since=since, until=window.end)


def _build(
    session: Session,
    workspace: Workspace,
    window: Window,
    updates: dict[int, list[PostedRag]] | None = None,
    planned: Forecast | None = None,
) -> Digest:
    team_id = workspace.team_id
    attention = needs_attention(session=session, team_id=team_id, now=window.end)
    projects = attention.projects  # the workspace's active projects, read once
    if updates is None:
        updates = _history(session, workspace, window)
    lines = _project_lines(attention, updates, window)
    # The trend's thirteen weeks end with the four of the Participation section.
    on_time = weekly_participation(workspace, projects, updates, trend_ends(window.end))
    return Digest(
        team_id=team_id,
        window=window,
        attention=attention,
        active_projects=len(projects),
        counts=_count(line.rag for line in lines),
        previous_counts=_count(line.previous for line in lines),
        moved=[line for line in lines if line.previous is not None and line.rag != line.previous],
        missing=_missing(workspace, lines, updates, window),
        top_risks=_top_risks(session, workspace, window.end),
        risk_high_from=workspace.risk_high_from,
        pending_gates=_pending_gates(workspace, attention, window.end),
        decided_gates=_decided_gates(session, team_id, window),
        participation=on_time[-PARTICIPATION_WEEKS:],
        kudos=kudos_between(session=session, team_id=team_id, start=window.start, end=window.end),
        capacity=capacity_outlook(
            session=session,
            workspace=workspace,
            now=window.end,
            projects=projects,
            standing=attention.standing,
            planned=planned,
        ),
        goals=goals_of_week(
            session=session,
            workspace=workspace,
            start=window.start,
            end=window.end,
            colours={line.project.id: (line.previous, line.rag) for line in lines},
            projects=projects,
            pending=attention.gates.rows,
        ),
        benefits=benefits_review(
            session=session, workspace=workspace, start=window.start, end=window.end
        ),
        learning=learning_review(
            session=session,
            workspace=workspace,
            start=window.start,
            end=window.end,
            projects=projects,
            updates=updates,
            on_time=on_time,
        ),
    )


def _project_lines(
    attention: Attention, updates: dict[int, list[PostedRag]], window: Window
) -> list[ProjectLine]:
    # Who holds the PM role was read by "Needs attention", with the sponsors.
    roles = attention.roles
    lines = []
    for project in attention.projects:
        history = updates.get(project.id, [])
        last = standing_at(history, window.end)
        held = roles.get(project.id)
        lines.append(
            ProjectLine(
                project=project,
                pm=(held.get(Role.PM) or [None])[0] if held else None,
                rag=Rag(last[1]) if last else None,
                previous=rag_at(history, window.start),
                last_update_at=last[0] if last else None,
            )
        )
    return lines


def _missing(
    workspace: Workspace,
    lines: list[ProjectLine],
    updates: dict[int, list[PostedRag]],
    window: Window,
) -> list[ProjectLine]:
    # Owing an update is as the nudges see it: a project on hold owes none.
    return [
        line
        for line in lines
        if line.rag != Rag.HOLD
        and (due := due_in(workspace, line.project, window.start, window.end)) is not None
        and line.project.created_at < due.due_at
        and not updated_in(updates.get(line.project.id, []), due.start, window.end)
    ]


def _count(rags: object) -> dict[str, int]:
    counts = {rag.value: 0 for rag in Rag} | {"none": 0}
    for rag in rags:  # type: ignore[attr-defined]
        counts[rag.value if rag is not None else "none"] += 1
    return counts


def _top_risks(
    session: Session, workspace: Workspace, until: datetime
) -> list[tuple[Project, list[RiskLine]]]:
    rows = top_open_risks(session=session, team_id=workspace.team_id, before=until, limit=TOP_RISKS)
    # Only high and critical risks are top risks: fewer than five is no reason to list lower
    # ones. A project is named once: its risks among the top five are listed together.
    grouped: dict[int, tuple[Project, list[RiskLine]]] = {}
    for risk, project in rows:
        if risk.score >= workspace.risk_high_from:
            entry = grouped.setdefault(project.id or 0, (project, []))
            entry[1].append(RiskLine(risk=risk, severity=severity(risk.score, workspace)))
    return list(grouped.values())


def _pending_gates(workspace: Workspace, attention: Attention, now: datetime) -> list[GateLine]:
    # Read once, by "Needs attention".
    approvers, decided = attention.gates.approvers, attention.gates.verdicts
    lines = []
    for gate, project in attention.gates.rows:
        assert gate.id is not None
        lines.append(
            GateLine(
                gate=gate,
                project=project,
                working_days=_working_days_since(gate.requested_at, now, workspace.time_zone),
                waiting=[u for u in approvers[gate.id] if u not in decided[gate.id]],
                approvals=sum(1 for v in decided[gate.id].values() if v == "approve"),
            )
        )
    return lines


def _working_days_since(start: datetime, now: datetime, tz_name: str) -> int:
    days = 0
    while add_working_days(start, days + 1, tz_name) <= now:
        days += 1
    return days


def _decided_gates(
    session: Session, team_id: str, window: Window
) -> list[tuple[Project, list[Gate]]]:
    rows = decided_between(session=session, team_id=team_id, start=window.start, end=window.end)
    grouped: dict[int, tuple[Project, list[Gate]]] = {}
    for gate, project in rows:
        grouped.setdefault(project.id or 0, (project, []))[1].append(gate)
    return list(grouped.values())
