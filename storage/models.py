"""Every table pmo-bot keeps. Each row belongs to a workspace (`team_id`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlmodel import Field, SQLModel

from storage.types import UTCDateTime

# Stable constraint names, so migrations can find them again on both databases.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

DEFAULT_PHASES = ["Initiate", "Plan", "Execute", "Close"]
DEFAULT_TIME_ZONE = "UTC"


def utcnow() -> datetime:
    """Now, as an aware UTC datetime (the default for `created_at` columns)."""
    return datetime.now(UTC)


def team_column() -> Any:
    """The `team_id` column every table carries, tied to its workspace."""
    return Field(
        sa_column=Column(
            String(32),
            ForeignKey("workspaces.team_id", ondelete="CASCADE"),
            nullable=False,
            index=True,
        )
    )


class Role(StrEnum):
    """What a person is on a project. One person may hold several roles."""

    PM = "pm"
    SPONSOR = "sponsor"
    APPROVER = "approver"
    MEMBER = "member"

    @property
    def label(self) -> str:
        """How the role is named to people."""
        return {"pm": "PM", "sponsor": "Sponsor", "approver": "Approver", "member": "Member"}[
            self.value
        ]


class Rag(StrEnum):
    """A status colour: green on track, amber at risk, red off track, or on hold."""

    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    HOLD = "hold"

    @property
    def label(self) -> str:
        """How the PMO names it."""
        return {"green": "On track", "amber": "At risk", "red": "Off track", "hold": "On hold"}[
            self.value
        ]


class Cadence(StrEnum):
    """How often a project owes a status update."""

    WEEKLY = "weekly"
    FORTNIGHTLY = "fortnightly"
    MONTHLY = "monthly"


class NudgeStyle(StrEnum):
    """Gentle: one reminder. Firm: a reminder, then the sponsor hears after 2 working days."""

    GENTLE = "gentle"
    FIRM = "firm"


class RiskKind(StrEnum):
    """The RAID log's kinds: a risk may happen, an issue has happened, an assumption is
    taken as true until shown otherwise, a decision was made."""

    RISK = "risk"
    ISSUE = "issue"
    ASSUMPTION = "assumption"
    DECISION = "decision"


class RiskStatus(StrEnum):
    """Where a risk is in its life: open, being mitigated, closed, or turned into an issue."""

    OPEN = "open"
    MITIGATING = "mitigating"
    CLOSED = "closed"
    CONVERTED = "converted"

    @property
    def is_active(self) -> bool:
        """Still needs attention."""
        return self in (RiskStatus.OPEN, RiskStatus.MITIGATING)


class GateStatus(StrEnum):
    """Where a stage-gate request stands."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    CHANGES_REQUESTED = "changes"
    WITHDRAWN = "withdrawn"


class Verdict(StrEnum):
    """One approver's decision on a gate."""

    APPROVE = "approve"
    REJECT = "reject"
    CHANGES = "changes"


class RequestStatus(StrEnum):
    """Where a request for a person stands."""

    OPEN = "open"
    ASSIGNED = "assigned"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


class TeamCapacity(StrEnum):
    """What a status update says of the team's capacity for the next two weeks."""

    ENOUGH = "enough"
    STRETCHED = "stretched"
    SHORT = "short"


class BenefitStatus(StrEnum):
    """Where an expected benefit stands: expected, its check-in due, realised or missed."""

    EXPECTED = "expected"
    DUE = "due"
    REALISED = "realised"
    MISSED = "missed"


class DependencyStatus(StrEnum):
    """A dependency is open until the deliverable arrives (or it is dropped)."""

    OPEN = "open"
    DELIVERED = "delivered"
    DROPPED = "dropped"


class RetroItemKind(StrEnum):
    """What a retrospective contribution is about."""

    WENT_WELL = "well"
    DID_NOT = "didnt"
    IDEA = "idea"


