"""The RAID log: raising risks and issues, scoring them, and who hears of them.

What the buttons on a risk's card do is in workflows/risk_changes.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlmodel import Session, select

from storage import audit, risk_log
from storage.models import Project, Risk, RiskKind, Role, Workspace
from storage.portfolio import ProjectLike
from storage.projects import holders, roles_of
from storage.watchlist import UnattendedRisk
from storage.workspaces import ensure_workspace
from workflows import message_keys
from workflows.actor import Actor
from workflows.errors import InvalidInput, NotPermitted, too_long
from workflows.markup import mention
from workflows.outgoing import Outgoing
from workflows.periods import zone
from workflows.projects import resolve_project

PROBABILITY = {1: "Rare", 2: "Unlikely", 3: "Possible", 4: "Likely", 5: "Almost certain"}
IMPACT = {1: "Minimal", 2: "Minor", 3: "Moderate", 4: "Major", 5: "Severe"}
CATEGORIES = [
    "Schedule",
    "Scope",
    "Budget",
    "Resources",
    "Technical",
    "Vendor",
    "Compliance",
    "Other",
]
TITLE_MAX = 200
# Description, mitigation and resolution: a section of a Slack message.
TEXT_MAX = 3000


class Severity(StrEnum):
    """How bad a score is, by the workspace's bands."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def escalates(self) -> bool:
        """High and critical entries are sent to the sponsor at once."""
        return self in (Severity.HIGH, Severity.CRITICAL)


@dataclass(frozen=True)
class RiskDraft:
    """A risk or issue as someone describes it, before the rules have looked at it."""

    title: str
    probability: int | None
    impact: int | None
    kind: RiskKind = RiskKind.RISK
    description: str = ""
    category: str = "Other"
    owner: str | None = None
    mitigation: str = ""
    review_date: date | None = None
    # A decision's: who decided, the options considered, and why this one.
    decided_by: str | None = None
    options: str = ""
    rationale: str = ""


# Risks and issues are scored; assumptions and decisions are recorded without a score
# (probability, impact and score 0), so no heat map, top list or escalation counts them.
SCORED = frozenset({RiskKind.RISK, RiskKind.ISSUE})
LETTERS = {
    RiskKind.RISK: "R",
    RiskKind.ISSUE: "I",
    RiskKind.ASSUMPTION: "A",
    RiskKind.DECISION: "D",
}


def is_scored(kind: RiskKind | str) -> bool:
    """Whether entries of this kind have a probability, an impact and a score."""
    return RiskKind(kind) in SCORED


@dataclass(frozen=True)
class RiskCard:
    """A risk's card in its project's channel, as it stands (message content)."""

    risk: Risk
    project: Project
    band: Severity
    today: date
    # The label of the risk an issue was raised from (APOLLO-R1), so APOLLO-I2 reads right.
    source: str | None = None


@dataclass(frozen=True)
class RiskEscalation:
    """A sponsor's or PM's word of a new high or critical risk (message content)."""

    risk: Risk
    project: Project
    band: Severity


@dataclass(frozen=True)
class Raised:
    """A stored entry, how severe it is, and the messages it causes."""

    risk: Risk
    project: Project
    severity: Severity
    messages: list[Outgoing] = field(default_factory=list)


def severity(score: int, workspace: Workspace) -> Severity:
    """The band `score` falls in: low below medium, and so on up to critical."""
    if score >= workspace.risk_critical_from:
        return Severity.CRITICAL
    if score >= workspace.risk_high_from:
        return Severity.HIGH
    if score >= workspace.risk_medium_from:
        return Severity.MEDIUM
    return Severity.LOW


def risk_label(risk: Risk | UnattendedRisk, project: ProjectLike) -> str:
    """How people refer to an entry: APOLLO-R3 (a risk), APOLLO-I4 (an issue), APOLLO-A5 (an
    assumption), APOLLO-D6 (a decision): one numbering per project, a letter per kind."""
    return f"{project.key}-{LETTERS[RiskKind(risk.kind)]}{risk.number}"


def check_draft(draft: RiskDraft) -> dict[str, str]:
    """What is wrong with the entry, field by field (empty when it may be raised)."""
    errors: dict[str, str] = {}
    if not draft.title.strip():
        errors["title"] = "Give it a title: what might happen (or has happened)?"
    elif problem := too_long("The title", draft.title, TITLE_MAX):
        errors["title"] = problem
    for name, what in (
        ("description", "The description"),
        ("mitigation", "The mitigation"),
        ("options", "The options"),
        ("rationale", "The rationale"),
    ):
        if problem := too_long(what, getattr(draft, name), TEXT_MAX):
            errors[name] = problem
    if is_scored(draft.kind):
        if draft.probability not in PROBABILITY:
            errors["probability"] = "Pick a probability from 1 (rare) to 5 (almost certain)."
        if draft.impact not in IMPACT:
            errors["impact"] = "Pick an impact from 1 (minimal) to 5 (severe)."
    if draft.category not in CATEGORIES:
        errors["category"] = "Pick one of the categories."
    return errors


