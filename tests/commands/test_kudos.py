"""`/kudos`: thank people in the open; stored, audited, and they hear of it."""

from __future__ import annotations

from sqlmodel import select

from storage.models import AuditEvent, Kudos
from tests.factories import APPROVER, MEMBER, PM


def kudos_rows(database):
    with database.session() as session:
        return session.exec(select(Kudos)).all()


def test_the_short_form_thanks_in_the_channel_and_tells_them(slack, slack_api, database):
    slack.command(
        "/kudos",
        f"<@{MEMBER}|mo> <@{APPROVER}> for the <!channel> demo",
        user=PM,
        channel="CTEAM0001",
    )
    reply = slack_api.last_reply()
    assert reply["response_type"] == "in_channel"
    assert (
        reply["text"]
        == f":clap: <@{PM}> thanks <@{MEMBER}> and <@{APPROVER}> for the &lt;!channel&gt; demo"
    )
    [kudos] = kudos_rows(database)
    assert (kudos.giver, kudos.receivers, kudos.reason) == (
        PM,
        [MEMBER, APPROVER],
        "for the <!channel> demo",
    )
    assert "thanked you" in slack_api.dms(MEMBER)[0].text
    assert len(slack_api.dms(APPROVER)) == 1
    with database.session() as session:
        assert session.exec(select(AuditEvent.action)).all() == ["kudos.given"]


def test_thanking_nobody_or_only_yourself_is_refused(slack, slack_api, database):
    slack.command("/kudos", "for everything", user=PM)
    assert "Who are you thanking?" in slack_api.last_reply()["text"]
    slack.command("/kudos", f"<@{PM}> for being me", user=PM)
    assert "Thanking yourself doesn't count" in slack_api.last_reply()["text"]
    slack.command("/kudos", f"<@{MEMBER}>", user=PM)
    assert "Say what they did" in slack_api.last_reply()["text"]
    assert kudos_rows(database) == []


def test_the_form_posts_where_asked_through_slacks_response_url(slack, slack_api, database):
    slack.command("/kudos", "", user=PM, channel="CTEAM0001")
    modal = slack.last_modal()
    assert modal.labels() == ["Who are you thanking?", "For what?", "Where to say it"]
    reply = slack.submit(
        modal.enter({"Who are you thanking?": [MEMBER], "For what?": "Great handover"}),
        user=PM,
        channel="CTEAM0001",
    )
    assert reply.body == ""
    posted = slack_api.last_reply()
    assert posted["response_type"] == "in_channel"
    assert posted["text"] == f":clap: <@{PM}> thanks <@{MEMBER}>: Great handover"
    assert kudos_rows(database)[0].channel_id == "CTEAM0001"


def test_the_form_refuses_thanking_only_yourself_inline(slack, database):
    slack.command("/kudos", "", user=PM)
    modal = slack.last_modal().enter(
        {"Who are you thanking?": [PM], "For what?": "me", "Where to say it": "CTEAM0001"}
    )
    errors = slack.submit(modal, user=PM).json()["errors"]
    assert errors == {"receivers": "Thanking yourself doesn't count. Who helped you?"}
