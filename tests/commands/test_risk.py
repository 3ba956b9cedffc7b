"""`/risk`: raising, scoring, escalation, the lifecycle buttons and their permissions."""

from __future__ import annotations

import copy
import threading

from sqlmodel import select

from storage.models import AuditEvent, Risk
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, MEMBER, OUTSIDER, PM, SPONSOR, TEAM, make_project

FORM = {
    "Title": "Vendor may slip the API",
    "Description": "Their roadmap moved <!here>",
    "Probability": "4",
    "Impact": "5",
    "Category": "Vendor",
    "Mitigation": "Weekly check-in with their PM.",
    "Review date": "2026-12-04",
}


def raise_via_form(slack, values=FORM, user=MEMBER, channel="CAPOLLO01"):
    slack.command("/risk", "", user=user, channel=channel)
    modal = slack.last_modal().enter(values)
    return slack.submit(modal, user=user)


def risks(database):
    with database.session() as session:
        return session.exec(select(Risk).order_by(Risk.id)).all()


def card(slack_api):
    [message] = [
        m
        for m in slack_api.posts("CAPOLLO01")
        if "risk.own" in str(m.blocks) or "Resolution" in m.all_text()
    ]
    return message


def test_the_form_asks_with_words_and_is_prefilled_for_the_channels_project(slack, database):
    make_project(database)
    slack.command("/risk", "", user=MEMBER, channel="CAPOLLO01")
    modal = slack.last_modal()
    assert modal.title == "Raise a risk"
    assert modal.initial("Project") == "APOLLO"
    assert modal.labels() == [
        "Project",
        "Kind",
        "Title",
        "Description",
        "Probability",
        "Impact",
        "Category",
        "Owner",
        "Mitigation",
        "Review date",
        "Decided by",
        "Options considered",
        "Rationale",
    ]
    probability = [o["text"]["text"] for o in modal.block("Probability")["element"]["options"]]
    impact = [o["text"]["text"] for o in modal.block("Impact")["element"]["options"]]
    assert probability == ["1 Rare", "2 Unlikely", "3 Possible", "4 Likely", "5 Almost certain"]
    assert impact == ["1 Minimal", "2 Minor", "3 Moderate", "4 Major", "5 Severe"]
    assert modal.options("Kind") == ["risk", "issue", "assumption", "decision"]
    assert modal.initial("Owner") == MEMBER


def test_a_raised_risk_is_scored_stored_and_posted_with_its_buttons(slack, slack_api, database):
    make_project(database)
    assert raise_via_form(slack).body == ""
    [risk] = risks(database)
    assert (risk.number, risk.kind, risk.score, risk.owner, risk.status) == (
        1,
        "risk",
        20,
        MEMBER,
        "open",
    )
    [post] = slack_api.posts("CAPOLLO01")
    text = post.all_text()
    assert "APOLLO-R1 · Vendor may slip the API" in text
    assert ":red_circle: Critical · P4 Likely × I5 Severe = 20" in text
    assert f"<@{MEMBER}>" in text
    assert "&lt;!here&gt;" in text and "<!here>" not in text
    buttons = [
        e["text"]["text"] for b in post.blocks if b["type"] == "actions" for e in b["elements"]
    ]
    assert buttons == ["Take ownership", "Mitigating", "Edit", "Close", "Became an issue"]


def test_high_and_critical_risks_go_to_the_sponsor_and_the_pm(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack, {**FORM, "Probability": "3", "Impact": "4"})  # 12: high
    assert len(slack_api.dms(SPONSOR)) == 1
    assert len(slack_api.dms(PM)) == 1
    assert ":rotating_light: High risk on APOLLO" in slack_api.dms(SPONSOR)[0].all_text()
    assert slack_api.dms(MEMBER) == []


def test_the_pm_is_not_told_of_a_risk_the_pm_raised(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack, user=PM)
    assert len(slack_api.dms(SPONSOR)) == 1
    assert slack_api.dms(PM) == []


def test_low_and_medium_risks_are_never_escalated(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack, {**FORM, "Probability": "1", "Impact": "5"})  # 5: low
    raise_via_form(slack, {**FORM, "Probability": "2", "Impact": "5"})  # 10: medium
    assert slack_api.dms(SPONSOR) == [] and slack_api.dms(PM) == []
    assert len(slack_api.posts("CAPOLLO01")) == 2


