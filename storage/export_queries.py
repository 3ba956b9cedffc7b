"""A workspace's tables as a PMO analyst reads them: one query per CSV file, its columns
labelled for the reader (a project's key next to its id), rows streamed in batches.

Retro items are left out: an anonymous one has no author, and an export is no place to
guess one. Nothing here formats values; workflows/export.py writes them as text.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, String, and_, cast, select
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from storage.models import (
    Acknowledgement,
    Allocation,
    AuditEvent,
    Benefit,
    Dependency,
    Gate,
    GateDecision,
    Goal,
    GoalCheckin,
    Lesson,
    Project,
    ProjectGoal,
    ProjectRole,
    ProjectType,
    Retro,
    RetroAction,
    Risk,
    StatusUpdate,
)

# Rows fetched per round trip: a big audit trail never sits in memory whole.
BATCH = 500


@dataclass(frozen=True)
class ExportTable:
    """One CSV file: its name and the query of a workspace's rows, whose column labels are
    its header."""

    name: str
    query: Callable[[str], Select[Any]]

    @property
    def filename(self) -> str:
        """The file it is written to."""
        return f"{self.name}.csv"

    @property
    def columns(self) -> list[str]:
        """The header, in order."""
        return list(self.query("").selected_columns.keys())


def table_rows(*, session: Session, table: ExportTable, team_id: str) -> Iterator[tuple[Any, ...]]:
    """The workspace's rows of `table`, in id order, fetched `BATCH` at a time."""
    statement = table.query(team_id).execution_options(yield_per=BATCH)
    for row in session.execute(statement):
        yield tuple(row)


def _project_columns(project: Any = Project) -> tuple[Any, Any]:
    return col(project.id).label("project_id"), col(project.key).label("project_key")


def projects(team_id: str) -> Select[Any]:
    """Every project, archived ones too, with its lifecycle settings."""
    return (
        select(
            *_project_columns(),
            col(Project.name).label("name"),
            col(Project.phase).label("phase"),
            col(ProjectType.name).label("project_type"),
            col(Project.channel_id).label("channel_id"),
            col(Project.start_date).label("start_date"),
            col(Project.target_date).label("target_date"),
            col(Project.budget).label("budget"),
            col(Project.status_cadence).label("status_cadence"),
            col(Project.gate_rule).label("gate_rule"),
            col(Project.gate_pm_may_approve).label("gate_pm_may_approve"),
            col(Project.gate_reject_ends).label("gate_reject_ends"),
            col(Project.gate_sla_days).label("gate_sla_days"),
            col(Project.retro_every_weeks).label("retro_every_weeks"),
            col(Project.archived).label("archived"),
            col(Project.created_by).label("created_by"),
            col(Project.created_at).label("created_at"),
            col(Project.updated_at).label("updated_at"),
        )
        .outerjoin(ProjectType, col(ProjectType.id) == col(Project.type_id))
        .where(col(Project.team_id) == team_id)
        .order_by(col(Project.id))
    )


def project_roles(team_id: str) -> Select[Any]:
    """Who holds which role on which project."""
    return (
        select(
            *_project_columns(),
            col(ProjectRole.user_id).label("user_id"),
            col(ProjectRole.role).label("role"),
        )
        .join(Project, col(Project.id) == col(ProjectRole.project_id))
        .where(col(ProjectRole.team_id) == team_id)
        .order_by(col(ProjectRole.id))
    )


def status_updates(team_id: str) -> Select[Any]:
    """Every status update, superseded versions too (`current` says which one stands)."""
    return (
        select(
            col(StatusUpdate.id).label("update_id"),
            *_project_columns(),
            col(StatusUpdate.period).label("period"),
            col(StatusUpdate.author).label("author"),
            col(StatusUpdate.created_at).label("created_at"),
            col(StatusUpdate.overall).label("overall_rag"),
            col(StatusUpdate.schedule).label("schedule_rag"),
            col(StatusUpdate.scope).label("scope_rag"),
            col(StatusUpdate.budget).label("budget_rag"),
            col(StatusUpdate.resources).label("resources_rag"),
            col(StatusUpdate.percent_complete).label("percent_complete"),
            col(StatusUpdate.summary).label("summary"),
            col(StatusUpdate.accomplishments).label("accomplishments"),
            col(StatusUpdate.next_steps).label("next_steps"),
            col(StatusUpdate.blockers).label("blockers"),
            col(StatusUpdate.path_to_green).label("path_to_green"),
            col(StatusUpdate.spent_to_date).label("spent_to_date"),
            col(StatusUpdate.forecast_at_completion).label("forecast_at_completion"),
            col(StatusUpdate.team_capacity).label("team_capacity"),
            col(StatusUpdate.flagged).label("flagged"),
            col(StatusUpdate.flags).label("flags"),
            col(StatusUpdate.superseded_by_id).is_(None).label("current"),
            col(StatusUpdate.superseded_by_id).label("superseded_by_id"),
        )
        .join(Project, col(Project.id) == col(StatusUpdate.project_id))
        .where(col(StatusUpdate.team_id) == team_id)
        .order_by(col(StatusUpdate.id))
    )


