"""Acknowledge and Comment on a status post: who may, the post edited in place, the PM told."""

from __future__ import annotations

import copy
import threading

from sqlmodel import select

from storage.models import Acknowledgement, AuditEvent
from storage.workspaces import ensure_workspace
from tests.factories import MEMBER, OUTSIDER, PM, SPONSOR, TEAM, make_project

LEAD = "ULEAD0001"
LEADER = "ULEADER01"
STATUS = "APOLLO amber Vendor slipped a week path: daily calls with the vendor"


def post_status(slack, slack_api, user=PM, text=STATUS):
    slack.command("/status", text, user=user, channel="CAPOLLO01")
    return slack_api.posts("CAPOLLO01")[-1]


def name_leaders(database, *, pmo_leads=(LEAD,), digest_leaders=(LEADER,)):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = list(pmo_leads)
        workspace.digest_leaders = list(digest_leaders)
        session.add(workspace)


def stored(database):
    with database.session() as session:
        return session.exec(select(Acknowledgement).order_by(Acknowledgement.id)).all()


def audited(database):
    with database.session() as session:
        return session.exec(
            select(AuditEvent.action)
            .where(AuditEvent.action.like("status.acknowledg%"))
            .order_by(AuditEvent.id)
        ).all()


def test_the_sponsor_acknowledges_and_the_post_shows_it_in_place(slack, slack_api, database):
    make_project(database)
    post = post_status(slack, slack_api)
    slack.click(post, "status.acknowledge", user=SPONSOR)
    [row] = stored(database)
    assert (row.user_id, row.comment) == (SPONSOR, "")
    assert audited(database) == ["status.acknowledged"]
    [post] = slack_api.posts("CAPOLLO01")
    assert len(post.edits) == 1
    assert f":white_check_mark: Acknowledged by <@{SPONSOR}> (<!date^" in post.all_text()
    assert "Vendor slipped a week" in post.all_text()  # still the whole post
    [told] = slack_api.dms(PM)
    assert (
        f"<@{SPONSOR}> acknowledged the APOLLO status for the week of Mon 23 Nov 2026 "
        "(:large_yellow_circle: At risk) in <#CAPOLLO01>."
    ) in told.text
    assert slack_api.last_reply()["text"] == (
        f"You acknowledged the APOLLO status for the week of Mon 23 Nov 2026. <@{PM}> is told."
    )


def test_a_comment_is_asked_for_stored_and_sent_to_the_pm_escaped(slack, slack_api, database):
    make_project(database)
    post = post_status(slack, slack_api)
    slack.click(post, "status.comment", user=SPONSOR)
    modal = slack.last_modal()
    assert modal.title == "Comment"
    assert slack.submit(modal.enter({"Comment": " "}), user=SPONSOR).json()["errors"] == {
        "comment": "Write a comment for the PM, or use the post's Acknowledge button."
    }
    assert stored(database) == []
    comment = "Good call. <!channel> ping & escalate to <@U0BOSS001> if it slips again"
    assert slack.submit(modal.enter({"Comment": comment}), user=SPONSOR).body == ""
    [row] = stored(database)
    assert row.comment == comment
    [told] = slack_api.dms(PM)
    escaped = "&lt;!channel&gt; ping &amp; escalate to &lt;@U0BOSS001&gt;"
    assert escaped in told.all_text()
    assert "<!channel>" not in told.all_text() and "<@U0BOSS001>" not in told.all_text()
    shown = slack_api.posts("CAPOLLO01")[0].all_text()
    assert f":speech_balloon: <@{SPONSOR}>: Good call. {escaped}" in shown


def test_the_comment_form_is_prefilled_and_a_new_comment_edits_the_post_again(
    slack, slack_api, database
):
    make_project(database)
    post = post_status(slack, slack_api)
    slack.click(post, "status.acknowledge", user=SPONSOR)
    slack.click(post, "status.comment", user=SPONSOR)
    slack.submit(slack.last_modal().enter({"Comment": "Keep me posted."}), user=SPONSOR)
    slack.click(post, "status.comment", user=SPONSOR)
    assert slack.last_modal().initial("Comment") == "Keep me posted."
    [row] = stored(database)
    assert row.comment == "Keep me posted."
    assert audited(database) == ["status.acknowledged", "status.acknowledgement_commented"]
    assert len(slack_api.posts("CAPOLLO01")[0].edits) == 2
    _, second = slack_api.dms(PM)
    assert f"<@{SPONSOR}> commented on the APOLLO status" in second.text
    assert "Keep me posted." in second.all_text()


def test_pmo_leads_and_digest_leaders_may_acknowledge_too(slack, slack_api, database):
    make_project(database)
    name_leaders(database)
    post = post_status(slack, slack_api)
    slack.click(post, "status.acknowledge", user=LEAD)
    slack.click(post, "status.acknowledge", user=LEADER)
    assert [row.user_id for row in stored(database)] == [LEAD, LEADER]
    shown = slack_api.posts("CAPOLLO01")[0].all_text()
    assert f"Acknowledged by <@{LEAD}> (" in shown and f"<@{LEADER}> (" in shown
    assert len(slack_api.dms(PM)) == 2


