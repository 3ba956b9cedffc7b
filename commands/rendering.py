"""How each kind of message reads: one table from a workflow's content to its Block Kit.

Workflows say what to send as plain data (`workflows.outgoing.Outgoing.content`); the
builder for that kind of content, next to the surface that owns it, turns it into text
and blocks (or a file to share: commands/upload.py). bot/sender.py calls `render` when it
stores a message in the outbox.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from commands import (
    capacity_heatmap,
    capacity_message,
    dependency_message,
    digest_chart,
    digest_message,
    dm_reply,
    gate_message,
    goal_message,
    kudos_message,
    lesson_message,
    nudge_message,
    pmo_export,
    project_card,
    resource_request_message,
    retro_action_message,
    retro_message,
    risk_heatmap,
    risk_message,
    status_message,
)
from commands.templates import Templates
from commands.upload import Upload
from workflows import (
    acknowledgements,
    action_nudges,
    capacity,
    dependencies,
    dependency_alerts,
    digest,
    direct_messages,
    export,
    gate_decisions,
    gates,
    goals,
    health_trend,
    kudos,
    lesson_suggestions,
    load_heatmap,
    nudges,
    projects,
    resource_requests,
    retro_actions,
    retro_schedule,
    retros,
    risk_views,
    risks,
    status,
)

Blocks = list[dict[str, Any]]
Rendered = tuple[str, Blocks]
# A message, or a file to share (a picture: bot/delivery.py uploads it).
Part = Rendered | Upload
# A builder returns one message, or several when the content is too long for one (the
# parts after the first go in the first one's thread).
Builder = Callable[[Any, Templates], Part | list[Part]]


def _plain(build: Callable[[Any], Part]) -> Builder:
    """A builder that needs no templates."""
    return lambda content, _templates: build(content)


BUILDERS: dict[type, Builder] = {
    capacity.AllocationNotice: _plain(capacity_message.allocation_notice),
    capacity.AllocationQuestion: _plain(capacity_message.allocation_question),
    capacity.OverAllocation: _plain(capacity_message.over_allocation),
    acknowledgements.AcknowledgementNotice: _plain(status_message.acknowledgement_notice),
    dependencies.DependencyNotice: _plain(dependency_message.dependency_notice),
    dependency_alerts.DependencyAlert: _plain(dependency_message.dependency_alert),
    digest.Digest: digest_message.digest_messages,
    direct_messages.BotHelp: _plain(dm_reply.bot_help),
    export.ExportArchive: _plain(pmo_export.archive_upload),
    health_trend.HealthTrend: _plain(digest_chart.chart_upload),
    gates.GateCard: _plain(gate_message.request_message),
    gates.GateAsk: _plain(gate_message.ask_approver),
    gate_decisions.DecisionReply: _plain(gate_message.decision_reply),
    gates.GateOutcome: _plain(gate_message.outcome_reply),
    gate_decisions.GateOutcomeNotice: _plain(gate_message.outcome_notice),
    goals.GoalOwnerNotice: _plain(goal_message.owner_notice),
    kudos.KudosThanks: _plain(kudos_message.thanked_you),
    load_heatmap.HeatMap: _plain(capacity_heatmap.heatmap_upload),
    nudges.Nudge: nudge_message.nudge_message,
    projects.ProjectAnnouncement: _plain(project_card.announcement),
    resource_requests.RequestCard: _plain(resource_request_message.request_card),
    resource_requests.RequestReply: _plain(resource_request_message.change_reply),
    resource_requests.RequestNotice: _plain(resource_request_message.change_notice),
    resource_requests.AssignmentNotice: _plain(resource_request_message.assignment_notice),
    risks.RiskCard: _plain(risk_message.risk_card),
    risks.RiskEscalation: _plain(risk_message.escalation),
    risk_views.RiskHeatMap: _plain(risk_heatmap.heatmap_upload),
    status.StatusPost: _plain(status_message.status_post),
    status.StatusRetired: _plain(status_message.retired_post),
    retro_actions.ActionAssigned: _plain(retro_action_message.assigned),
    action_nudges.ActionReminder: _plain(retro_action_message.reminder),
    lesson_suggestions.LessonSuggestions: _plain(lesson_message.suggestions),
    retros.RetroInvite: _plain(retro_message.invitation),
    retros.RetroReminder: _plain(retro_message.reminder),
    retro_schedule.RetroSummary: _plain(retro_message.summary_messages),
}


def render(content: object, templates: Templates) -> list[Part]:
    """The message (or its parts, in order) that says `content`."""
    builder = BUILDERS.get(type(content))
    if builder is None:
        raise LookupError(f"no builder for {type(content).__name__} in commands/rendering.py")
    rendered = builder(content, templates)
    return rendered if isinstance(rendered, list) else [rendered]