def is_on_project(*, session: Session, project: Project, user_id: str) -> bool:
    """Anyone holding a role on the project may raise and own its risks."""
    assert project.id is not None
    return bool(
        roles_of(session=session, team_id=project.team_id, project_id=project.id, user_id=user_id)
    )


def require_on_project(*, session: Session, project: Project, user_id: str) -> None:
    """Raise NotPermitted naming the PM unless `user_id` is on the project."""
    if is_on_project(session=session, project=project, user_id=user_id):
        return
    raise NotPermitted(
        f"Only people on {project.key} raise its risks. Ask {pm_of(session, project)} "
        "to raise it, or to add you to the project."
    )


def raise_risk(
    *,
    session: Session,
    actor: Actor,
    key: str | None,
    draft: RiskDraft,
    now: datetime,
    usage: str = "/risk KEY p4 i5 title",
) -> Raised:
    """Raise an entry on the project named by `key` (else the actor's channel's project):
    only people on the project may. Stored with the next number and audited; its card goes
    to the channel, and a high or critical one to the sponsor and PM by direct message."""
    project = resolve_project(
        session=session,
        team_id=actor.team_id,
        key=key,
        channel_id=actor.channel_id,
        usage=usage,
    )
    require_on_project(session=session, project=project, user_id=actor.user_id)
    return store_risk(
        session=session, project=project, raised_by=actor.user_id, draft=draft, now=now
    )


def store_risk(
    *,
    session: Session,
    project: Project,
    raised_by: str,
    draft: RiskDraft,
    now: datetime,
    source: Risk | None = None,
) -> Raised:
    """Store a checked entry with the next number, audited, with the messages it causes;
    `source`: the risk an issue is raised from, which its card names."""
    assert project.id is not None
    errors = check_draft(draft)
    if errors:
        raise InvalidInput(errors)
    # One numbering at a time per project (the unique constraint is the backstop).
    session.exec(select(Project).where(Project.id == project.id).with_for_update()).one()
    number = risk_log.next_number(session=session, team_id=project.team_id, project_id=project.id)
    risk = _new_risk(project, number, raised_by, draft, now)
    risk.source_risk_id = source.id if source else None
    session.add(risk)
    session.flush()
    workspace = ensure_workspace(session=session, team_id=project.team_id)
    band = severity(risk.score, workspace)
    audit.record(
        session=session,
        team_id=project.team_id,
        actor=raised_by,
        action=f"{risk.kind}.raised",
        entity="risk",
        entity_id=risk.id or 0,
        at=now,
        detail={"label": risk_label(risk, project), "score": risk.score, "severity": band.value},
    )
    told = _escalation_list(session, project, raised_by) if band.escalates else []
    card = RiskCard(
        risk,
        project,
        band,
        local_today(workspace, now),
        risk_label(source, project) if source else None,
    )
    messages = _raised_messages(card, told)
    return Raised(risk=risk, project=project, severity=band, messages=messages)


def _new_risk(
    project: Project, number: int, raised_by: str, draft: RiskDraft, now: datetime
) -> Risk:
    assert project.id is not None
    probability, impact = scores_of(draft)
    decision = draft.kind == RiskKind.DECISION
    return Risk(
        team_id=project.team_id,
        project_id=project.id,
        number=number,
        kind=draft.kind,
        title=draft.title.strip(),
        description=draft.description.strip(),
        probability=probability,
        impact=impact,
        score=probability * impact,
        category=draft.category,
        owner=draft.owner,
        mitigation=draft.mitigation.strip(),
        review_date=draft.review_date,
        decided_by=(draft.decided_by or raised_by) if decision else None,
        options=draft.options.strip() if decision else "",
        rationale=draft.rationale.strip() if decision else "",
        raised_by=raised_by,
        created_at=now,
        updated_at=now,
    )


def scores_of(draft: RiskDraft) -> tuple[int, int]:
    """The probability and impact to store: 0 and 0 for a kind that is not scored."""
    if not is_scored(draft.kind):
        return 0, 0
    assert draft.probability is not None and draft.impact is not None
    return draft.probability, draft.impact


