"""`/risk`: raise risks and issues, list them, and move them along with buttons."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from commands import payload, risk_form, risk_message
from commands.context import Clock, Delivery
from commands.project_picker import ProjectChoice, project_choices, project_options
from commands.risk_text import USAGE, RiskAsk, RiskCommand, parse_risk_text
from storage import outbox, risk_log
from storage.db import Database
from storage.models import Project, Risk, Role
from storage.projects import project_in_channel
from storage.workspaces import ensure_workspace
from workflows import projects, risks
from workflows.errors import InvalidInput, PmoError
from workflows.periods import zone

ANY_ROLE = {Role.PM, Role.SPONSOR, Role.APPROVER, Role.MEMBER}


def register(app: App) -> None:
    """Attach `/risk`, its forms and the buttons on risk cards."""
    app.command("/risk")(risk_command)
    app.view(risk_form.CALLBACK_ID)(save_risk)
    app.view(risk_form.CLOSE_CALLBACK_ID)(save_resolution)
    app.options(risk_form.PROJECT_ACTION)(suggest_projects)
    for action_id in CHANGES:
        app.action(action_id)(change_risk)
    app.action(risk_message.CLOSE_ACTION)(ask_resolution)


def risk_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """`/risk` alone opens the form; with text, the short form, a list, or your own."""
    ack()
    who = payload.command_sender(command)
    team_id, user_id, channel_id = who.team_id, who.user_id, who.channel_id
    asked = parse_risk_text(payload.command_text(command))  # BadRiskText: see bot/errors.py
    if asked.kind == RiskAsk.FORM:
        with db.session() as session:
            view = risk_form_for(session, team_id, user_id, channel_id)
        client.views_open(trigger_id=payload.trigger_id(command), view=view)
    elif asked.kind == RiskAsk.RAISE:
        _raise_short_form(db, delivery, clock, respond, team_id, user_id, channel_id, asked)
    elif asked.kind == RiskAsk.LIST:
        with db.session() as session:
            project = projects.resolve_project(
                session=session,
                team_id=team_id,
                key=asked.key,
                channel_id=channel_id,
                usage="/risk list KEY",
            )
            assert project.id is not None
            entries = risk_log.active_risks(session=session, team_id=team_id, project_id=project.id)
            blocks = _list_blocks(
                session,
                team_id,
                [(r, project) for r in entries],
                clock(),
                title=f"{project.key}: open risks and issues ({len(entries)})",
                empty=f"{project.key} has no open risks or issues. `/risk` raises one.",
            )
        respond(blocks=blocks, text=f"{project.key} risks")
    else:
        with db.session() as session:
            mine = risk_log.owned_by(session=session, team_id=team_id, user_id=user_id)
            blocks = _list_blocks(
                session,
                team_id,
                mine,
                clock(),
                title=f"Open risks and issues you own ({len(mine)})",
                empty="You own no open risks or issues.",
            )
        respond(blocks=blocks, text="Your risks")


def risk_form_for(
    session: Session, team_id: str, user_id: str, channel_id: str | None
) -> dict[str, Any]:
    """The risk form, for the channel's project or with a picker of the person's projects."""
    choices = project_choices(session=session, team_id=team_id, user_id=user_id, roles=ANY_ROLE)
    project = (
        project_in_channel(session=session, team_id=team_id, channel_id=channel_id)
        if channel_id
        else None
    )
    if project is not None:
        risks.require_on_project(session=session, project=project, user_id=user_id)
    elif not choices:
        raise PmoError(
            "You are on no project yet, so there is none to raise a risk on. "
            "`/pmo list` shows the projects and their PMs."
        )
    selected = ProjectChoice(project.key, project.name, True) if project else None
    return risk_form.risk_modal(choices=choices, selected=selected, raiser=user_id)


def _raise_short_form(
    db: Database,
    delivery: Delivery,
    clock: Clock,
    respond: Respond,
    team_id: str,
    user_id: str,
    channel_id: str,
    asked: RiskCommand,
) -> None:
    with db.session() as session:
        project = projects.resolve_project(
            session=session, team_id=team_id, key=asked.key, channel_id=channel_id, usage=USAGE
        )
        risks.require_on_project(session=session, project=project, user_id=user_id)
        draft = risks.RiskDraft(
            title=asked.title, probability=asked.probability, impact=asked.impact, owner=user_id
        )
        try:
            raised = risks.raise_risk(
                session=session, project=project, raised_by=user_id, draft=draft, now=clock()
            )
        except InvalidInput as exc:
            raise PmoError(f"{exc} `{USAGE}`") from None
        enqueue_raised(session=session, raised=raised, now=clock())
        name = risks.risk_label(raised.risk, project)
    respond(text=f"Raised {name} ({raised.severity.value}, score {raised.risk.score}).")
    delivery.send_soon()


def save_risk(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Raise the entry from the form; wrong fields are shown inline (see bot/errors.py)."""
    team_id, user_id = payload.team_id(body), payload.user_id(body)
    key = risk_form.selected_key(view)
    if not key:
        raise InvalidInput({risk_form.PROJECT: "Pick a project."})
    draft = risk_form.read_risk_form(view)
    with db.session() as session:
        project = projects.get_project(session=session, team_id=team_id, key=key)
        risks.require_on_project(session=session, project=project, user_id=user_id)
        raised = risks.raise_risk(
            session=session, project=project, raised_by=user_id, draft=draft, now=clock()
        )
        enqueue_raised(session=session, raised=raised, now=clock())
    ack()
    delivery.send_soon()


