"""The HTTP face of pmo-bot: Slack's endpoints and a health check, as one WSGI app."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request
from slack_bolt.adapter.flask import SlackRequestHandler

from bot.app import Runtime


def create_web_app(runtime: Runtime) -> Flask:
    """A Flask app serving POST /slack/events, GET /healthz and, with OAuth, the install flow."""
    web = Flask("pmo-bot")
    slack = SlackRequestHandler(runtime.app)

    @web.post("/slack/events")
    def slack_events() -> Response:
        return slack.handle(request)

    if runtime.settings.oauth_enabled:

        @web.get("/slack/install")
        def slack_install() -> Response:
            return slack.handle(request)

        @web.get("/slack/oauth_redirect")
        def slack_oauth_redirect() -> Response:
            return slack.handle(request)

    @web.get("/healthz")
    def healthz() -> tuple[Response, int]:
        if runtime.database.ping():
            return jsonify(ok=True, database="ok"), 200
        return jsonify(ok=False, database="unreachable"), 503

    return web
