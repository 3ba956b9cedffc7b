"""The read-only API's rows as analysts get them, and the OpenAPI document that describes them.

The document is built from these same models, so what it promises is what the API sends:
datetimes in ISO 8601 with their offset (UTC), money as decimal strings, dates as dates.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

MAX_LIMIT = 500
DEFAULT_LIMIT = 100


class ProjectRow(BaseModel):
    """A project of the portfolio."""

    id: int
    key: str = Field(description="The project's short key, e.g. APOLLO.")
    name: str
    phase: str
    pm: str | None = Field(description="The project manager's Slack user id.")
    sponsor: str | None = Field(description="The sponsor's Slack user id.")
    channel_id: str | None = Field(description="The project's home channel in Slack.")
    start_date: date | None
    target_date: date | None
    budget: Decimal | None = Field(description="In the workspace's currency, as a string.")
    status_cadence: str
    archived: bool
    created_by: str
    created_at: datetime
    updated_at: datetime


class StatusUpdateRow(BaseModel):
    """One status report, with its RAG rating on each dimension."""

    id: int
    project_key: str
    period: str = Field(description="The reporting period, e.g. 2026-W48.")
    author: str
    created_at: datetime
    rag_overall: str = Field(description="green, amber, red or hold (the same for each rag_).")
    rag_schedule: str
    rag_scope: str
    rag_budget: str
    rag_resources: str
    percent_complete: int | None
    summary: str
    accomplishments: str
    next_steps: str
    blockers: str
    path_to_green: str
    spent_to_date: Decimal | None
    forecast_at_completion: Decimal | None
    team_capacity: str | None
    flagged: bool
    superseded_by_id: int | None = Field(
        description="The later update of the same period that replaced this one, if any."
    )


class RiskRow(BaseModel):
    """An entry of a project's RAID log: a risk, an issue, an assumption or a decision."""

    id: int
    project_key: str
    number: int = Field(description="Its number within the project.")
    kind: str
    title: str
    status: str
    probability: int
    impact: int
    score: int = Field(description="probability × impact")
    category: str
    owner: str | None
    review_date: date | None
    raised_by: str
    decided_by: str | None
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


class GateRow(BaseModel):
    """A stage gate: a request to move a project to its next phase, and its outcome."""

    id: int
    project_key: str
    number: int
    from_phase: str
    to_phase: str
    status: str
    rule: str = Field(description="any, all, or how many approvers must approve.")
    required: int
    requested_by: str
    requested_at: datetime
    decided_at: datetime | None
    sla_days: int


class ApiError(BaseModel):
    """What went wrong, and with which query parameter if one."""

    error: str
    parameter: str | None = None


# path -> (row model, the column `updated_since` compares with)
RESOURCES: dict[str, tuple[type[BaseModel], str]] = {
    "projects": (ProjectRow, "`updated_at`: any change to the project"),
    "status-updates": (
        StatusUpdateRow,
        "`created_at`: updates are never edited; a later one of the same period supersedes it",
    ),
    "risks": (RiskRow, "`updated_at`: any change to the entry"),
    "gates": (GateRow, "`decided_at`, else `requested_at` for a gate still pending"),
}


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of /api/v1."""
    schemas: dict[str, Any] = {
        "ApiError": ApiError.model_json_schema(mode="serialization"),
    }
    paths: dict[str, Any] = {}
    for resource, (model, changed) in RESOURCES.items():
        name = model.__name__
        schemas[name] = model.model_json_schema(mode="serialization")
        schemas[f"{name}Page"] = _page(name)
        paths[f"/{resource}"] = {"get": _operation(resource, name, changed)}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "pmo-bot read-only API",
            "version": "1",
            "description": (
                "The workspace's projects, status updates, RAID log and stage gates for BI "
                "tools. A PMO lead creates a token with `/pmo api token NAME` in Slack; it "
                "reads only its own workspace."
            ),
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def _page(name: str) -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["data", "next_cursor"],
        "properties": {
            "data": {"type": "array", "items": {"$ref": f"#/components/schemas/{name}"}},
            "next_cursor": {
                "type": ["string", "null"],
                "description": "Pass as `cursor` for the next page; null on the last page.",
            },
        },
    }


def _operation(resource: str, name: str, changed: str) -> dict[str, Any]:
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
    return {
        "operationId": f"list_{resource.replace('-', '_')}",
        "summary": f"The workspace's {resource.replace('-', ' ')}, oldest first (by id).",
        "parameters": [
            {
                "name": "limit",
                "in": "query",
                "description": f"Rows per page, 1 to {MAX_LIMIT}.",
                "schema": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": MAX_LIMIT,
                    "default": DEFAULT_LIMIT,
                },
            },
            {
                "name": "cursor",
                "in": "query",
                "description": "The previous page's `next_cursor`.",
                "schema": {"type": "string"},
            },
            {
                "name": "updated_since",
                "in": "query",
                "description": (
                    "ISO 8601 with an offset, e.g. 2026-11-23T00:00:00+00:00: only rows "
                    f"changed at or after it, by {changed}."
                ),
                "schema": {"type": "string", "format": "date-time"},
            },
        ],
        "responses": {
            "200": {
                "description": "One page.",
                "content": {
                    "application/json": {"schema": {"$ref": f"#/components/schemas/{name}Page"}}
                },
            },
            "400": {"description": "A query parameter is wrong.", "content": error},
            "401": {"description": "No token, or not a live one.", "content": error},
        },
    }
