"""The HTTP face of pmo-bot: Slack's endpoints and a health check, as one WSGI app."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Mapping

from flask import Flask, Response, jsonify, request
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier

from bot import metrics
from bot.api import api_blueprint
from bot.app import Runtime
from bot.errors import team_of, user_of
from bot.logs import request_context
from commands.payload import unreadable
from storage import schema
from storage.db import Database

logger = logging.getLogger(__name__)


def signed_by_slack(
    verifier: SignatureVerifier | None, body: bytes, headers: Mapping[str, str]
) -> bool:
    """True only for a request Slack signed within the last five minutes; never raises.

    Checked before Bolt sees the request: a header Bolt's own check chokes on (a timestamp
    like `abc`) would otherwise hand the unverified body to the error handler, which
    answers to its response_url.
    """
    if verifier is None:
        return False  # no signing secret (Socket Mode): nothing may arrive over HTTP
    try:
        return verifier.is_valid_request(body, dict(headers))
    except Exception:  # garbage headers, a body that is not UTF-8
        return False


def create_web_app(
    runtime: Runtime, *, link_health: Callable[[], tuple[dict[str, object], int]] | None = None
) -> Flask:
    """A Flask app serving POST /slack/events, GET /healthz, GET /metrics, the read-only
    API under /api/v1 and, with OAuth, the install flow. `link_health` (Socket Mode) is the
    state of the connection to Slack, which /healthz then reports too."""
    web = Flask("pmo-bot")
    slack = SlackRequestHandler(runtime.app)
    secret = runtime.settings.SLACK_SIGNING_SECRET
    verifier = SignatureVerifier(secret) if secret and secret.strip() else None

    @web.post("/slack/events")
    def slack_events() -> Response | tuple[Response, int]:
        if not signed_by_slack(verifier, request.get_data(), request.headers):
            # Refused before Bolt parses it; Bolt still verifies what passes (defense in depth).
            return jsonify(error="invalid request"), 401
        problem = unreadable(request.get_data(as_text=True), request.content_type)
        if problem:
            # Signed but not shaped like Slack's: Bolt would fail on it with a 500.
            return jsonify(error=problem), 400
        return answer_slack(request.get_data(as_text=True), request.content_type)

    def answer_slack(raw_body: str, content_type: str | None) -> Response:
        # One request id ties this ack, its listener (Bolt's threads inherit the context)
        # and what they log; the labels are ids, never what the person typed.
        started = time.perf_counter()
        body = parse_body(raw_body, content_type)
        kind, name = metrics.request_label(body)
        with request_context(
            request_id=uuid.uuid4().hex[:16], team=team_of(body), user=user_of(body), **{kind: name}
        ):
            response = slack.handle(request)
            seconds = time.perf_counter() - started
            metrics.answered(kind, name, seconds)
            logger.info("%s %s answered %s in %.3fs", kind, name, response.status_code, seconds)
        return response

    if runtime.settings.oauth_enabled:

        @web.get("/slack/install")
        def slack_install() -> Response:
            return slack.handle(request)

        @web.get("/slack/oauth_redirect")
        def slack_oauth_redirect() -> Response:
            return slack.handle(request)

    # The read-only API for BI tools: bearer tokens, not Slack's signature (bot/api.py).
    web.register_blueprint(api_blueprint(runtime), url_prefix="/api/v1")

    add_operator_routes(web, runtime, link_health)
    return web


def add_operator_routes(
    web: Flask,
    runtime: Runtime,
    link_health: Callable[[], tuple[dict[str, object], int]] | None = None,
) -> None:
    """GET /healthz and GET /metrics on `web`, for whoever watches the process (the web
    app's and the worker's); `link_health` as for create_web_app."""

    @web.get("/healthz")
    def healthz() -> tuple[Response, int]:
        answer, status = health(runtime.database)
        if link_health is not None:  # Socket Mode: no connection to Slack is as bad
            link, link_status = link_health()
            if status == 200:
                answer, status = {**answer, **link}, link_status
            else:
                answer["socket"] = link["socket"]
        return jsonify(answer), status

    @web.get("/metrics")
    def prometheus_metrics() -> Response:
        # Like /healthz, not signed: expose it only where Prometheus can reach it.
        return Response(
            metrics.exposition(runtime.database, runtime.clock), content_type=metrics.CONTENT_TYPE
        )


def health(database: Database) -> tuple[dict[str, object], int]:
    """200 when the database answers and its schema is the one this code needs; else 503
    and why. One short query: load balancers ask often."""
    try:
        current = schema.applied_revision(database.engine)
    except Exception as exc:
        logger.warning("healthz: the database does not answer (%s)", type(exc).__name__)
        reason = "the database does not answer"
        return {"ok": False, "database": "unreachable", "reason": reason}, 503
    head = schema.head_revision()
    if current != head:
        reason = f"the schema is at {current or 'no migration'}, this code needs {head}"
        return {"ok": False, "database": "not migrated", "reason": reason}, 503
    return {"ok": True, "database": "ok"}, 200
