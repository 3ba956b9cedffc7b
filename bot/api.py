"""The read-only API for BI tools: `GET /api/v1/{projects,status-updates,risks,gates}`.

Each answers one page of the token's workspace as `{"data": [...], "next_cursor": ...}`,
in id order; `/api/v1/openapi.json` describes them and needs no token. Every error is
JSON: 401 for a missing or dead token, 400 naming the wrong parameter, 404, 405.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from datetime import datetime
from typing import Any

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel

from bot.api_schema import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    RESOURCES,
    GateRow,
    ProjectRow,
    RiskRow,
    StatusUpdateRow,
    openapi_document,
)
from bot.app import Runtime
from storage import api_queries
from storage.models import Gate, Project, Risk, Role, StatusUpdate
from workflows.api_tokens import team_of_token

READ_METHODS = ("GET", "HEAD")
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]
# A query string turns `+00:00` into ` 00:00` unless the client encoded it; take it back.
UNENCODED_OFFSET = re.compile(r" (\d{2}:?\d{2})$")


class BadParameter(Exception):
    """A query parameter the API cannot read; the message says what it wants."""

    def __init__(self, parameter: str, message: str) -> None:
        self.parameter = parameter
        super().__init__(message)


def api_blueprint(runtime: Runtime) -> Blueprint:
    """The routes under /api/v1, reading `runtime`'s database."""
    api = Blueprint("api_v1", __name__)

    @api.route("", methods=ALL_METHODS, strict_slashes=False)
    @api.route("/<path:path>", methods=ALL_METHODS)
    def answer(path: str = "") -> tuple[Response, int] | Response:
        if path != "openapi.json" and path not in PAGES:
            return error(404, f"There is nothing at /api/v1/{path}.")
        if request.method not in READ_METHODS:
            reply, status = error(405, "This API is read-only: use GET.")
            reply.headers["Allow"] = ", ".join(READ_METHODS)
            return reply, status
        if path == "openapi.json":
            return jsonify(openapi_document())
        return page(runtime, path)

    return api


def error(status: int, message: str, parameter: str | None = None) -> tuple[Response, int]:
    """A JSON error: `{"error": ..., "parameter": ...}`."""
    body: dict[str, Any] = {"error": message}
    if parameter:
        body["parameter"] = parameter
    return jsonify(body), status


def page(runtime: Runtime, resource: str) -> tuple[Response, int] | Response:
    """One page of `resource` for the bearer token's workspace."""
    with runtime.database.session() as session:
        team_id = team_of_token(session=session, secret=bearer_token(), now=runtime.clock())
    if team_id is None:
        reply, status = error(401, "Send a live API token: `Authorization: Bearer <token>`.")
        reply.headers["WWW-Authenticate"] = 'Bearer realm="pmo-bot"'
        return reply, status
    try:
        limit = read_limit(request.args.get("limit"))
        after_id = read_cursor(request.args.get("cursor"))
        since = read_since(request.args.get("updated_since"))
    except BadParameter as exc:
        return error(400, str(exc), exc.parameter)
    query, to_row = PAGES[resource]
    with runtime.database.session() as session:
        found = query(
            session=session, team_id=team_id, after_id=after_id, since=since, limit=limit + 1
        )
        rows = [to_row(*item).model_dump(mode="json") for item in found[:limit]]
    more = len(found) > limit
    return jsonify(data=rows, next_cursor=cursor_after(rows[-1]["id"]) if more else None)


def bearer_token() -> str:
    """The token of `Authorization: Bearer <token>`, else an empty string."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def read_limit(raw: str | None) -> int:
    """Rows per page: 1 to MAX_LIMIT, DEFAULT_LIMIT when not given."""
    if raw is None:
        return DEFAULT_LIMIT
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_LIMIT:
        raise BadParameter("limit", f"limit must be a whole number from 1 to {MAX_LIMIT}.")
    return int(raw)


def cursor_after(last_id: int) -> str:
    """The opaque cursor of the page after the row `last_id`."""
    return base64.urlsafe_b64encode(str(last_id).encode()).decode()


def read_cursor(raw: str | None) -> int:
    """The id a cursor points after (0 for the first page); BadParameter if it was not ours."""
    if raw is None:
        return 0
    try:
        decoded = base64.urlsafe_b64decode(raw.encode("ascii")).decode("ascii")
    except (binascii.Error, UnicodeError, ValueError):
        decoded = ""
    if not decoded.isdigit() or cursor_after(int(decoded)) != raw:
        raise BadParameter("cursor", "cursor is not one this API gave: start again without it.")
    return int(decoded)


def read_since(raw: str | None) -> datetime | None:
    """`updated_since` as an aware datetime; BadParameter unless ISO 8601 with an offset."""
    if raw is None:
        return None
    wanted = "updated_since must be ISO 8601 with an offset, e.g. 2026-11-23T00:00:00+00:00."
    try:
        since = datetime.fromisoformat(UNENCODED_OFFSET.sub(r"+\1", raw.strip()))
    except ValueError:
        raise BadParameter("updated_since", wanted) from None
    if since.tzinfo is None:
        raise BadParameter("updated_since", wanted)
    return since


# -- rows as analysts get them --------------------------------------------------------
def project_row(project: Project, leads: dict[Role, str]) -> ProjectRow:
    """A project with its PM and sponsor."""
    leading = {"pm": leads.get(Role.PM), "sponsor": leads.get(Role.SPONSOR)}
    return ProjectRow(**columns(project, ProjectRow, leading))


def status_update_row(update: StatusUpdate, key: str) -> StatusUpdateRow:
    """A status update with its project's key and its RAG per dimension."""
    rags = {f"rag_{d}": getattr(update, d) for d in RAG_DIMENSIONS}
    return StatusUpdateRow(**columns(update, StatusUpdateRow, {**rags, "project_key": key}))


def risk_row(risk: Risk, key: str) -> RiskRow:
    """A RAID entry with its project's key."""
    return RiskRow(**columns(risk, RiskRow, {"project_key": key}))


def gate_row(gate: Gate, key: str) -> GateRow:
    """A gate with its project's key."""
    return GateRow(**columns(gate, GateRow, {"project_key": key}))


def columns(record: object, row: type[BaseModel], extra: dict[str, Any]) -> dict[str, Any]:
    """The row's fields: `extra`, and the rest read from the record's columns of that name."""
    return {
        name: extra[name] if name in extra else getattr(record, name) for name in row.model_fields
    }


RAG_DIMENSIONS = ("overall", "schedule", "scope", "budget", "resources")

# resource -> (its page query, its row builder); the keys are RESOURCES' keys.
PAGES: dict[str, tuple[Callable[..., list[Any]], Callable[..., BaseModel]]] = {
    "projects": (api_queries.projects_page, project_row),
    "status-updates": (api_queries.status_updates_page, status_update_row),
    "risks": (api_queries.risks_page, risk_row),
    "gates": (api_queries.gates_page, gate_row),
}
assert set(PAGES) == set(RESOURCES)