def test_anyone_else_is_refused_with_the_names_of_who_may(slack, slack_api, database):
    make_project(database)
    name_leaders(database)
    post = post_status(slack, slack_api)
    for button in ("status.acknowledge", "status.comment"):
        slack.click(post, button, user=OUTSIDER)
        text = slack_api.last_reply()["text"]
        assert text.startswith(
            "Only the sponsor of APOLLO, the PMO leads and the digest's leaders acknowledge"
        )
        assert f"<@{SPONSOR}>, <@{LEAD}>, <@{LEADER}>" in text
    slack.click(post, "status.acknowledge", user=PM)  # the PM does not sign off their own
    assert "Only the sponsor of APOLLO" in slack_api.last_reply()["text"]
    assert stored(database) == []
    assert slack_api.calls_to("views.open") == []
    assert slack_api.posts("CAPOLLO01")[0].edits == []


def test_a_double_click_stores_one_acknowledgement(slack, slack_api, database):
    make_project(database)
    post = copy.deepcopy(post_status(slack, slack_api))  # the post as the sponsor saw it
    slack.click(post, "status.acknowledge", user=SPONSOR)
    slack.click(post, "status.acknowledge", user=SPONSOR)
    assert slack_api.last_reply()["text"] == (
        "You already acknowledged the APOLLO status for the week of Mon 23 Nov 2026."
    )
    assert len(stored(database)) == 1
    assert audited(database) == ["status.acknowledged"]
    assert len(slack_api.posts("CAPOLLO01")[0].edits) == 1
    assert len(slack_api.dms(PM)) == 1


def test_simultaneous_clicks_store_one_acknowledgement(slack, slack_api, database):
    make_project(database)
    post = copy.deepcopy(post_status(slack, slack_api))
    threads = [
        threading.Thread(
            target=slack.click, args=(post, "status.acknowledge"), kwargs={"user": SPONSOR}
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(stored(database)) == 1
    assert audited(database) == ["status.acknowledged"]
    assert len(slack_api.dms(PM)) == 1


def test_a_replaced_update_is_refused_pointing_to_the_newer_one(slack, slack_api, database, clock):
    make_project(database)
    old = copy.deepcopy(post_status(slack, slack_api))
    clock.advance(hours=2)
    post_status(slack, slack_api, user=MEMBER, text="APOLLO green Vendor is back on track")
    slack.click(old, "status.acknowledge", user=SPONSOR)
    text = slack_api.last_reply()["text"]
    assert text == (
        "This APOLLO update for the week of Mon 23 Nov 2026 was replaced by a newer one from "
        f"<@{MEMBER}> (“Vendor is back on track”). Acknowledge that one instead, "
        "the latest APOLLO post in <#CAPOLLO01>."
    )
    slack.click(old, "status.comment", user=SPONSOR)
    assert "was replaced by a newer one" in slack_api.last_reply()["text"]
    assert stored(database) == []
    newer = slack_api.posts("CAPOLLO01")[-1]
    slack.click(newer, "status.acknowledge", user=SPONSOR)
    assert len(stored(database)) == 1


def test_the_pm_and_the_member_who_posted_are_both_told(slack, slack_api, database):
    make_project(database)
    post = post_status(slack, slack_api, user=MEMBER)
    slack.click(post, "status.acknowledge", user=SPONSOR)
    assert len(slack_api.dms(PM)) == 1
    assert len(slack_api.dms(MEMBER)) == 1
    assert slack_api.last_reply()["text"].endswith(f"<@{PM}>, <@{MEMBER}> are told.")


def test_history_shows_who_acknowledged_each_update(slack, slack_api, database, clock):
    make_project(database)
    name_leaders(database)
    first = post_status(slack, slack_api)
    clock.advance(days=7)
    post_status(slack, slack_api, text="APOLLO green Back on track")
    slack.click(first, "status.acknowledge", user=SPONSOR)
    slack.click(first, "status.acknowledge", user=LEAD)
    slack.command("/status", "history APOLLO", user=OUTSIDER)
    rows = slack_api.last_reply()["blocks"][2]["text"]["text"].split("\n")
    assert rows[0].startswith("week of Mon 23 Nov 2026 · ")
    assert rows[0].endswith(f" · acknowledged by <@{SPONSOR}>, <@{LEAD}>")
    assert "acknowledged" not in rows[1]


def test_the_edit_is_the_same_post_with_the_acknowledgement_added(
    slack, slack_api, database, clock
):
    make_project(database)
    post_status(slack, slack_api, text="APOLLO green Started")
    clock.advance(days=7)
    original = copy.deepcopy(post_status(slack, slack_api))
    clock.advance(days=7)
    post_status(slack, slack_api, text="APOLLO red Vendor gone path: switch vendor")
    slack.click(original, "status.acknowledge", user=SPONSOR)  # last week's, a week later
    [edited] = [m for m in slack_api.posts("CAPOLLO01") if m.ts == original.ts]
    assert edited.edits and edited.text == original.text
    kept = [block for block in edited.blocks if block in original.blocks]
    added = [block for block in edited.blocks if block not in original.blocks]
    assert kept == original.blocks  # still says what changed since the week before it
    assert len(added) == 1 and "Acknowledged by" in str(added[0])
