"""The baseline for bench/ack_latency.py: a Bolt app whose /pmo and /status only ack.

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
@bolt.command("/status")
def no_op(ack: Ack) -> None:
    ack()


app = Flask("bare-bolt")
handler = SlackRequestHandler(bolt)


@app.post("/slack/events")
def events():
    return handler.handle(request)