def risks(team_id: str) -> Select[Any]:
    """The RAID log: risks, issues, assumptions and decisions as they stand now."""
    return (
        select(
            col(Risk.id).label("risk_id"),
            *_project_columns(),
            col(Risk.number).label("number"),
            col(Risk.kind).label("kind"),
            col(Risk.title).label("title"),
            col(Risk.description).label("description"),
            col(Risk.category).label("category"),
            col(Risk.probability).label("probability"),
            col(Risk.impact).label("impact"),
            col(Risk.score).label("score"),
            col(Risk.owner).label("owner"),
            col(Risk.status).label("status"),
            col(Risk.mitigation).label("mitigation"),
            col(Risk.review_date).label("review_date"),
            col(Risk.resolution).label("resolution"),
            col(Risk.raised_by).label("raised_by"),
            col(Risk.decided_by).label("decided_by"),
            col(Risk.options).label("options"),
            col(Risk.rationale).label("rationale"),
            col(Risk.source_risk_id).label("source_risk_id"),
            col(Risk.created_at).label("created_at"),
            col(Risk.updated_at).label("updated_at"),
            col(Risk.closed_at).label("closed_at"),
        )
        .join(Project, col(Project.id) == col(Risk.project_id))
        .where(col(Risk.team_id) == team_id)
        .order_by(col(Risk.id))
    )


def risks_history(team_id: str) -> Select[Any]:
    """Each change of a RAID entry, from the audit trail, oldest first."""
    return (
        select(
            col(AuditEvent.id).label("event_id"),
            col(AuditEvent.at).label("at"),
            col(Risk.id).label("risk_id"),
            *_project_columns(),
            col(Risk.number).label("number"),
            col(AuditEvent.action).label("action"),
            col(AuditEvent.actor).label("actor"),
            col(AuditEvent.detail).label("detail"),
        )
        .outerjoin(
            Risk,
            and_(
                cast(col(Risk.id), String) == col(AuditEvent.entity_id),
                col(Risk.team_id) == col(AuditEvent.team_id),
            ),
        )
        .outerjoin(Project, col(Project.id) == col(Risk.project_id))
        .where(col(AuditEvent.team_id) == team_id, col(AuditEvent.entity) == "risk")
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )


def gates(team_id: str) -> Select[Any]:
    """Every stage-gate request and where it stands."""
    return (
        select(
            col(Gate.id).label("gate_id"),
            *_project_columns(),
            col(Gate.number).label("number"),
            col(Gate.from_phase).label("from_phase"),
            col(Gate.to_phase).label("to_phase"),
            col(Gate.requested_by).label("requested_by"),
            col(Gate.requested_at).label("requested_at"),
            col(Gate.evidence).label("evidence"),
            col(Gate.checklist).label("checklist"),
            col(Gate.rule).label("rule"),
            col(Gate.required).label("approvals_required"),
            col(Gate.reject_ends).label("reject_ends"),
            col(Gate.sla_days).label("sla_days"),
            col(Gate.status).label("status"),
            col(Gate.decided_at).label("decided_at"),
            col(Gate.reminded_at).label("reminded_at"),
            col(Gate.escalated_at).label("escalated_at"),
        )
        .join(Project, col(Project.id) == col(Gate.project_id))
        .where(col(Gate.team_id) == team_id)
        .order_by(col(Gate.id))
    )


def gate_decisions(team_id: str) -> Select[Any]:
    """Each approver's decision on a gate."""
    return (
        select(
            col(GateDecision.id).label("decision_id"),
            col(Gate.id).label("gate_id"),
            *_project_columns(),
            col(Gate.number).label("gate_number"),
            col(Gate.to_phase).label("to_phase"),
            col(GateDecision.approver).label("approver"),
            col(GateDecision.verdict).label("verdict"),
            col(GateDecision.reason).label("reason"),
            col(GateDecision.decided_at).label("decided_at"),
        )
        .join(Gate, col(Gate.id) == col(GateDecision.gate_id))
        .join(Project, col(Project.id) == col(Gate.project_id))
        .where(col(GateDecision.team_id) == team_id)
        .order_by(col(GateDecision.id))
    )


