"""`/gate`: request a project's next stage gate; approvers decide with buttons in a thread."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from sqlmodel import Session

from commands import gate_form, gate_message, payload
from commands.context import Clock, Delivery
from commands.project_picker import ProjectChoice, project_choices, project_options
from storage import outbox
from storage.db import Database
from storage.models import Gate, GateStatus, Project, Role, Verdict
from storage.projects import holders, project_in_channel
from workflows import gate_followup, gates, projects
from workflows.errors import InvalidInput, PmoError

REQUESTERS = {Role.PM, Role.MEMBER}
VERDICTS = {
    gate_message.APPROVE_ACTION: Verdict.APPROVE,
    gate_message.REJECT_ACTION: Verdict.REJECT,
    gate_message.CHANGES_ACTION: Verdict.CHANGES,
}


def register(app: App) -> None:
    """Attach `/gate`, its forms and the decision buttons."""
    app.command("/gate")(gate_command)
    app.view(gate_form.CALLBACK_ID)(save_request)
    app.view(gate_form.REASON_CALLBACK_ID)(save_reason)
    app.action(gate_form.PROJECT_ACTION)(pick_project)
    app.options(gate_form.PROJECT_ACTION)(suggest_projects)
    app.action(gate_message.APPROVE_ACTION)(approve)
    app.action(gate_message.REJECT_ACTION)(ask_reason)
    app.action(gate_message.CHANGES_ACTION)(ask_reason)


def gate_command(
    ack: Ack,
    command: dict[str, Any],
    respond: Respond,
    client: WebClient,
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """`/gate [KEY]` opens the request form; `history [KEY]` and `withdraw [KEY]` too."""
    ack()
    who = payload.command_sender(command)
    team_id, user_id, channel_id = who.team_id, who.user_id, who.channel_id
    words = payload.command_text(command).split()
    verb = words[0].lower() if words else ""
    if verb in ("history", "withdraw"):
        if len(words) > 2:
            raise PmoError(f"`/gate {verb} [KEY]`: one project at a time.")
        key = words[1] if len(words) == 2 else None
        with db.session() as session:
            project = projects.resolve_project(
                session=session,
                team_id=team_id,
                key=key,
                channel_id=channel_id,
                usage=f"/gate {verb} KEY",
            )
            if verb == "history":
                events = gate_followup.history(session=session, project=project)
                blocks = gate_message.history_blocks(project=project, events=events)
            else:
                gate = gates.withdraw(
                    session=session, project=project, user_id=user_id, now=clock()
                )
                _enqueue_ending(session=session, gate=gate, project=project, now=clock())
        if verb == "history":
            respond(blocks=blocks, text=f"{project.key} gate history")
        else:
            respond(text=f"{gates.gate_label(gate, project)} is withdrawn.")
            delivery.send_soon()
        return
    if len(words) > 1:
        raise PmoError("`/gate` or `/gate KEY` requests a gate; `/gate history KEY` shows them.")
    with db.session() as session:
        view = _request_form(session, team_id, user_id, words[0] if words else None, channel_id)
    client.views_open(trigger_id=payload.trigger_id(command), view=view)


def _request_form(
    session: Session, team_id: str, user_id: str, key: str | None, channel_id: str | None
) -> dict[str, Any]:
    project = None
    if key:
        project = projects.get_project(session=session, team_id=team_id, key=key)
    elif channel_id:
        project = project_in_channel(session=session, team_id=team_id, channel_id=channel_id)
    if project is not None:
        # Refusals (not on the project, a gate pending, no approver) come before the form.
        plan = gates.plan_next_gate(session=session, project=project, requester=user_id)
        return gate_form.gate_modal(choices=[], selected=None, plan=plan)
    choices = project_choices(session=session, team_id=team_id, user_id=user_id, roles=REQUESTERS)
    if not choices:
        raise PmoError(
            "Gates are requested by a project's PM or members, and you are neither on any "
            "project. `/pmo list` shows the projects and their PMs."
        )
    return gate_form.gate_modal(choices=choices, selected=None, plan=None)


def pick_project(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """A project was picked: show its next gate, or why it can't have one now."""
    ack()
    team_id, user_id = payload.team_id(body), payload.user_id(body)
    key = payload.picked_option(body)
    view_id, version = payload.view_version(body)
    with db.session() as session:
        project = projects.get_project(session=session, team_id=team_id, key=key)
        choices = project_choices(
            session=session, team_id=team_id, user_id=user_id, roles=REQUESTERS
        )
        selected = ProjectChoice(project.key, project.name, True)
        try:
            plan = gates.plan_next_gate(session=session, project=project, requester=user_id)
            view = gate_form.gate_modal(choices=choices, selected=selected, plan=plan)
        except PmoError as exc:
            view = gate_form.gate_modal(
                choices=choices, selected=selected, plan=None, problem=str(exc)
            )
    client.views_update(view_id=view_id, hash=version, view=view)


