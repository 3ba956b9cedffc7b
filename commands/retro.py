"""`/retro`: retrospectives, the actions they decide and the lessons they leave.

`/retro` alone shows your open actions and the retros open for you; each verb is
answered by the module that owns it (the VERBS tables): the retro itself in
commands/retro_cycle.py, actions and lessons in commands/retro_learning.py. Any other
word is taken as a project key: `/retro KEY` starts that project's retrospective.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from commands import retro_cycle, retro_learning
from commands.command_ask import CommandAsk, Verb, route
from commands.context import Clock, Delivery
from storage.db import Database

VERBS: dict[str, Verb] = {**retro_cycle.VERBS, **retro_learning.VERBS}


def register(app: App) -> None:
    """Attach `/retro` and the forms and buttons of its parts."""
    app.command("/retro")(retro_command)
    retro_cycle.register(app)
    retro_learning.register(app)


def retro_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Route `/retro <verb> ...` (the VERBS table); nothing shows what waits for you; any
    other word names a project whose retrospective starts."""
    ack()
    ask = CommandAsk.of(command, respond, client, db, clock, delivery)
    route(ask, VERBS, alone=retro_learning.my_actions, otherwise=retro_cycle.start_retro)