def acknowledgements(team_id: str) -> Select[Any]:
    """Who read which status update, with their comment."""
    return (
        select(
            col(Acknowledgement.id).label("acknowledgement_id"),
            col(StatusUpdate.id).label("update_id"),
            *_project_columns(),
            col(StatusUpdate.period).label("period"),
            col(Acknowledgement.user_id).label("user_id"),
            col(Acknowledgement.comment).label("comment"),
            col(Acknowledgement.created_at).label("created_at"),
            col(Acknowledgement.updated_at).label("updated_at"),
        )
        .join(StatusUpdate, col(StatusUpdate.id) == col(Acknowledgement.update_id))
        .join(Project, col(Project.id) == col(StatusUpdate.project_id))
        .where(col(Acknowledgement.team_id) == team_id)
        .order_by(col(Acknowledgement.id))
    )


def allocations(team_id: str) -> Select[Any]:
    """People's time on projects: hours a week or a share of their capacity."""
    return (
        select(
            col(Allocation.id).label("allocation_id"),
            *_project_columns(),
            col(Allocation.user_id).label("user_id"),
            col(Allocation.start_date).label("start_date"),
            col(Allocation.end_date).label("end_date"),
            col(Allocation.hours_per_week).label("hours_per_week"),
            col(Allocation.percent).label("percent"),
            col(Allocation.request_id).label("request_id"),
            col(Allocation.created_by).label("created_by"),
            col(Allocation.created_at).label("created_at"),
        )
        .join(Project, col(Project.id) == col(Allocation.project_id))
        .where(col(Allocation.team_id) == team_id)
        .order_by(col(Allocation.id))
    )


def goals(team_id: str) -> Select[Any]:
    """The strategic goals with their measures."""
    return (
        select(
            col(Goal.id).label("goal_id"),
            col(Goal.key).label("goal_key"),
            col(Goal.title).label("title"),
            col(Goal.owner).label("owner"),
            col(Goal.target_date).label("target_date"),
            col(Goal.measure).label("measure"),
            col(Goal.unit).label("unit"),
            col(Goal.baseline).label("baseline"),
            col(Goal.target).label("target"),
            col(Goal.archived).label("archived"),
            col(Goal.created_by).label("created_by"),
            col(Goal.created_at).label("created_at"),
            col(Goal.updated_at).label("updated_at"),
        )
        .where(col(Goal.team_id) == team_id)
        .order_by(col(Goal.id))
    )


def project_goals(team_id: str) -> Select[Any]:
    """Which project serves which goal, and how much."""
    return (
        select(
            *_project_columns(),
            col(Goal.id).label("goal_id"),
            col(Goal.key).label("goal_key"),
            col(ProjectGoal.weight).label("weight"),
        )
        .join(Project, col(Project.id) == col(ProjectGoal.project_id))
        .join(Goal, col(Goal.id) == col(ProjectGoal.goal_id))
        .where(col(ProjectGoal.team_id) == team_id)
        .order_by(col(ProjectGoal.id))
    )


def goal_checkins(team_id: str) -> Select[Any]:
    """The owners' readings of their goals' measures."""
    return (
        select(
            col(GoalCheckin.id).label("checkin_id"),
            col(Goal.id).label("goal_id"),
            col(Goal.key).label("goal_key"),
            col(GoalCheckin.value).label("value"),
            col(GoalCheckin.note).label("note"),
            col(GoalCheckin.author).label("author"),
            col(GoalCheckin.created_at).label("created_at"),
        )
        .join(Goal, col(Goal.id) == col(GoalCheckin.goal_id))
        .where(col(GoalCheckin.team_id) == team_id)
        .order_by(col(GoalCheckin.id))
    )


def benefits(team_id: str) -> Select[Any]:
    """What each project must deliver to be worth it, and what it did."""
    return (
        select(
            col(Benefit.id).label("benefit_id"),
            *_project_columns(),
            col(Benefit.title).label("title"),
            col(Benefit.measure).label("measure"),
            col(Benefit.unit).label("unit"),
            col(Benefit.target).label("target"),
            col(Benefit.realise_on).label("realise_on"),
            col(Benefit.status).label("status"),
            col(Benefit.realised).label("realised"),
            col(Benefit.recorded_by).label("recorded_by"),
            col(Benefit.recorded_at).label("recorded_at"),
            col(Benefit.created_by).label("created_by"),
            col(Benefit.created_at).label("created_at"),
        )
        .join(Project, col(Project.id) == col(Benefit.project_id))
        .where(col(Benefit.team_id) == team_id)
        .order_by(col(Benefit.id))
    )