class RetroStatus(StrEnum):
    """A retrospective collects contributions while open, then is summarised."""

    OPEN = "open"
    SUMMARISED = "summarised"


class ActionStatus(StrEnum):
    """An improvement action is open until its owner closes it with an outcome."""

    OPEN = "open"
    DONE = "done"


DEFAULT_PRIORITY_WEIGHTS = {"goal": 40, "health": 30, "budget": 15, "risk": 15}


class Workspace(SQLModel, table=True):
    """A Slack workspace that runs pmo-bot, with its PMO-wide settings."""

    __tablename__ = "workspaces"

    team_id: str = Field(sa_column=Column(String(32), primary_key=True))
    name: str | None = Field(default=None, max_length=200)
    time_zone: str = Field(default=DEFAULT_TIME_ZONE, max_length=64)
    phases: list[str] = Field(default_factory=lambda: list(DEFAULT_PHASES), sa_type=JSON)
    # Status updates are due by this weekday (Monday 0 ... Sunday 6) in the workspace's zone.
    status_due_weekday: int = 4
    # Risk severity bands by score (probability x impact): below medium is low.
    risk_medium_from: int = 6
    risk_high_from: int = 12
    risk_critical_from: int = 20
    # The Monday digest: where, to whom, and when (local time of the workspace).
    digest_channel: str | None = Field(default=None, max_length=32)
    digest_leaders: list[str] = Field(default_factory=list, sa_type=JSON)
    digest_weekday: int = 0
    digest_time: str = Field(default="09:00", max_length=5)
    # Nudges: the cadence new projects start with, quiet hours (each person's local time).
    default_cadence: Cadence = Field(default=Cadence.WEEKLY, sa_type=String(16))
    quiet_start: str = Field(default="19:00", max_length=5)
    quiet_end: str = Field(default="08:00", max_length=5)
    nudge_style: NudgeStyle = Field(default=NudgeStyle.GENTLE, sa_type=String(8))
    # Who may change these settings besides Slack's workspace admins and owners.
    pmo_leads: list[str] = Field(default_factory=list, sa_type=JSON)
    # Capacity: a person's week is over-allocated above capacity plus this many per cent;
    # requests for people go to this channel (else the digest's, else the PMO leads' DMs).
    overallocation_threshold: int = 10
    resource_channel: str | None = Field(default=None, max_length=32)
    # `/goal portfolio`: how much each part of a project's score weighs (they sum to 100).
    priority_weights: dict[str, int] = Field(
        default_factory=lambda: dict(DEFAULT_PRIORITY_WEIGHTS), sa_type=JSON
    )
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Person(SQLModel, table=True):
    """Someone in the workspace, as Slack knows them."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("team_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    user_id: str = Field(max_length=32)
    name: str | None = Field(default=None, max_length=200)
    time_zone: str | None = Field(default=None, max_length=64)
    profile_refreshed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # No nudges for this person until after this day (leave, holiday).
    paused_until: date | None = None
    # Capacity: hours a week they can work, what they are good at, what an hour costs.
    capacity_hours: Decimal = Field(default=Decimal("40"), sa_type=Numeric(6, 2))
    skills: list[str] = Field(default_factory=list, sa_type=JSON)
    cost_rate: Decimal | None = Field(default=None, sa_type=Numeric(12, 2))
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProjectType(SQLModel, table=True):
    """A kind of project with its own lifecycle ("Software", "Facilities"): ordered phases,
    the gate checklist into each phase, the default approval rule and SLA, and the status
    dimensions its updates ask. Each workspace has a default one."""

    __tablename__ = "project_types"
    __table_args__ = (UniqueConstraint("team_id", "name"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    name: str = Field(max_length=50)
    phases: list[str] = Field(default_factory=list, sa_type=JSON)
    # Phase name to its entry checklist: [{"item": "...", "required": true}, ...].
    checklists: dict[str, list[dict[str, Any]]] = Field(default_factory=dict, sa_type=JSON)
    gate_rule: str = Field(default="all", max_length=8)
    gate_sla_days: int = 2
    dimensions: list[str] = Field(default_factory=list, sa_type=JSON)
    is_default: bool = False
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Project(SQLModel, table=True):
    """A project in the portfolio, known by a short key such as APOLLO."""

    __tablename__ = "projects"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        # The project of a channel: every command typed in one asks it.
        Index("ix_projects_team_id_channel_id", "team_id", "channel_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    key: str = Field(max_length=10)
    name: str = Field(max_length=200)
    channel_id: str | None = Field(default=None, max_length=32, index=True)
    phase: str = Field(max_length=50)
    start_date: date | None = None
    target_date: date | None = None
    budget: Decimal | None = Field(default=None, sa_type=Numeric(16, 2))
    status_cadence: Cadence = Field(default=Cadence.WEEKLY, sa_type=String(16))
    # Stage gates: how many approvers must approve, and the separation-of-duties options.
    gate_rule: str = Field(default="all", max_length=8)
    gate_pm_may_approve: bool = False
    gate_reject_ends: bool = True
    gate_sla_days: int = 2
    # A retrospective every this many weeks (None: only at gates, closing and on demand).
    retro_every_weeks: int | None = None
    # Its lifecycle: phases, gate checklists, approval rule (None: the workspace's default).
    type_id: int | None = Field(
        default=None,
        sa_column=Column(
            ForeignKey("project_types.id", ondelete="RESTRICT"), nullable=True, index=True
        ),
    )
    archived: bool = False
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class ProjectRole(SQLModel, table=True):
    """One role held by one person on one project."""

    __tablename__ = "project_roles"
    __table_args__ = (
        UniqueConstraint("project_id", "user_id", "role"),
        # The roles one person holds: every form's project picker asks it.
        Index("ix_project_roles_team_id_user_id", "team_id", "user_id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: str = Field(max_length=32)
    role: Role = Field(sa_type=String(16))


class AuditEvent(SQLModel, table=True):
    """One state change: who did what to which thing, and when. Never updated or deleted."""

    __tablename__ = "audit_events"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    actor: str = Field(max_length=32)
    action: str = Field(max_length=64)
    entity: str = Field(max_length=32)
    entity_id: str = Field(max_length=64)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=JSON)


class OutboxStatus(StrEnum):
    """Where an outgoing Slack message is on its way out."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