def _raised_messages(card: RiskCard, told: list[str]) -> list[Outgoing]:
    # The card in the channel (or to whoever raised it), and a direct message to each told.
    risk, project, band = card.risk, card.project, card.band
    assert risk.id is not None
    posted = Outgoing(
        team_id=project.team_id,
        key=message_keys.risk_posted(risk.id),
        to=project.channel_id or risk.raised_by,
        content=card,
    )
    escalations = [
        Outgoing(
            team_id=project.team_id,
            key=message_keys.risk_escalated(risk.id, user),
            to=user,
            content=RiskEscalation(risk, project, band),
        )
        for user in told
    ]
    return [posted, *escalations]


def card_edit(*, session: Session, risk: Risk, project: Project, now: datetime) -> Outgoing:
    """The edit of a risk's card in place after a change, named by the risk's version."""
    assert risk.id is not None
    workspace = ensure_workspace(session=session, team_id=project.team_id)
    band = severity(risk.score, workspace)
    source = session.get(Risk, risk.source_risk_id) if risk.source_risk_id else None
    card = RiskCard(
        risk, project, band, local_today(workspace, now), source and risk_label(source, project)
    )
    return Outgoing(
        team_id=project.team_id,
        key=message_keys.risk_card_version(risk.id, risk.version),
        to=project.channel_id or risk.raised_by,
        content=card,
        update_key=message_keys.risk_posted(risk.id),
    )


@dataclass(frozen=True)
class RiskRegister:
    """Open entries, highest score first, with their bands; and today in the workspace,
    so overdue reviews can be marked."""

    entries: list[tuple[Risk, Project, Severity]]
    today: date


def project_register(
    *, session: Session, actor: Actor, key: str | None, now: datetime, usage: str
) -> tuple[Project, RiskRegister]:
    """The open risks and issues of the project named (or of the actor's channel)."""
    project = resolve_project(
        session=session, team_id=actor.team_id, key=key, channel_id=actor.channel_id, usage=usage
    )
    assert project.id is not None
    entries = risk_log.active_risks(session=session, team_id=actor.team_id, project_id=project.id)
    return project, _register(session, actor.team_id, [(r, project) for r in entries], now)


def owned_register(*, session: Session, actor: Actor, now: datetime) -> RiskRegister:
    """The open risks and issues the actor owns, on every project."""
    mine = risk_log.owned_by(session=session, team_id=actor.team_id, user_id=actor.user_id)
    return _register(session, actor.team_id, mine, now)


def _register(
    session: Session, team_id: str, entries: list[tuple[Risk, Project]], now: datetime
) -> RiskRegister:
    workspace = ensure_workspace(session=session, team_id=team_id)
    banded = [(risk, project, severity(risk.score, workspace)) for risk, project in entries]
    return RiskRegister(entries=banded, today=local_today(workspace, now))


def local_today(workspace: Workspace, now: datetime) -> date:
    """Today in the workspace's time zone."""
    return now.astimezone(zone(workspace.time_zone)).date()


def rescore_escalations(
    *, session: Session, risk: Risk, project: Project, band: Severity, actor: str
) -> list[Outgoing]:
    """The sponsor's and PM's word that a re-score made an entry high or critical (not the
    person who re-scored it), once per entry, band and person."""
    assert risk.id is not None
    return [
        Outgoing(
            team_id=project.team_id,
            key=message_keys.risk_rescored_escalated(risk.id, band.value, user),
            to=user,
            content=RiskEscalation(risk, project, band),
        )
        for user in _escalation_list(session, project, actor)
    ]


def _escalation_list(session: Session, project: Project, raised_by: str) -> list[str]:
    # The sponsor, and the PM unless the PM raised it; nobody hears of their own risk.
    assert project.id is not None
    sponsors = holders(
        session=session, team_id=project.team_id, project_id=project.id, role=Role.SPONSOR
    )
    pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    return [user for user in dict.fromkeys([*sponsors, *pms]) if user != raised_by]


def risks_past_review(
    *, session: Session, team_id: str, now: datetime
) -> list[tuple[Risk, Project]]:
    """Active entries whose review date has passed, in the workspace's time zone."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    return risk_log.past_review(session=session, team_id=team_id, today=local_today(workspace, now))


def owners_past_review(*, session: Session, team_id: str, now: datetime) -> list[str]:
    """Who owns the entries of `risks_past_review` (each once, in its order)."""
    workspace = ensure_workspace(session=session, team_id=team_id)
    today = local_today(workspace, now)
    owners = risk_log.past_review_owners(session=session, team_id=team_id, today=today)
    return list(dict.fromkeys(owner for owner in owners if owner))


def pm_of(session: Session, project: Project) -> str:
    """The project's PM as a mention, for refusals that say whom to ask."""
    assert project.id is not None
    pms = holders(session=session, team_id=project.team_id, project_id=project.id, role=Role.PM)
    return mention(pms[0]) if pms else "its PM"