def dependencies(team_id: str) -> Select[Any]:
    """What each project waits on from another, and by when."""
    downstream, upstream = aliased(Project), aliased(Project)
    return (
        select(
            col(Dependency.id).label("dependency_id"),
            col(downstream.id).label("downstream_project_id"),
            col(downstream.key).label("downstream_project_key"),
            col(upstream.id).label("upstream_project_id"),
            col(upstream.key).label("upstream_project_key"),
            col(Dependency.deliverable).label("deliverable"),
            col(Dependency.need_by).label("need_by"),
            col(Dependency.status).label("status"),
            col(Dependency.created_by).label("created_by"),
            col(Dependency.created_at).label("created_at"),
        )
        .join(downstream, col(downstream.id) == col(Dependency.downstream_id))
        .join(upstream, col(upstream.id) == col(Dependency.upstream_id))
        .where(col(Dependency.team_id) == team_id)
        .order_by(col(Dependency.id))
    )


def retro_actions(team_id: str) -> Select[Any]:
    """The improvements retrospectives decided, with their owners and outcomes."""
    return (
        select(
            col(RetroAction.id).label("action_id"),
            *_project_columns(),
            col(Retro.id).label("retro_id"),
            col(Retro.number).label("retro_number"),
            col(RetroAction.title).label("title"),
            col(RetroAction.owner).label("owner"),
            col(RetroAction.due_on).label("due_on"),
            col(RetroAction.status).label("status"),
            col(RetroAction.outcome).label("outcome"),
            col(RetroAction.created_by).label("created_by"),
            col(RetroAction.created_at).label("created_at"),
            col(RetroAction.closed_at).label("closed_at"),
        )
        .join(Project, col(Project.id) == col(RetroAction.project_id))
        .join(Retro, col(Retro.id) == col(RetroAction.retro_id))
        .where(col(RetroAction.team_id) == team_id)
        .order_by(col(RetroAction.id))
    )


def lessons(team_id: str) -> Select[Any]:
    """Lessons learned (the project is empty when it was deleted)."""
    return (
        select(
            col(Lesson.id).label("lesson_id"),
            *_project_columns(),
            col(Lesson.title).label("title"),
            col(Lesson.what_happened).label("what_happened"),
            col(Lesson.recommendation).label("recommendation"),
            col(Lesson.tags).label("tags"),
            col(Lesson.created_by).label("created_by"),
            col(Lesson.created_at).label("created_at"),
        )
        .outerjoin(Project, col(Project.id) == col(Lesson.project_id))
        .where(col(Lesson.team_id) == team_id)
        .order_by(col(Lesson.id))
    )


def audit_events(team_id: str) -> Select[Any]:
    """The whole audit trail, oldest first."""
    return (
        select(
            col(AuditEvent.id).label("event_id"),
            col(AuditEvent.at).label("at"),
            col(AuditEvent.actor).label("actor"),
            col(AuditEvent.action).label("action"),
            col(AuditEvent.entity).label("entity"),
            col(AuditEvent.entity_id).label("entity_id"),
            col(AuditEvent.detail).label("detail"),
        )
        .where(col(AuditEvent.team_id) == team_id)
        .order_by(col(AuditEvent.at), col(AuditEvent.id))
    )


EXPORT_TABLES: list[ExportTable] = [
    ExportTable("projects", projects),
    ExportTable("project_roles", project_roles),
    ExportTable("status_updates", status_updates),
    ExportTable("risks", risks),
    ExportTable("risks_history", risks_history),
    ExportTable("gates", gates),
    ExportTable("gate_decisions", gate_decisions),
    ExportTable("acknowledgements", acknowledgements),
    ExportTable("allocations", allocations),
    ExportTable("goals", goals),
    ExportTable("project_goals", project_goals),
    ExportTable("goal_checkins", goal_checkins),
    ExportTable("benefits", benefits),
    ExportTable("dependencies", dependencies),
    ExportTable("retro_actions", retro_actions),
    ExportTable("lessons", lessons),
    ExportTable("audit_events", audit_events),
]
