"""How the PMO's values read in Slack: one label for each, shared by every surface."""

from __future__ import annotations

from storage.models import Cadence, Rag, RiskStatus, TeamCapacity
from workflows.risks import Severity

RAG_EMOJI = {
    Rag.GREEN: ":large_green_circle:",
    Rag.AMBER: ":large_yellow_circle:",
    Rag.RED: ":red_circle:",
    Rag.HOLD: ":white_circle:",
}
DIMENSION_LABELS = {
    "schedule": "Schedule",
    "scope": "Scope",
    "budget": "Budget",
    "resources": "Resources",
}
SEVERITY_EMOJI = {
    Severity.LOW: ":large_green_circle:",
    Severity.MEDIUM: ":large_yellow_circle:",
    Severity.HIGH: ":large_orange_circle:",
    Severity.CRITICAL: ":red_circle:",
}
RISK_STATUS_WORDS = {
    RiskStatus.OPEN: "Open",
    RiskStatus.MITIGATING: "Mitigating",
    RiskStatus.CLOSED: "Closed",
    RiskStatus.CONVERTED: "Became an issue",
}
TEAM_CAPACITY_LABELS = {
    TeamCapacity.ENOUGH: "Enough",
    TeamCapacity.STRETCHED: "Stretched",
    TeamCapacity.SHORT: "Short",
}
TEAM_CAPACITY_EMOJI = ":busts_in_silhouette:"
CADENCE_LABELS = {
    Cadence.WEEKLY: "Every week",
    Cadence.FORTNIGHTLY: "Every two weeks",
    Cadence.MONTHLY: "Every month",
}
GATE_RULE_LABELS = {
    "all": "All approvers",
    "any": "Any one approver",
    "2": "2 of the approvers",
    "3": "3 of the approvers",
    "4": "4 of the approvers",
    "5": "5 of the approvers",
}
