"""`/gate`: requests, rules, separation of duties, races, and the audit trail."""

from __future__ import annotations

import copy
import threading

from sqlmodel import select

from storage.models import AuditEvent, Gate, GateDecision, Project
from tests.factories import APPROVER, APPROVER_2, MEMBER, OUTSIDER, PM, SPONSOR, make_project

EVIDENCE = "Plan baselined: https://docs.example.org/apollo-plan <!channel>"
ALL_REQUIRED = ["Plan and schedule baselined", "Budget approved", "Team and resources committed"]


def request(slack, user=PM, evidence=EVIDENCE, ticks=None, channel="CAPOLLO01"):
    slack.command("/gate", "", user=user, channel=channel)
    modal = slack.last_modal()
    ticked = (
        ticks
        if ticks is not None
        else [
            o["value"]
            for o in modal.block("Entry criteria")["element"]["options"]
            if "(required)" in o["text"]["text"]
        ]
    )
    return slack.submit(modal.enter({"Evidence": evidence, "Entry criteria": ticked}), user=user)


def request_message(slack_api):
    return next(
        m
        for m in slack_api.posts("CAPOLLO01")
        if m.thread_ts is None and "· Plan → Execute" in m.all_text()
    )


def gate(database):
    with database.session() as session:
        return session.exec(select(Gate)).one()


def phase(database):
    with database.session() as session:
        return session.exec(select(Project.phase)).one()


def decisions(database):
    with database.session() as session:
        return [
            (d.approver, d.verdict)
            for d in session.exec(select(GateDecision).order_by(GateDecision.id))
        ]