def test_severity_bands_are_workspace_settings(slack, slack_api, database):
    make_project(database)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.risk_high_from = 9
        session.add(workspace)
    raise_via_form(slack, {**FORM, "Probability": "3", "Impact": "3"})  # 9: high here
    assert "High" in slack_api.posts("CAPOLLO01")[0].all_text()
    assert len(slack_api.dms(SPONSOR)) == 1


def test_the_short_form_raises_a_risk_owned_by_its_raiser(slack, slack_api, database):
    make_project(database)
    slack.command("/risk", "APOLLO p4 i5 Key engineer may leave", user=MEMBER, channel="CRANDOM01")
    assert slack_api.last_reply()["text"] == "Raised APOLLO-R1 (critical, score 20)."
    [risk] = risks(database)
    assert (risk.title, risk.probability, risk.impact, risk.owner) == (
        "Key engineer may leave",
        4,
        5,
        MEMBER,
    )


def test_missing_title_or_scores_are_inline_errors(slack, database):
    make_project(database)
    slack.command("/risk", "", user=MEMBER, channel="CAPOLLO01")
    modal = slack.last_modal().enter({"Title": "   ", "Probability": "4", "Impact": "4"})
    errors = slack.submit(modal, user=MEMBER).json()["errors"]
    assert set(errors) == {"title"}
    assert risks(database) == []


def test_short_form_mistakes_show_the_usage(slack, slack_api, database):
    make_project(database)
    for text in ("APOLLO p4 title only", "APOLLO p7 i2 title", "APOLLO p4 i4"):
        slack.command("/risk", text, user=MEMBER)
        assert "/risk [KEY] p4 i5" in slack_api.last_reply()["text"]
    assert risks(database) == []


def test_an_unknown_key_is_named(slack, slack_api, database):
    make_project(database)
    slack.command("/risk", "APOLO p1 i1 x", user=MEMBER)
    assert "There is no project `APOLO`" in slack_api.last_reply()["text"]


def test_someone_not_on_the_project_cannot_raise_its_risks(slack, slack_api, database):
    make_project(database)
    slack.command("/risk", "APOLLO p1 i1 sneaky", user=OUTSIDER)
    assert f"Only people on APOLLO raise its risks. Ask <@{PM}>" in slack_api.last_reply()["text"]
    assert risks(database) == []


def test_take_ownership_updates_the_card_in_place(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack)
    slack.click(slack_api.posts("CAPOLLO01")[0], "risk.own", user=APPROVER)
    [risk] = risks(database)
    assert risk.owner == APPROVER
    [post] = slack_api.posts("CAPOLLO01")
    assert len(post.edits) == 1
    assert f"*Owner*\n<@{APPROVER}>" in post.all_text()
    assert slack_api.last_reply()["text"] == "You now own APOLLO-R1."


def test_clicking_mitigating_twice_records_one_change(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack)
    post = copy.deepcopy(slack_api.posts("CAPOLLO01")[0])  # the card as the person saw it
    slack.click(post, "risk.mitigating", user=MEMBER)
    slack.click(post, "risk.mitigating", user=MEMBER)
    assert slack_api.last_reply()["text"] == "APOLLO-R1 is already being mitigated."
    with database.session() as session:
        actions = session.exec(select(AuditEvent.action).where(AuditEvent.entity == "risk")).all()
    assert actions == ["risk.raised", "risk.mitigating"]
    assert len(slack_api.posts("CAPOLLO01")[0].edits) == 1


