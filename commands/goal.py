"""`/goal`: strategic goals, their health rolled up from their projects, their measure,
and the portfolio ranked against them.

`/goal` alone lists the goals; each verb is answered by the module that owns it (the
VERBS tables): goals themselves in commands/goals.py, the ranking in
commands/portfolio_ranking.py. Any other word is taken as a goal's key.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from commands import goals, portfolio_ranking
from commands.command_ask import CommandAsk, Verb, route
from commands.context import Clock, Delivery
from storage.db import Database

VERBS: dict[str, Verb] = {**goals.VERBS, **portfolio_ranking.VERBS}


def register(app: App) -> None:
    """Attach `/goal` and the forms and buttons of its parts."""
    app.command("/goal")(goal_command)
    goals.register(app)
    portfolio_ranking.register(app)


def goal_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Route `/goal <verb> ...` (the VERBS table); nothing lists the goals; any other word
    names a goal."""
    ack()
    ask = CommandAsk.of(command, respond, client, db, clock, delivery)
    route(ask, VERBS, alone=goals.list_goals, otherwise=goals.show_goal)