class OutboxMessage(SQLModel, table=True):
    """A Slack message to deliver, written in the same transaction as the decision to send it.

    `key` makes it idempotent: asking twice to send `digest:T1:2026-W49` stores one row.
    A reply names its parent by `thread_key`; an in-place edit names its target by
    `update_key`; both wait until that message has been posted.
    """

    __tablename__ = "outbox"
    __table_args__ = (
        UniqueConstraint("team_id", "key"),
        # The waiting messages of one channel, oldest first: a deliverer claims a message only
        # when no older one of its channel is due or being sent (order across deliverers).
        Index(
            "ix_outbox_channel_waiting",
            "team_id",
            "channel",
            "id",
            sqlite_where=text("status IN ('pending', 'sending')"),
            postgresql_where=text("status IN ('pending', 'sending')"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    key: str = Field(max_length=200)
    channel: str = Field(max_length=32)
    thread_key: str | None = Field(default=None, max_length=200)
    update_key: str | None = Field(default=None, max_length=200)
    # `{link}` in the text and blocks becomes the permalink of the message with this key.
    link_key: str | None = Field(default=None, max_length=200)
    text: str = Field(sa_type=Text)
    blocks: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    status: OutboxStatus = Field(default=OutboxStatus.PENDING, sa_type=String(16), index=True)
    attempts: int = 0
    # True while an attempt may have reached Slack without us hearing back.
    maybe_posted: bool = False
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    claimed_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_error: str | None = Field(default=None, max_length=500)
    posted_channel: str | None = Field(default=None, max_length=32)
    ts: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    sent_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # A file to share instead of a message (`text` is then its comment): uploaded with
    # files_upload_v2, in the thread of `thread_key`'s message when there is one.
    file_name: str | None = Field(default=None, max_length=200)
    file_title: str | None = Field(default=None, max_length=250)
    file_alt_text: str | None = Field(default=None, max_length=1000)
    file_data: bytes | None = Field(default=None, sa_type=LargeBinary)
    # The id Slack gave the shared file.
    file_id: str | None = Field(default=None, max_length=32)
    # The Slack request that queued it (bot/logs.py), so its delivery logs under the same id.
    request_id: str | None = Field(default=None, max_length=32)


class ChannelSlot(SQLModel, table=True):
    """When a conversation may next get a post: every deliverer, in every process, books
    here, so Slack's one message a second per channel holds however many deliver."""

    __tablename__ = "channel_slots"
    __table_args__ = (UniqueConstraint("team_id", "channel"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    channel: str = Field(max_length=32)
    free_at: datetime = Field(sa_type=UTCDateTime)


class StatusUpdate(SQLModel, table=True):
    """One status report of a project. A later one in the same period supersedes it."""

    __tablename__ = "status_updates"
    __table_args__ = (
        # One current update per project and period; superseded versions stay as history.
        Index(
            "uq_status_updates_current",
            "project_id",
            "period",
            unique=True,
            sqlite_where=text("superseded_by_id IS NULL"),
            postgresql_where=text("superseded_by_id IS NULL"),
        ),
        # Each project's standing updates in order: its newest, and since when it has been as
        # it is, read for the whole workspace by "Needs attention" (storage/watchlist.py).
        Index(
            "ix_status_updates_standing",
            "team_id",
            "project_id",
            "created_at",
            "id",
            sqlite_where=text("superseded_by_id IS NULL"),
            postgresql_where=text("superseded_by_id IS NULL"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    period: str = Field(max_length=16)
    author: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)
    overall: Rag = Field(sa_type=String(8))
    schedule: Rag = Field(sa_type=String(8))
    scope: Rag = Field(sa_type=String(8))
    budget: Rag = Field(sa_type=String(8))
    resources: Rag = Field(sa_type=String(8))
    percent_complete: int | None = None
    summary: str = Field(sa_type=Text)
    accomplishments: str = Field(default="", sa_type=Text)
    next_steps: str = Field(default="", sa_type=Text)
    blockers: str = Field(default="", sa_type=Text)
    path_to_green: str = Field(default="", sa_type=Text)
    spent_to_date: Decimal | None = Field(default=None, sa_type=Numeric(16, 2))
    forecast_at_completion: Decimal | None = Field(default=None, sa_type=Numeric(16, 2))
    flagged: bool = False
    flags: list[str] = Field(default_factory=list, sa_type=JSON)
    # The team's capacity for the next two weeks, as the PM sees it (None: not said).
    team_capacity: TeamCapacity | None = Field(default=None, sa_type=String(16))
    superseded_by_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("status_updates.id"), nullable=True)
    )


class Risk(SQLModel, table=True):
    """An entry of a project's RAID log: a risk that may happen or an issue that has."""

    __tablename__ = "risks"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    number: int
    kind: RiskKind = Field(sa_type=String(16))
    title: str = Field(max_length=200)
    description: str = Field(default="", sa_type=Text)
    probability: int
    impact: int
    score: int = Field(index=True)
    category: str = Field(max_length=40)
    owner: str | None = Field(default=None, max_length=32, index=True)
    mitigation: str = Field(default="", sa_type=Text)
    review_date: date | None = None
    status: RiskStatus = Field(default=RiskStatus.OPEN, sa_type=String(16), index=True)
    # Bumped by every change: names the message edit it causes, and catches double clicks.
    version: int = 1
    resolution: str = Field(default="", sa_type=Text)
    raised_by: str = Field(max_length=32)
    source_risk_id: int | None = Field(
        default=None, sa_column=Column(ForeignKey("risks.id"), nullable=True)
    )
    # A decision: who decided, the options considered and why this one.
    decided_by: str | None = Field(default=None, max_length=32)
    options: str = Field(default="", sa_type=Text)
    rationale: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Gate(SQLModel, table=True):
    """A request to move a project to its next phase, decided by its approvers."""

    __tablename__ = "gates"
    __table_args__ = (
        UniqueConstraint("project_id", "number"),
        # At most one pending gate per project, whatever races the requests.
        Index(
            "uq_gates_one_pending",
            "project_id",
            unique=True,
            sqlite_where=text("status = 'pending'"),
            postgresql_where=text("status = 'pending'"),
        ),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    number: int
    from_phase: str = Field(max_length=50)
    to_phase: str = Field(max_length=50)
    requested_by: str = Field(max_length=32)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    evidence: str = Field(sa_type=Text)
    checklist: list[dict[str, Any]] = Field(default_factory=list, sa_type=JSON)
    rule: str = Field(max_length=8)
    required: int
    reject_ends: bool = True
    sla_days: int = 2
    status: GateStatus = Field(default=GateStatus.PENDING, sa_type=String(16), index=True)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    version: int = 1
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    escalated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class GateApprover(SQLModel, table=True):
    """Who may decide a gate: the project's approvers when it was requested, less the
    requester (and the PM, unless the project allows it)."""

    __tablename__ = "gate_approvers"
    __table_args__ = (UniqueConstraint("gate_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    gate_id: int = Field(
        sa_column=Column(ForeignKey("gates.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: str = Field(max_length=32)


class GateDecision(SQLModel, table=True):
    """One approver's decision; the database allows one per approver and gate."""

    __tablename__ = "gate_decisions"
    __table_args__ = (UniqueConstraint("gate_id", "approver"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    gate_id: int = Field(
        sa_column=Column(ForeignKey("gates.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    approver: str = Field(max_length=32)
    verdict: Verdict = Field(sa_type=String(8))
    reason: str = Field(default="", sa_type=Text)
    decided_at: datetime = Field(sa_type=UTCDateTime)


class SchedulerLease(SQLModel, table=True):
    """Which scheduler process may act, and until when (renewed while it runs)."""

    __tablename__ = "scheduler_leases"

    name: str = Field(sa_column=Column(String(32), primary_key=True))
    holder: str = Field(max_length=100)
    expires_at: datetime = Field(sa_type=UTCDateTime)


class Acknowledgement(SQLModel, table=True):
    """A leader's word that they read a status update, with an optional comment for the PM.

    One per person and update; a later comment replaces the earlier one (audited)."""

    __tablename__ = "acknowledgements"
    __table_args__ = (
        UniqueConstraint("update_id", "user_id", name="uq_acknowledgements_update_user"),
    )

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    update_id: int = Field(
        sa_column=Column(
            ForeignKey("status_updates.id", ondelete="CASCADE"), nullable=False, index=True
        )
    )
    user_id: str = Field(max_length=32)
    comment: str = Field(default="", sa_type=Text)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class Kudos(SQLModel, table=True):
    """A thank-you from one person to others, for something they did."""

    __tablename__ = "kudos"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    giver: str = Field(max_length=32)
    receivers: list[str] = Field(sa_type=JSON)
    reason: str = Field(sa_type=Text)
    channel_id: str | None = Field(default=None, max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime, index=True)


class SeenRequest(SQLModel, table=True):
    """A request from Slack already handled, by what makes it unique: an event's id, or
    the request's signature (which covers its timestamp and body). Kept about an hour."""

    __tablename__ = "seen_requests"

    key: str = Field(sa_column=Column(String(100), primary_key=True))
    # Not tied to a workspace row: a workspace's first request is recorded before it has one.
    team_id: str | None = Field(default=None, max_length=32)
    seen_at: datetime = Field(sa_type=UTCDateTime, index=True)


class Allocation(SQLModel, table=True):
    """A person's time on a project from `start_date` to `end_date` (inclusive): hours a
    week, or a share of their capacity (exactly one of the two)."""

    __tablename__ = "allocations"
    __table_args__ = (Index("ix_allocations_team_id_user_id", "team_id", "user_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    user_id: str = Field(max_length=32)
    start_date: date
    end_date: date
    hours_per_week: Decimal | None = Field(default=None, sa_type=Numeric(6, 2))
    percent: int | None = None
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    # Set when it comes from an assigned request for a person.
    request_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("resource_requests.id", ondelete="SET NULL"), nullable=True),
    )


class ResourceRequest(SQLModel, table=True):
    """A PM's request for someone with a skill, for some hours a week between two dates,
    decided by the PMO leads (APOLLO-RQ1)."""

    __tablename__ = "resource_requests"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    number: int
    skill: str = Field(max_length=40)
    hours_per_week: Decimal = Field(sa_type=Numeric(6, 2))
    start_date: date
    end_date: date
    note: str = Field(default="", sa_type=Text)
    requested_by: str = Field(max_length=32)
    requested_at: datetime = Field(sa_type=UTCDateTime)
    status: RequestStatus = Field(default=RequestStatus.OPEN, sa_type=String(16), index=True)
    # People a PMO lead proposed instead (user ids), newest last.
    proposed: list[str] = Field(default_factory=list, sa_type=JSON)
    assigned_to: str | None = Field(default=None, max_length=32)
    decided_by: str | None = Field(default=None, max_length=32)
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reason: str = Field(default="", sa_type=Text)
    # Bumped by every change: names the message edit it causes, and catches double clicks.
    version: int = 1


class CapacityAlert(SQLModel, table=True):
    """A person's week already reported as over-allocated: each is told once."""

    __tablename__ = "capacity_alerts"
    __table_args__ = (UniqueConstraint("team_id", "user_id", "week"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    user_id: str = Field(max_length=32)
    # The Monday of the week.
    week: date
    created_at: datetime = Field(sa_type=UTCDateTime)


class Goal(SQLModel, table=True):
    """A strategic goal the portfolio serves (CHURN), with an optional measure: from a
    baseline to a target, e.g. churn 8 % to 5 %."""

    __tablename__ = "goals"
    __table_args__ = (UniqueConstraint("team_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    key: str = Field(max_length=10)
    title: str = Field(max_length=200)
    owner: str = Field(max_length=32)
    target_date: date | None = None
    measure: str = Field(default="", max_length=100)
    unit: str = Field(default="", max_length=20)
    baseline: Decimal | None = Field(default=None, sa_type=Numeric(16, 4))
    target: Decimal | None = Field(default=None, sa_type=Numeric(16, 4))
    archived: bool = False
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class GoalCheckin(SQLModel, table=True):
    """The goal owner's reading of its measure on a day."""

    __tablename__ = "goal_checkins"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    goal_id: int = Field(
        sa_column=Column(ForeignKey("goals.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    value: Decimal = Field(sa_type=Numeric(16, 4))
    note: str = Field(default="", sa_type=Text)
    author: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ProjectGoal(SQLModel, table=True):
    """A project serves a goal, with a weight from 0 to 100 (how much of it is for that)."""

    __tablename__ = "project_goals"
    __table_args__ = (UniqueConstraint("project_id", "goal_id"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    goal_id: int = Field(
        sa_column=Column(ForeignKey("goals.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    weight: int = 100


class Benefit(SQLModel, table=True):
    """What a project must deliver to be worth it: a measure, its target value and when it
    should be realised; the sponsor records the value realised."""

    __tablename__ = "benefits"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    title: str = Field(max_length=200)
    measure: str = Field(max_length=100)
    unit: str = Field(default="", max_length=20)
    target: Decimal = Field(sa_type=Numeric(16, 4))
    realise_on: date
    status: BenefitStatus = Field(default=BenefitStatus.EXPECTED, sa_type=String(16), index=True)
    realised: Decimal | None = Field(default=None, sa_type=Numeric(16, 4))
    recorded_by: str | None = Field(default=None, max_length=32)
    recorded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Dependency(SQLModel, table=True):
    """A project needs another's deliverable by a date: `downstream` waits on `upstream`."""

    __tablename__ = "dependencies"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    downstream_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    upstream_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    deliverable: str = Field(max_length=200)
    need_by: date
    status: DependencyStatus = Field(default=DependencyStatus.OPEN, sa_type=String(16), index=True)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)


class Retro(SQLModel, table=True):
    """A project's retrospective (APOLLO-RETRO2): open for contributions until
    `closes_at`, then summarised in the project channel."""

    __tablename__ = "retros"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    number: int
    # What started it: a gate passed, the project closed, its cadence, or someone by hand.
    reason: str = Field(max_length=16)
    facilitator: str = Field(max_length=32)
    opened_at: datetime = Field(sa_type=UTCDateTime)
    closes_at: datetime = Field(sa_type=UTCDateTime, index=True)
    status: RetroStatus = Field(default=RetroStatus.OPEN, sa_type=String(16), index=True)
    reminded_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    summarised_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class RetroItem(SQLModel, table=True):
    """One contribution to a retrospective. An anonymous one stores no author and only
    the day it was given: nothing in the database leads back to who wrote it."""

    __tablename__ = "retro_items"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    retro_id: int = Field(
        sa_column=Column(ForeignKey("retros.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    kind: RetroItemKind = Field(sa_type=String(8))
    text: str = Field(sa_type=Text)
    author: str | None = Field(default=None, max_length=32)
    given_on: date


class RetroAction(SQLModel, table=True):
    """An improvement a retrospective decided: an owner, a due date, then an outcome."""

    __tablename__ = "retro_actions"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int = Field(
        sa_column=Column(ForeignKey("projects.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    retro_id: int = Field(
        sa_column=Column(ForeignKey("retros.id", ondelete="CASCADE"), nullable=False, index=True)
    )
    item_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("retro_items.id", ondelete="SET NULL"), nullable=True),
    )
    title: str = Field(max_length=200)
    owner: str = Field(max_length=32, index=True)
    due_on: date
    status: ActionStatus = Field(default=ActionStatus.OPEN, sa_type=String(8), index=True)
    outcome: str = Field(default="", sa_type=Text)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class Lesson(SQLModel, table=True):
    """A lesson learned, searchable across every project of the workspace."""

    __tablename__ = "lessons"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    project_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("projects.id", ondelete="SET NULL"), nullable=True, index=True),
    )
    item_id: int | None = Field(
        default=None,
        sa_column=Column(ForeignKey("retro_items.id", ondelete="SET NULL"), nullable=True),
    )
    title: str = Field(max_length=200)
    what_happened: str = Field(sa_type=Text)
    recommendation: str = Field(sa_type=Text)
    tags: list[str] = Field(default_factory=list, sa_type=JSON)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)


class ApiToken(SQLModel, table=True):
    """A bearer token for the read-only API, scoped to its workspace: only its SHA-256
    hash is kept; revoked tokens stay, for the record."""

    __tablename__ = "api_tokens"

    id: int | None = Field(default=None, primary_key=True)
    team_id: str = team_column()
    name: str = Field(max_length=100)
    token_hash: str = Field(max_length=64, unique=True)
    created_by: str = Field(max_length=32)
    created_at: datetime = Field(sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
