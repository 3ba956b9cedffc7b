"""`/pmo types` and `/pmo type new|edit NAME`: the workspace's project types, and the form
PMO leads define one with."""

from __future__ import annotations

from functools import partial
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App
from slack_sdk import WebClient
from slack_sdk.models.blocks import Block, HeaderBlock, SectionBlock

from commands import payload, project_type_form
from commands.context import Delivery
from commands.labels import GATE_RULE_LABELS
from commands.mrkdwn import escape, fit
from commands.slack_person import is_slack_admin
from storage.models import ProjectType
from storage.project_type_log import types_of
from workflows import project_types
from workflows.errors import PmoError
from workflows.wording import count

if TYPE_CHECKING:
    from commands.pmo import PmoAsk

USAGE = "/pmo type new` or `/pmo type edit NAME"
SECTION_MAX = 3000
# A header and one section per type within Slack's 50 blocks.
LISTED_MAX = 49


def register(app: App) -> None:
    """Attach the project type form."""
    app.view(project_type_form.CALLBACK_ID)(save_type)


def types_verb(ask: PmoAsk) -> None:
    """`/pmo types`: each type with its phases, checklists, rule and dimensions."""
    with ask.db.session() as session:
        kinds = types_of(session=session, team_id=ask.actor.team_id)
        blocks = types_blocks(kinds)
    ask.respond(blocks=blocks, text=count(len(kinds), "project type"))


def types_blocks(kinds: list[ProjectType]) -> list[dict[str, Any]]:
    """The types as a list: the default first, then by name."""
    blocks: list[Block] = [HeaderBlock(text="Project types")]
    blocks += [SectionBlock(text=fit(_describe(k), SECTION_MAX)) for k in kinds[:LISTED_MAX]]
    return [block.to_dict() for block in blocks]


def _describe(kind: ProjectType) -> str:
    items = sum(len(kind.checklists.get(p, [])) for p in kind.phases)
    rule = GATE_RULE_LABELS.get(kind.gate_rule, kind.gate_rule)
    return (
        f"*{escape(kind.name)}*{' (default)' if kind.is_default else ''}\n"
        f"{' → '.join(escape(p) for p in kind.phases)}\n"
        f"{count(items, 'checklist item')} · gates: {rule.lower()}, "
        f"{count(kind.gate_sla_days, 'day')} to decide"
        f" · status on {', '.join(kind.dimensions)}"
    )


def type_verb(ask: PmoAsk) -> None:
    """`/pmo type new` or `/pmo type edit NAME`: the form, for PMO leads and Slack admins."""
    trigger_id = ask.trigger_id  # first: a command without one stores nothing
    action, _, name = ask.rest.partition(" ")
    action, name = action.lower(), name.strip()
    if action not in ("new", "edit") or (action == "edit") != bool(name):
        raise PmoError(f"`{USAGE}`.")
    admin = is_slack_admin(ask.client, ask.actor.user_id)
    with ask.db.session() as session:
        project_types.require_may_define_types(
            session=session,
            team_id=ask.actor.team_id,
            user_id=ask.actor.user_id,
            is_slack_admin=admin,
        )
        kind = (
            project_types.type_named(session=session, team_id=ask.actor.team_id, name=name)
            if name
            else None
        )
        view = project_type_form.type_modal(kind)
    ask.client.views_open(trigger_id=trigger_id, view=view)


def save_type(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, delivery: Delivery
) -> None:
    """Store the type if the person may; wrong fields are shown inline (bot/errors.py)."""
    actor = payload.sender(body)
    draft = project_type_form.read_type_form(view)
    admin = is_slack_admin(client, actor.user_id)
    delivery.perform(
        partial(
            project_types.save_type,
            actor=actor,
            is_slack_admin=admin,
            editing=project_type_form.editing_id(view),
            draft=draft,
        )
    )
    ack()
