"""The baselines for bench/ack_latency.py: a Bolt app whose /pmo and /status only ack.

With BARE_OPENS_FORM=1, its /status also opens pmo-bot's status form for one project, built
once at start (no database, no middleware): what any app must do to open that form, so the
bench can tell Slack's part of a form's cost from pmo-bot's own.

Served by gunicorn exactly like pmo-bot (`bench.bare_bolt_app:app`).
"""

from __future__ import annotations

import os

from flask import Flask, request
from slack_bolt import Ack, App
from slack_bolt.adapter.flask import SlackRequestHandler
from slack_sdk import WebClient

bolt = App(
    client=WebClient(token=os.environ["SLACK_BOT_TOKEN"], base_url=os.environ["SLACK_API_URL"]),
    signing_secret=os.environ["SLACK_SIGNING_SECRET"],
)


@bolt.command("/pmo")
def no_op(ack: Ack) -> None:
    ack()


if os.environ.get("BARE_OPENS_FORM"):
    from commands.project_picker import ProjectChoice
    from commands.status_form import status_modal

    APOLLO = ProjectChoice(key="APOLLO", name="Apollo", runs_it=True)
    FORM = status_modal(choices=[APOLLO], selected=APOLLO, draft=None)

    @bolt.command("/status")
    def open_form(ack: Ack, body: dict, client: WebClient) -> None:
        ack()
        client.views_open(trigger_id=body["trigger_id"], view=FORM)

else:
    bolt.command("/status")(no_op)


app = Flask("bare-bolt")
handler = SlackRequestHandler(bolt)


@app.post("/slack/events")
def events():
    return handler.handle(request)