def suggest_projects(ack: Ack, body: dict[str, Any], db: Database) -> None:
    """Options for the project picker past 100 projects."""
    who = payload.sender(body)
    with db.session() as session:
        choices = project_choices(
            session=session, team_id=who.team_id, user_id=who.user_id, roles=ANY_ROLE
        )
    ack(options=project_options(choices, payload.typed(body)))


# The card's buttons that change the entry at once, and the rule each applies.
CHANGES: dict[str, Callable[..., risks.Changed]] = {
    risk_message.OWN_ACTION: risks.take_ownership,
    risk_message.MITIGATING_ACTION: risks.start_mitigating,
    risk_message.CONVERT_ACTION: risks.convert_to_issue,
}


def change_risk(
    ack: Ack, body: dict[str, Any], respond: Respond, db: Database, clock: Clock, delivery: Delivery
) -> None:
    """ "Take ownership", "Mitigating", "Became an issue": the change, and the card edited.

    Buttons carry only the risk id; who may do what is read again from the database.
    """
    ack()
    change = CHANGES[payload.action_id(body)]
    who, risk_id = payload.sender(body), payload.button_id(body, "risk")
    with db.session() as session:
        changed = change(
            session=session, team_id=who.team_id, risk_id=risk_id, user_id=who.user_id, now=clock()
        )
        if changed.changed:
            enqueue_card_update(
                session=session, risk=changed.risk, project=changed.project, now=clock()
            )
        if changed.issue is not None:
            enqueue_raised(session=session, raised=changed.issue, now=clock())
    respond(text=changed.message, response_type="ephemeral", replace_original=False)
    if changed.changed:
        delivery.send_soon()


def ask_resolution(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Close": first ask how it was resolved (if the person may close it)."""
    ack()
    who, risk_id = payload.sender(body), payload.button_id(body, "risk")
    with db.session() as session:
        risk, project = risks.check_may_close(
            session=session, team_id=who.team_id, risk_id=risk_id, user_id=who.user_id
        )
        view = risk_form.close_modal(
            risk_id=risk_id, label=risks.risk_label(risk, project), title=risk.title
        )
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_resolution(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Close the entry with the resolution given."""
    risk_id = risk_form.closing_risk_id(view)
    if risk_id is None:
        raise PmoError("This form is no longer valid.")
    who = payload.sender(body)
    with db.session() as session:
        changed = risks.close(
            session=session,
            team_id=who.team_id,
            risk_id=risk_id,
            user_id=who.user_id,
            resolution=risk_form.read_resolution(view),
            now=clock(),
        )
        enqueue_card_update(
            session=session, risk=changed.risk, project=changed.project, now=clock()
        )
    ack()
    delivery.send_soon()


def _today(session: Session, team_id: str, now: datetime) -> date:
    workspace = ensure_workspace(session=session, team_id=team_id)
    return now.astimezone(zone(workspace.time_zone)).date()


def _list_blocks(
    session: Session,
    team_id: str,
    entries: list[tuple[Risk, Project]],
    now: datetime,
    *,
    title: str,
    empty: str,
) -> list[dict[str, Any]]:
    workspace = ensure_workspace(session=session, team_id=team_id)
    banded = [(r, p, risks.severity(r.score, workspace)) for r, p in entries]
    return risk_message.risk_list(
        title=title, entries=banded, today=_today(session, team_id, now), empty=empty
    )


def enqueue_raised(*, session: Session, raised: risks.Raised, now: datetime) -> None:
    """Queue the card for the channel and the escalation DMs, in the caller's transaction."""
    risk, project = raised.risk, raised.project
    text, blocks = risk_message.risk_card(
        risk=risk,
        project=project,
        band=raised.severity,
        today=_today(session, project.team_id, now),
    )
    outbox.enqueue(
        session=session,
        team_id=project.team_id,
        key=f"risk:{risk.id}:posted",
        channel=project.channel_id or risk.raised_by,
        text=text,
        blocks=blocks,
        now=now,
    )
    if raised.notify:
        text, blocks = risk_message.escalation(risk=risk, project=project, band=raised.severity)
        for user in raised.notify:
            outbox.enqueue(
                session=session,
                team_id=project.team_id,
                key=f"risk:{risk.id}:escalated:{user}",
                channel=user,
                text=text,
                blocks=blocks,
                now=now,
            )


def enqueue_card_update(*, session: Session, risk: Risk, project: Project, now: datetime) -> None:
    """Queue the edit of the card in place, named by the risk's version."""
    workspace = ensure_workspace(session=session, team_id=project.team_id)
    text, blocks = risk_message.risk_card(
        risk=risk,
        project=project,
        band=risks.severity(risk.score, workspace),
        today=_today(session, project.team_id, now),
    )
    outbox.enqueue(
        session=session,
        team_id=project.team_id,
        key=f"risk:{risk.id}:v{risk.version}",
        channel=project.channel_id or risk.raised_by,
        update_key=f"risk:{risk.id}:posted",
        text=text,
        blocks=blocks,
        now=now,
    )