def test_the_form_shows_the_next_gate_its_rule_and_criteria(slack, database):
    make_project(database, approvers=[APPROVER, APPROVER_2, PM])
    slack.command("/gate", "", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal()
    assert modal.title == "Request a gate"
    text = str(modal.view["blocks"])
    assert "*Gate:* Plan → Execute" in text
    assert f"*Decided by:* all 2 approvers: <@{APPROVER}>, <@{APPROVER_2}>" in text
    assert f"Separation of duties: <@{PM}> can't decide this gate." in text
    labels = [o["text"]["text"] for o in modal.block("Entry criteria")["element"]["options"]]
    assert labels == [
        "Plan and schedule baselined (required)",
        "Budget approved (required)",
        "Team and resources committed (required)",
        "Risk register reviewed",
    ]


def test_missing_evidence_and_unticked_required_criteria_are_inline_errors(slack, database):
    make_project(database)
    errors = request(slack, evidence=" ", ticks=["0"]).json()["errors"]
    assert set(errors) == {"evidence", "checklist"}
    assert "Budget approved; Team and resources committed" in errors["checklist"]
    with database.session() as session:
        assert session.exec(select(Gate)).all() == []


def test_a_request_is_posted_with_its_buttons_and_each_approver_is_asked(
    slack, slack_api, database
):
    make_project(database)
    assert request(slack).body == ""
    message = request_message(slack_api)
    text = message.all_text()
    assert "APOLLO-G1 · Plan → Execute" in text
    assert "Needs all 2 approvers" in text
    assert "https://docs.example.org/apollo-plan &lt;!channel&gt;" in text
    assert ":white_check_mark: Budget approved _(required)_" in text
    assert ":white_large_square: Risk register reviewed" in text
    assert f":hourglass: <@{APPROVER}> has not decided" in text
    buttons = [
        e["text"]["text"] for b in message.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["Approve", "Reject", "Request changes"]
    link = f"https://pmo-test.slack.com/archives/CAPOLLO01/p{message.ts.replace('.', '')}"
    for approver in (APPROVER, APPROVER_2):
        [dm] = slack_api.dms(approver)
        assert "asks you to decide *APOLLO-G1*" in dm.text
        assert link in dm.text


def test_no_second_request_while_one_is_pending(slack, slack_api, database):
    make_project(database)
    request(slack)
    slack.command("/gate", "APOLLO", user=PM)
    assert "APOLLO-G1 (Plan → Execute) is still pending" in slack_api.last_reply()["text"]


def test_when_the_rule_is_met_the_gate_passes_and_the_project_moves_on(slack, slack_api, database):
    make_project(database)
    request(slack)
    message = copy.deepcopy(request_message(slack_api))
    slack.click(message, "gate.approve", user=APPROVER)
    assert phase(database) == "Plan"
    assert slack_api.last_reply()["text"] == "Recorded: you approved APOLLO-G1."
    slack.click(message, "gate.approve", user=APPROVER_2)
    assert phase(database) == "Execute"
    assert gate(database).status == "approved"
    replies = [r.text for r in slack_api.replies("CAPOLLO01", request_message(slack_api).ts)]
    assert replies == [
        f":white_check_mark: <@{APPROVER}> approved.",
        f":white_check_mark: <@{APPROVER_2}> approved.",
        ":tada: APOLLO-G1 passed: *APOLLO* moves from Plan to *Execute*.",
    ]
    updated = request_message(slack_api)
    assert "gate.approve" not in str(updated.blocks)
    assert ":tada: Approved · 2 of 2 approvals · APOLLO moved to Execute" in updated.all_text()
    assert "APOLLO-G1 passed" in slack_api.dms(SPONSOR)[0].text


def test_the_requester_cannot_approve_their_own_gate_even_as_an_approver(
    slack, slack_api, database
):
    make_project(database, members=[MEMBER], approvers=[MEMBER, APPROVER])
    request(slack, user=MEMBER)
    slack.click(request_message(slack_api), "gate.approve", user=MEMBER)
    assert "You requested APOLLO-G1, so you can't decide it" in slack_api.last_reply()["text"]
    assert decisions(database) == []


def test_the_pm_cannot_approve_by_default_even_as_an_approver(slack, slack_api, database):
    make_project(database, approvers=[PM, APPROVER])
    request(slack, user=MEMBER)
    slack.click(request_message(slack_api), "gate.approve", user=PM)
    assert "As PM of APOLLO you can't decide its gates" in slack_api.last_reply()["text"]
    assert decisions(database) == []


def test_a_project_may_let_its_pm_approve(slack, slack_api, database):
    make_project(database, approvers=[PM, APPROVER], gate_pm_may_approve=True, gate_rule="any")
    request(slack, user=MEMBER)
    slack.click(request_message(slack_api), "gate.approve", user=PM)
    assert phase(database) == "Execute"


def test_someone_who_is_not_an_approver_is_refused_and_nothing_changes(slack, slack_api, database):
    make_project(database)
    request(slack)
    slack.click(request_message(slack_api), "gate.approve", user=OUTSIDER)
    reply = slack_api.last_reply()["text"]
    assert f"Only the approvers of APOLLO-G1 decide it: <@{APPROVER}>, <@{APPROVER_2}>." == reply
    slack.click(request_message(slack_api), "gate.reject", user=SPONSOR)
    assert "Only the approvers" in slack_api.last_reply()["text"]
    assert [
        c for c in slack_api.calls_to("views.open") if c["view"]["callback_id"] == "gate.reason"
    ] == []
    assert decisions(database) == []


def test_a_reject_needs_a_reason_and_ends_the_gate(slack, slack_api, database):
    make_project(database)
    request(slack)
    slack.click(request_message(slack_api), "gate.reject", user=APPROVER)
    modal = slack.last_modal()
    assert modal.title == "Reject the gate"
    blank = slack.submit(modal.enter({"Reason": "  "}), user=APPROVER)
    assert "reason" in blank.json()["errors"]
    slack.submit(modal.enter({"Reason": "The budget isn't signed <@U0CFO0001>"}), user=APPROVER)
    assert gate(database).status == "rejected"
    assert phase(database) == "Plan"
    replies = [r.text for r in slack_api.replies("CAPOLLO01", request_message(slack_api).ts)]
    assert replies[0] == f":x: <@{APPROVER}> rejected: The budget isn't signed &lt;@U0CFO0001&gt;"
    assert "APOLLO-G1 is rejected" in replies[1]
    assert "APOLLO-G1 is rejected" in slack_api.dms(PM)[0].text  # the requester hears why
    assert "APOLLO-G1 is rejected" in slack_api.dms(SPONSOR)[0].text


def test_request_changes_sends_the_gate_back(slack, slack_api, database):
    make_project(database)
    request(slack)
    slack.click(request_message(slack_api), "gate.changes", user=APPROVER_2)
    slack.submit(slack.last_modal().enter({"Reason": "Add the vendor contract."}), user=APPROVER_2)
    assert gate(database).status == "changes"
    slack.command("/gate", "APOLLO", user=PM)  # may request again
    assert "Plan → Execute" in str(slack.last_modal().view["blocks"])


def test_two_of_three_with_rejections_that_do_not_end_the_gate(slack, slack_api, database):
    make_project(
        database, approvers=[APPROVER, APPROVER_2, SPONSOR], gate_rule="2", gate_reject_ends=False
    )
    request(slack)
    message = copy.deepcopy(request_message(slack_api))
    slack.click(message, "gate.reject", user=APPROVER)
    slack.submit(slack.last_modal().enter({"Reason": "Not convinced."}), user=APPROVER)
    assert gate(database).status == "pending"
    slack.click(message, "gate.approve", user=APPROVER_2)
    assert gate(database).status == "pending"
    slack.click(message, "gate.approve", user=SPONSOR)
    assert gate(database).status == "approved"


def test_a_gate_that_can_no_longer_reach_its_rule_is_rejected(slack, slack_api, database):
    make_project(
        database, approvers=[APPROVER, APPROVER_2, SPONSOR], gate_rule="2", gate_reject_ends=False
    )
    request(slack)
    message = copy.deepcopy(request_message(slack_api))
    for user in (APPROVER, APPROVER_2):
        slack.click(message, "gate.reject", user=user)
        slack.submit(slack.last_modal().enter({"Reason": "No."}), user=user)
    assert gate(database).status == "rejected"


def test_a_double_click_counts_once(slack, slack_api, database):
    make_project(database)
    request(slack)
    message = copy.deepcopy(request_message(slack_api))
    slack.click(message, "gate.approve", user=APPROVER)
    slack.click(message, "gate.approve", user=APPROVER)
    assert (
        slack_api.last_reply()["text"]
        == "You already approved APOLLO-G1; each approver decides once."
    )
    assert decisions(database) == [(APPROVER, "approve")]


def test_a_click_on_a_decided_gate_says_so(slack, slack_api, database):
    make_project(database, gate_rule="any")
    request(slack)
    message = copy.deepcopy(request_message(slack_api))
    slack.click(message, "gate.approve", user=APPROVER)
    slack.click(message, "gate.reject", user=APPROVER_2)
    assert "APOLLO-G1 is already decided: it was approved" in slack_api.last_reply()["text"]
    assert decisions(database) == [(APPROVER, "approve")]


def test_approvers_clicking_at_the_same_moment_are_each_counted_once(slack, slack_api, database):
    make_project(database, approvers=[APPROVER, APPROVER_2, SPONSOR, MEMBER])
    request(slack)
    message = copy.deepcopy(request_message(slack_api))
    clicks = [APPROVER, APPROVER_2, SPONSOR, MEMBER, APPROVER, APPROVER_2]
    barrier = threading.Barrier(len(clicks))

    def click(user):
        barrier.wait()
        slack.click(message, "gate.approve", user=user, settle=False)

    threads = [threading.Thread(target=click, args=(user,)) for user in clicks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slack.settle()
    assert sorted(decisions(database)) == sorted(
        (u, "approve") for u in (APPROVER, APPROVER_2, SPONSOR, MEMBER)
    )
    assert gate(database).status == "approved"
    assert phase(database) == "Execute"
    with database.session() as session:
        moves = session.exec(
            select(AuditEvent).where(AuditEvent.action == "project.phase_changed")
        ).all()
    assert len(moves) == 1


def test_buttons_carry_only_an_id_and_a_forged_one_changes_nothing(slack, slack_api, database):
    make_project(database)
    request(slack)
    message = copy.deepcopy(request_message(slack_api))
    for block in message.blocks:
        for element in block.get("elements", []):
            if element.get("action_id") == "gate.approve":
                element["value"] = "999"
    slack.click(message, "gate.approve", user=APPROVER)
    assert slack_api.last_reply()["text"] == "That gate no longer exists."
    assert decisions(database) == []


def test_history_shows_requests_decisions_and_phase_changes(slack, slack_api, database):
    make_project(database, gate_rule="any")
    request(slack)
    slack.click(request_message(slack_api), "gate.approve", user=APPROVER)
    slack.command("/gate", "history APOLLO", user=OUTSIDER)
    text = str(slack_api.last_reply()["blocks"])
    assert f"<@{PM}> requested APOLLO-G1 (Plan → Execute)" in text
    assert f"<@{APPROVER}> approved APOLLO-G1" in text
    assert "APOLLO-G1 passed" in text
    assert f"<@{APPROVER}> moved APOLLO from Plan to Execute" in text


def test_the_last_phase_has_no_gate(slack, slack_api, database):
    make_project(database, phase="Close")
    slack.command("/gate", "APOLLO", user=PM)
    assert "its last phase: there is no next gate" in slack_api.last_reply()["text"]


def test_withdraw_frees_the_project_for_a_new_request(slack, slack_api, database):
    make_project(database)
    request(slack)
    slack.command("/gate", "withdraw APOLLO", user=APPROVER)
    assert "Only the requester" in slack_api.last_reply()["text"]
    slack.command("/gate", "withdraw APOLLO", user=PM)
    assert slack_api.last_reply()["text"] == "APOLLO-G1 is withdrawn."
    assert "gate.approve" not in str(request_message(slack_api).blocks)
    assert request(slack).body == ""


def test_an_unknown_key_is_named(slack, slack_api, database):
    make_project(database)
    slack.command("/gate", "APOLO", user=PM)
    assert "There is no project `APOLO`" in slack_api.last_reply()["text"]


def test_outside_a_home_channel_the_form_asks_for_the_project_first(slack, slack_api, database):
    make_project(database)
    slack.command("/gate", "", user=PM, channel="CRANDOM01")
    modal = slack.last_modal()
    assert modal.labels() == ["Project"]
    slack.pick(modal, "Project", "APOLLO", user=PM)
    assert "Evidence" in slack.last_modal().labels()
