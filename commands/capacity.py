"""`/capacity`: people's capacity, allocations, requests for people and the forecast.

`/capacity` alone shows your own load; each verb below is answered by the module that
owns it (the VERBS tables); any other word is taken as a project key (its team and load).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from commands import capacity_forecast, capacity_people, resource_request
from commands.command_ask import CommandAsk, Verb, route
from commands.context import Clock, Delivery
from storage.db import Database

VERBS: dict[str, Verb] = {
    **capacity_people.VERBS,
    **resource_request.VERBS,
    **capacity_forecast.VERBS,
}


def register(app: App) -> None:
    """Attach `/capacity` and the forms and buttons of its parts."""
    app.command("/capacity")(capacity_command)
    capacity_people.register(app)
    resource_request.register(app)
    capacity_forecast.register(app)


def capacity_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Route `/capacity <verb> ...` (the VERBS table); a word that is no verb names a
    project; nothing at all shows your own load."""
    ack()
    ask = CommandAsk.of(command, respond, client, db, clock, delivery)
    route(ask, VERBS, alone=capacity_people.my_load, otherwise=capacity_people.project_team)