def suggest_projects(ack: Ack, body: dict[str, Any], db: Database) -> None:
    """Options for the project picker past 100 projects."""
    who = payload.sender(body)
    with db.session() as session:
        choices = project_choices(
            session=session, team_id=who.team_id, user_id=who.user_id, roles=REQUESTERS
        )
    ack(options=project_options(choices, payload.typed(body)))


def save_request(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """Store the request, post it with its buttons and ask each approver."""
    team_id, user_id = payload.team_id(body), payload.user_id(body)
    key = gate_form.requested_key(view)
    if not key:
        raise InvalidInput({gate_form.PROJECT: "Pick a project."})
    with db.session() as session:
        project = projects.get_project(session=session, team_id=team_id, key=key)
        gate, plan = gates.request_gate(
            session=session,
            project=project,
            requester=user_id,
            draft=gate_form.read_gate_form(view),
            now=clock(),
        )
        _enqueue_request(
            session=session, gate=gate, project=project, approvers=plan.approvers, now=clock()
        )
    ack()
    delivery.send_soon()


def approve(
    ack: Ack, body: dict[str, Any], respond: Respond, db: Database, clock: Clock, delivery: Delivery
) -> None:
    """ "Approve": counted at once (buttons carry only the gate id; the rest is re-read)."""
    ack()
    label = _decide(
        body=body,
        db=db,
        clock=clock,
        gate_id=payload.button_id(body, "gate"),
        verdict=Verdict.APPROVE,
        reason="",
    )
    respond(
        text=f"Recorded: you approved {label}.", response_type="ephemeral", replace_original=False
    )
    delivery.send_soon()


def ask_reason(ack: Ack, body: dict[str, Any], client: WebClient, db: Database) -> None:
    """ "Reject" and "Request changes": ask why, once the person is known to be allowed."""
    ack()
    who, gate_id = payload.sender(body), payload.button_id(body, "gate")
    verdict = VERDICTS[payload.action_id(body)]
    with db.session() as session:
        gate, project = gates.get_gate(session=session, team_id=who.team_id, gate_id=gate_id)
        gates.check_may_decide(session=session, gate=gate, project=project, user_id=who.user_id)
        view = gate_form.reason_modal(
            gate_id=gate_id, verdict=verdict, label=gates.gate_label(gate, project)
        )
    client.views_open(trigger_id=payload.trigger_id(body), view=view)


def save_reason(
    ack: Ack,
    body: dict[str, Any],
    view: dict[str, Any],
    db: Database,
    clock: Clock,
    delivery: Delivery,
) -> None:
    """The reason given: record the rejection or the request for changes."""
    gate_id, verdict, reason = gate_form.read_reason_form(view)
    if gate_id is None or verdict is None:
        raise PmoError("This form is no longer valid.")
    _decide(body=body, db=db, clock=clock, gate_id=gate_id, verdict=verdict, reason=reason)
    ack()
    delivery.send_soon()


def _decide(
    *, body: dict[str, Any], db: Database, clock: Clock, gate_id: int, verdict: Verdict, reason: str
) -> str:
    # Record the decision and queue its messages; returns the gate's label.
    who = payload.sender(body)
    with db.session() as session:
        decided = gates.decide(
            session=session,
            team_id=who.team_id,
            gate_id=gate_id,
            approver=who.user_id,
            verdict=verdict,
            reason=reason,
            now=clock(),
        )
        _enqueue_decision(session=session, decided=decided, now=clock())
        return gates.gate_label(decided.gate, decided.project)


def _request_key(gate: Gate) -> str:
    return f"gate:{gate.id}:request"


def _enqueue_request(
    *, session: Session, gate: Gate, project: Project, approvers: list[str], now: datetime
) -> None:
    text, blocks = gate_message.request_message(
        gate=gate, project=project, tally=gates.tally(session=session, gate=gate)
    )
    outbox.enqueue(
        session=session,
        team_id=project.team_id,
        key=_request_key(gate),
        channel=project.channel_id or gate.requested_by,
        text=text,
        blocks=blocks,
        now=now,
    )
    ask = gate_message.ask_approver(gate=gate, project=project)
    for user in approvers:
        outbox.enqueue(
            session=session,
            team_id=project.team_id,
            key=f"gate:{gate.id}:ask:{user}",
            channel=user,
            text=ask,
            link_key=_request_key(gate),
            now=now,
        )


def _enqueue_update(*, session: Session, gate: Gate, project: Project, now: datetime) -> None:
    text, blocks = gate_message.request_message(
        gate=gate, project=project, tally=gates.tally(session=session, gate=gate)
    )
    outbox.enqueue(
        session=session,
        team_id=project.team_id,
        key=f"gate:{gate.id}:v{gate.version}",
        channel=project.channel_id or gate.requested_by,
        update_key=_request_key(gate),
        text=text,
        blocks=blocks,
        now=now,
    )


def _enqueue_decision(*, session: Session, decided: gates.Decided, now: datetime) -> None:
    gate, project, decision = decided.gate, decided.project, decided.decision
    outbox.enqueue(
        session=session,
        team_id=project.team_id,
        key=f"gate:{gate.id}:decision:{decision.approver}",
        channel=project.channel_id or gate.requested_by,
        thread_key=_request_key(gate),
        text=gate_message.decision_reply(
            verdict=Verdict(decision.verdict), approver=decision.approver, reason=decision.reason
        ),
        now=now,
    )
    _enqueue_update(session=session, gate=gate, project=project, now=now)
    if decided.outcome is not None:
        _enqueue_ending(session=session, gate=gate, project=project, now=now, updated=True)


def _enqueue_ending(
    *, session: Session, gate: Gate, project: Project, now: datetime, updated: bool = False
) -> None:
    # The thread hears the outcome, the sponsor is told, and a requester sent back hears why.
    assert project.id is not None
    if not updated:
        _enqueue_update(session=session, gate=gate, project=project, now=now)
    outbox.enqueue(
        session=session,
        team_id=project.team_id,
        key=f"gate:{gate.id}:outcome",
        channel=project.channel_id or gate.requested_by,
        thread_key=_request_key(gate),
        text=gate_message.outcome_reply(gate=gate, project=project),
        now=now,
    )
    if gate.status == GateStatus.WITHDRAWN:
        return
    told = gate_message.tell_sponsor(gate=gate, project=project)
    for sponsor in holders(
        session=session, team_id=project.team_id, project_id=project.id, role=Role.SPONSOR
    ):
        outbox.enqueue(
            session=session,
            team_id=project.team_id,
            key=f"gate:{gate.id}:sponsor:{sponsor}",
            channel=sponsor,
            text=told,
            link_key=_request_key(gate),
            now=now,
        )
    if gate.status != GateStatus.APPROVED:
        outbox.enqueue(
            session=session,
            team_id=project.team_id,
            key=f"gate:{gate.id}:requester",
            channel=gate.requested_by,
            text=told,
            link_key=_request_key(gate),
            now=now,
        )
