"""The full RAID log over signed requests: editing and re-scoring from the card, a new
review date from the reminder, assumptions and decisions, list filters, the heat map."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy
from sqlmodel import select

from bot.jobs import nudge_job
from storage.models import AuditEvent, Risk
from storage.workspaces import ensure_workspace
from tests.commands.test_digest_chart import pixels, png_size
from tests.commands.test_risk import FORM, card, raise_via_form, risks
from tests.factories import APPROVER, MEMBER, OUTSIDER, PM, SPONSOR, TEAM, make_project
from workflows.risk_views import risk_heat_map


def audit(database, action):
    with database.session() as session:
        return session.exec(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_the_owner_edits_and_rescores_the_card_in_place_and_the_change_is_audited(
    slack, slack_api, database
):
    make_project(database)
    raise_via_form(slack, {**FORM, "Probability": "2", "Impact": "3"})  # 6: medium
    slack.click(card(slack_api), "risk.edit", user=MEMBER)
    modal = slack.last_modal()
    assert modal.title == "Edit APOLLO-R1"
    assert modal.initial("Title") == "Vendor may slip the API"
    reply = slack.submit(modal.enter({"Probability": "4", "Title": "Vendor slips"}), user=MEMBER)
    assert reply.body == ""
    [risk] = risks(database)
    assert (risk.title, risk.probability, risk.impact, risk.score) == ("Vendor slips", 4, 3, 12)
    [post] = slack_api.posts("CAPOLLO01")
    assert len(post.edits) == 1
    assert "APOLLO-R1 · Vendor slips" in post.all_text()
    assert "High · P4 Likely × I3 Moderate = 12" in post.all_text()
    [edited] = audit(database, "risk.edited")
    assert edited.detail["score"] == [6, 12]
    assert edited.detail["probability"] == [2, 4]
    assert edited.detail["severity"] == ["medium", "high"]


def test_a_rescore_into_high_is_escalated_once(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack, {**FORM, "Probability": "2", "Impact": "3"})  # 6: medium
    assert slack_api.dms(SPONSOR) == []
    slack.click(card(slack_api), "risk.edit", user=MEMBER)
    slack.submit(slack.last_modal().enter({"Probability": "4"}), user=MEMBER)  # 12: high
    assert len(slack_api.dms(SPONSOR)) == 1 and len(slack_api.dms(PM)) == 1
    slack.click(card(slack_api), "risk.edit", user=MEMBER)
    slack.submit(slack.last_modal().enter({"Probability": "5"}), user=MEMBER)  # 15: still high
    assert len(slack_api.dms(SPONSOR)) == 1


def test_only_the_owner_pm_or_sponsor_may_edit(slack, slack_api, database):
    make_project(database)
    raise_via_form(slack)
    slack.click(card(slack_api), "risk.edit", user=APPROVER)
    assert (
        "Only the owner, the PM or the sponsor of APOLLO-R1 can edit it"
        in (slack_api.last_reply()["text"])
    )
    assert slack_api.calls_to("views.open")[-1]["view"]["callback_id"] == "risk.save"
    slack.click(card(slack_api), "risk.edit", user=SPONSOR)
    assert slack.last_modal().callback_id == "risk.edit_save"


def test_a_new_review_date_from_the_reminder(runtime, slack, slack_api, database, clock):
    clock.set(datetime(2026, 11, 16, 9, 0, tzinfo=UTC))
    slack_api.add_user(MEMBER, "Mo Member", "Europe/London")
    make_project(database, now=datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    raise_via_form(slack, {**FORM, "Review date": "2026-11-20"})
    when = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
    clock.set(when)
    nudge_job(database=runtime.database, sender=runtime.sender, now=when, clients=runtime.clients)
    runtime.deliverer.deliver()
    [reminder] = slack_api.dms(MEMBER)
    slack.click(reminder, "risk.review_date", user=MEMBER)
    modal = slack.last_modal()
    assert modal.title == "Review APOLLO-R1"
    past = slack.submit(modal.enter({"Next review date": "2026-11-22"}), user=MEMBER)
    assert past.json()["errors"] == {"review_date": "Pick today or a later date."}
    assert slack.submit(modal.enter({"Next review date": "2026-12-07"}), user=MEMBER).body == ""
    assert str(risks(database)[0].review_date) == "2026-12-07"
    [changed] = audit(database, "risk.review_date")
    assert changed.detail["from"] == "2026-11-20" and changed.detail["to"] == "2026-12-07"
    assert "7 Dec" in card(slack_api).all_text() or "2026-12-07" in card(slack_api).all_text()
    assert len(card(slack_api).edits) == 1


def test_assume_and_decide_one_liners_record_unscored_entries(slack, slack_api, database):
    make_project(database)
    slack.command("/risk", "assume APOLLO The vendor keeps its API stable", user=MEMBER)
    assert slack_api.last_reply()["text"] == "Recorded APOLLO-A1."
    slack.command("/risk", "decide Build on Postgres", user=PM, channel="CAPOLLO01")
    assert slack_api.last_reply()["text"] == "Recorded APOLLO-D2."
    assumption, decision = risks(database)
    assert (assumption.kind, assumption.score, assumption.title) == (
        "assumption",
        0,
        "The vendor keeps its API stable",
    )
    assert (decision.kind, decision.score, decision.decided_by) == ("decision", 0, PM)
    assert slack_api.dms(SPONSOR) == []
    text = slack_api.posts("CAPOLLO01")[1].all_text()
    assert "APOLLO-D2 · Build on Postgres" in text and f"*Decided by*\n<@{PM}>" in text


def test_a_decision_from_the_form_keeps_who_decided_the_options_and_rationale(
    slack, slack_api, database
):
    make_project(database)
    slack.command("/risk", "", user=MEMBER, channel="CAPOLLO01")
    modal = slack.last_modal()
    assert modal.options("Kind") == ["risk", "issue", "assumption", "decision"]
    values = {
        "Kind": "decision",
        "Title": "Ship in two waves",
        "Decided by": SPONSOR,
        "Options considered": "One big launch; two waves",
        "Rationale": "Less risk <!channel>",
    }
    assert slack.submit(modal.enter(values), user=MEMBER).body == ""
    [decision] = risks(database)
    assert (decision.kind, decision.decided_by, decision.options, decision.rationale) == (
        "decision",
        SPONSOR,
        "One big launch; two waves",
        "Less risk <!channel>",
    )
    text = slack_api.posts("CAPOLLO01")[0].all_text()
    assert "Less risk &lt;!channel&gt;" in text


def test_a_risk_from_the_form_still_needs_its_scores(slack, database):
    make_project(database)
    slack.command("/risk", "", user=MEMBER, channel="CAPOLLO01")
    modal = slack.last_modal().enter({"Title": "Something"})
    errors = slack.submit(modal, user=MEMBER).json()["errors"]
    assert set(errors) == {"probability", "impact"}


def test_list_filters_by_kind_state_owner_and_score(slack, slack_api, database):
    make_project(database)
    slack.command("/risk", "APOLLO p1 i2 small", user=MEMBER)
    slack.command("/risk", "APOLLO p5 i5 huge", user=PM)
    slack.command("/risk", "decide APOLLO Use the old vendor", user=PM)
    slack.command("/risk", "list APOLLO min score 3", user=OUTSIDER)
    text = str(slack_api.last_reply()["blocks"])
    assert "huge" in text and "small" not in text and "old vendor" not in text
    slack.command("/risk", f"list APOLLO risks owner <@{MEMBER}|mo member>", user=OUTSIDER)
    text = str(slack_api.last_reply()["blocks"])
    assert "small" in text and "huge" not in text
    slack.command("/risk", "list decision", user=OUTSIDER, channel="CAPOLLO01")
    reply = slack_api.last_reply()
    assert "APOLLO: open decisions (1)" in str(reply["blocks"])
    assert "APOLLO-D3" in str(reply["blocks"]) and "huge" not in str(reply["blocks"])
    slack.command("/risk", "list APOLLO closed", user=OUTSIDER)
    assert "has no closed entries" in str(slack_api.last_reply()["blocks"])


def test_unknown_list_filters_show_the_usage(slack, slack_api, database):
    make_project(database)
    for text in ("list APOLLO urgent", "list APOLLO min score 99", "list APOLLO owner bob"):
        slack.command("/risk", text, user=MEMBER)
        assert "/risk list [KEY]" in slack_api.last_reply()["text"]


def test_the_heat_map_goes_to_the_askers_dm_with_the_cell_counts(slack, slack_api, database, clock):
    make_project(database)
    make_project(database, key="HERMES", channel_id="CHERMES01", members=[MEMBER])
    slack.command("/risk", "APOLLO p4 i5 one", user=MEMBER)
    slack.command("/risk", "APOLLO p4 i5 two", user=MEMBER)
    slack.command("/risk", "HERMES p1 i1 three", user=MEMBER)
    slack.command("/risk", "assume APOLLO not counted", user=MEMBER)
    slack.command("/risk", "heatmap APOLLO", user=OUTSIDER)
    assert "heat map of APOLLO (2 open risks and issues)" in slack_api.last_reply()["text"]
    [picture] = slack_api.files(slack_api.dm_channel(OUTSIDER))
    assert picture.title == "APOLLO: open risks and issues"
    assert picture.alt_txt.startswith("APOLLO: open risks and issues on Mon 23 Nov 2026, 2 by")
    assert png_size(picture.data) == (900, 900)
    image = pixels(picture.data)
    assert len(numpy.unique(image.reshape(-1, 4), axis=0)) > 20
    with database.session() as session:
        apollo = risk_heat_map(session=session, team_id=TEAM, key="APOLLO", now=clock())
        portfolio = risk_heat_map(session=session, team_id=TEAM, key=None, now=clock())
    assert (apollo.count(4, 5), apollo.total) == (2, 2)
    assert (portfolio.count(4, 5), portfolio.count(1, 1), portfolio.total) == (2, 1, 3)
    assert portfolio.bands[4][4].value == "critical" and portfolio.bands[0][0].value == "low"


def test_the_portfolio_heat_map_without_a_key(slack, slack_api, database):
    make_project(database)
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM)
    slack.command("/risk", "heatmap", user=MEMBER)
    [picture] = slack_api.files(slack_api.dm_channel(MEMBER))
    assert picture.title == "Portfolio: open risks and issues"
    assert picture.alt_txt.endswith("none.")


def test_decisions_are_left_out_of_the_top_risks(slack, database):
    from storage import risk_log

    make_project(database)
    slack.command("/risk", "decide APOLLO Go with plan B", user=MEMBER)
    slack.command("/risk", "APOLLO p1 i1 tiny", user=MEMBER)
    with database.session() as session:
        top = risk_log.top_open_risks(
            session=session, team_id=TEAM, before=datetime(2030, 1, 1, tzinfo=UTC), limit=5
        )
        counts = risk_log.open_counts_by_project(session=session, team_id=TEAM, min_score=0)
        every = session.exec(select(Risk)).all()
    assert [risk.title for risk, _ in top] == ["tiny"]
    assert sum(counts.values()) == 1 and len(every) == 2