def test_two_simultaneous_clicks_record_one_change(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack)
    post = copy.deepcopy(slack_api.posts("CAPOLLO01")[0])
    threads = [
        threading.Thread(
            target=slack.click, args=(post, "risk.mitigating"), kwargs={"user": MEMBER}
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with database.session() as session:
        changes = session.exec(
            select(AuditEvent).where(AuditEvent.action == "risk.mitigating")
        ).all()
    assert len(changes) == 1


def test_close_asks_for_a_resolution_and_closes(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack)
    slack.click(slack_api.posts("CAPOLLO01")[0], "risk.close", user=MEMBER)
    modal = slack.last_modal()
    assert modal.title == "Close APOLLO-R1"
    blank = slack.submit(modal.enter({"Resolution": " "}), user=MEMBER)
    assert blank.json()["errors"] == {"resolution": "Say how it was resolved."}
    assert risks(database)[0].status == "open"
    reply = slack.submit(
        modal.enter({"Resolution": "Vendor committed to the date in writing."}), user=MEMBER
    )
    assert reply.body == ""
    [risk] = risks(database)
    assert (risk.status, risk.resolution) == ("closed", "Vendor committed to the date in writing.")
    text = slack_api.posts("CAPOLLO01")[0].all_text()
    assert "*Status*\nClosed" in text
    assert "risk.own" not in str(slack_api.posts("CAPOLLO01")[0].blocks)


def test_only_the_owner_pm_or_sponsor_may_close_and_the_refusal_names_them(
    slack, slack_api, database
):
    make_project(database)
    raise_via_form(slack)
    slack.click(slack_api.posts("CAPOLLO01")[0], "risk.close", user=APPROVER)
    text = slack_api.last_reply()["text"]
    assert "Only the owner, the PM or the sponsor of APOLLO-R1 can close it" in text
    for user in (MEMBER, PM, SPONSOR):
        assert f"<@{user}>" in text
    assert slack_api.calls_to("views.open")[-1]["view"]["callback_id"] == "risk.save"


def test_a_click_on_a_closed_risk_is_refused(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack)
    post = copy.deepcopy(slack_api.posts("CAPOLLO01")[0])
    slack.click(post, "risk.close", user=MEMBER)
    slack.submit(slack.last_modal().enter({"Resolution": "Done."}), user=MEMBER)
    slack.click(post, "risk.own", user=APPROVER)  # an old copy of the card, still with buttons
    assert "APOLLO-R1 already is closed" in slack_api.last_reply()["text"]
    assert risks(database)[0].owner == MEMBER


def test_became_an_issue_raises_the_issue_and_closes_the_risk(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack, {**FORM, "Probability": "2", "Impact": "3"})  # 6: medium
    slack.click(slack_api.posts("CAPOLLO01")[0], "risk.convert", user=MEMBER)
    risk, issue = risks(database)
    assert (risk.status, risk.resolution) == ("converted", "Became APOLLO-I2.")
    assert (issue.kind, issue.probability, issue.impact, issue.source_risk_id) == (
        "issue",
        5,
        3,
        risk.id,
    )
    original, new_card = slack_api.posts("CAPOLLO01")
    assert "Became an issue" in original.all_text()
    assert "APOLLO-I2 · Vendor may slip the API" in new_card.all_text()
    assert len(slack_api.dms(SPONSOR)) == 1  # 15 is high: the issue escalates


def test_list_shows_open_risks_by_score(slack, slack_api, database):
    make_project(database)
    for text in ("p1 i2 small", "p5 i5 huge", "p3 i3 middling"):
        slack.command("/risk", f"APOLLO {text}", user=MEMBER)
    slack.command("/risk", "list APOLLO", user=OUTSIDER)
    text = slack_api.last_reply()["blocks"][1]["text"]["text"]
    assert text.index("huge") < text.index("middling") < text.index("small")
    assert "*APOLLO-R2* 25" in text


def test_mine_lists_what_the_caller_owns_across_projects(slack, slack_api, database):
    make_project(database)
    make_project(database, key="HERMES", channel_id="CHERMES01", members=[MEMBER])
    slack.command("/risk", "APOLLO p2 i2 one", user=MEMBER)
    slack.command("/risk", "HERMES p3 i3 two", user=MEMBER)
    slack.command("/risk", "APOLLO p4 i4 not mine", user=PM)
    slack.command("/risk", "mine", user=MEMBER)
    text = str(slack_api.last_reply()["blocks"])
    assert "HERMES-R1" in text and "APOLLO-R1" in text and "not mine" not in text


def test_someone_not_on_the_project_is_told_who_may_take_ownership(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack)
    slack.click(slack_api.posts("CAPOLLO01")[0], "risk.own", user=OUTSIDER)
    assert slack_api.last_reply()["text"] == (
        f"Only people on APOLLO can take ownership of its risks. "
        f"Ask <@{PM}> to add you to the project."
    )
    assert risks(database)[0].owner == MEMBER
