"""`/pmo benefits`: listing a project's benefits, the form to state one (every bad field
named, nothing half-stored), who may, removing one, and recording the value realised."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlmodel import select

from storage.models import AuditEvent, Benefit, BenefitStatus
from storage.workspaces import ensure_workspace
from tests.factories import MEMBER, PM, SPONSOR, TEAM, make_project
from workflows.actor import Actor
from workflows.benefits import BenefitDraft, add_benefit
from workflows.projects import set_archived

LEAD = "ULEAD0001"
AFTER_THE_DATE = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)


def setup(slack_api, database, **project):
    for user, name in ((PM, "Priya PM"), (SPONSOR, "Sam Sponsor"), (MEMBER, "Mo Member")):
        slack_api.add_user(user, name)
    make_project(database, **project)


def benefits(database):
    with database.session() as session:
        return session.exec(select(Benefit).order_by(Benefit.id)).all()


def stated(database, title="Fewer cancellations", realise_on=date(2026, 12, 1), unit="%"):
    with database.session() as session:
        return add_benefit(
            session=session,
            actor=Actor(TEAM, PM),
            key="APOLLO",
            draft=BenefitDraft(title, "Monthly churn", "5", unit, realise_on),
            now=datetime(2026, 11, 20, tzinfo=UTC),
        ).benefit


def archive(database):
    with database.session() as session:
        set_archived(
            session=session,
            team_id=TEAM,
            actor=PM,
            key="APOLLO",
            archived=True,
            now=datetime(2026, 11, 25, tzinfo=UTC),
        )


def open_form(slack, user=PM, text="benefits APOLLO add"):
    slack.command("/pmo", text, user=user)
    return slack.last_modal()


FILLED = {
    "Benefit": "Fewer cancellations",
    "Measure": "Monthly churn",
    "Target value": "5 %",
    "Realised by": "2027-03-01",
}


def buttons(blocks):
    return [
        (element["text"]["text"], element.get("value"))
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    ]


# -- stating a benefit -----------------------------------------------------------------------


def test_the_pm_adds_a_benefit_from_the_form(slack, slack_api, database):
    setup(slack_api, database)
    modal = open_form(slack)
    assert (modal.title, modal.initial("Project")) == ("Add a benefit", "APOLLO")
    reply = slack.submit(modal.enter(FILLED), user=PM)
    assert reply.json()["response_action"] == "update"
    assert "*APOLLO* expects “Fewer cancellations”: 5 % by Mon 1 Mar 2027" in str(reply.json())
    [benefit] = benefits(database)
    assert (benefit.target, benefit.unit, benefit.realise_on, benefit.status) == (
        5,
        "%",
        date(2027, 3, 1),
        BenefitStatus.EXPECTED,
    )


def test_every_bad_field_of_the_form_is_named_and_nothing_is_stored(slack, slack_api, database):
    setup(slack_api, database)
    for values, field, said in (
        ({"Benefit": "   "}, "title", "Say what the benefit is."),
        ({"Measure": "m" * 101}, "measure", "at most 100 characters"),
        ({"Target value": "lots"}, "target", "“lots” is not a number"),
        ({"Target value": "1e5"}, "target", "write it like 5, 12.5 %, 80k or 1.2m"),
        ({"Unit": "u" * 21}, "unit", "at most 20 characters"),
        ({"Realised by": "2026-08-01"}, "realise_on", "after the project starts (Tue 1 Sep 2026)"),
        ({"Realised by": "2026-02-30"}, "realise_on", "is not a date"),
    ):
        modal = open_form(slack).enter({**FILLED, **values})
        errors = slack.submit(modal, user=PM).json()["errors"]
        assert said in errors[field], (values, errors)
    assert benefits(database) == []


def test_an_unknown_project_is_named_on_its_field_with_close_matches(slack, slack_api, database):
    setup(slack_api, database)
    slack.command("/pmo", "benefits APOLO", user=PM)
    assert "There is no project `APOLO`" in slack_api.last_reply()["text"]
    assert "Did you mean `APOLLO`?" in slack_api.last_reply()["text"]
    # A forged form naming a project that is not there: refused on the project field.
    modal = open_form(slack)
    picker = modal.block("Project")["element"]
    picker["option_groups"][0]["options"].append(
        {"text": {"type": "plain_text", "text": "APOLO"}, "value": "APOLO"}
    )
    errors = slack.submit(modal.enter({**FILLED, "Project": "APOLO"}), user=PM).json()["errors"]
    assert "Did you mean `APOLLO`?" in errors["project"]
    assert benefits(database) == []


def test_only_the_pm_the_sponsor_or_a_pmo_lead_adds_benefits(slack, slack_api, database):
    setup(slack_api, database)
    slack.command("/pmo", "benefits APOLLO add", user=MEMBER)
    assert "Only the PM or the sponsor of APOLLO" in slack_api.last_reply()["text"]
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).pmo_leads = [LEAD]
    slack_api.add_user(LEAD, "Lee Lead")
    reply = slack.submit(open_form(slack, user=LEAD).enter(FILLED), user=LEAD)
    assert reply.json()["response_action"] == "update"
    with database.session() as session:
        added = session.exec(select(AuditEvent).where(AuditEvent.action == "benefit.added")).one()
    assert added.actor == LEAD


def test_the_channel_s_project_is_the_default(slack, slack_api, database):
    setup(slack_api, database)
    modal = open_form(slack, text="benefits add")
    assert modal.title == "Add a benefit"
    slack.command("/pmo", "benefits add", user=PM, channel="CAPOLLO01")
    assert slack.last_modal().initial("Project") == "APOLLO"


# -- listing and removing ------------------------------------------------------------------


def test_the_list_shows_each_benefit_with_the_buttons_the_viewer_may_use(
    slack, slack_api, database
):
    setup(slack_api, database)
    benefit = stated(database, title="Fewer <!channel> cancellations")
    slack.command("/pmo", "benefits APOLLO", user=PM)
    reply = slack_api.last_reply()
    text = str(reply["blocks"])
    assert "Fewer &lt;!channel&gt; cancellations" in text
    assert "target *5 %* by Tue 1 Dec 2026" in text and ":seedling: Expected" in text
    assert buttons(reply["blocks"]) == [("Remove", str(benefit.id)), ("Add benefit", "APOLLO")]
    slack.command("/pmo", "benefits", user=MEMBER, channel="CAPOLLO01")
    assert buttons(slack_api.last_reply()["blocks"]) == []


def test_add_benefit_under_the_list_opens_the_form(slack, slack_api, database):
    setup(slack_api, database)
    slack.command("/pmo", "benefits APOLLO", user=SPONSOR)
    slack.click_in_blocks(slack_api.last_reply()["blocks"], "benefit.add", user=SPONSOR)
    assert slack.last_modal().initial("Project") == "APOLLO"


def test_the_pm_removes_a_benefit_and_a_member_cannot(slack, slack_api, database):
    setup(slack_api, database)
    benefit = stated(database)
    slack.command("/pmo", "benefits APOLLO", user=PM)
    blocks = slack_api.last_reply()["blocks"]
    slack.click_in_blocks(blocks, "benefit.remove", user=MEMBER)
    assert "Only the PM or the sponsor of APOLLO" in slack_api.last_reply()["text"]
    assert len(benefits(database)) == 1
    slack.click_in_blocks(blocks, "benefit.remove", user=PM, value=str(benefit.id))
    assert slack_api.last_reply()["text"] == (
        "Removed “Fewer cancellations” from APOLLO's benefits."
    )
    assert benefits(database) == []
    slack.click_in_blocks(blocks, "benefit.remove", user=PM)
    assert "no longer there" in slack_api.last_reply()["text"]


# -- recording the value -------------------------------------------------------------------


def test_the_sponsor_records_a_value_from_the_list(slack, slack_api, database, clock):
    setup(slack_api, database)
    benefit = stated(database)
    archive(database)
    clock.set(AFTER_THE_DATE)
    slack.command("/pmo", "benefits APOLLO", user=SPONSOR)
    reply = slack_api.last_reply()
    assert "Due: awaiting the value realised" in str(reply["blocks"])
    slack.click_in_blocks(reply["blocks"], "benefit.record", user=SPONSOR)
    modal = slack.last_modal()
    assert modal.title == "Record the value"
    errors = slack.submit(modal.enter({"Value realised": "a lot"}), user=SPONSOR).json()["errors"]
    assert "is not a number" in errors["value"]
    answer = slack.submit(
        modal.enter(
            {
                "Value realised": "4.2 %",
                "Against the target": "lower",
                "Note": "From the billing system",
            }
        ),
        user=SPONSOR,
    ).json()
    assert "Realised" in str(answer["view"]) and "reached 4.2 % against a target of 5 %" in str(
        answer["view"]
    )
    [row] = benefits(database)
    assert (row.id, row.status, row.recorded_by) == (benefit.id, BenefitStatus.REALISED, SPONSOR)


def test_a_value_below_the_target_when_higher_is_better_is_missed(
    slack, slack_api, database, clock
):
    setup(slack_api, database)
    stated(database)
    archive(database)
    clock.set(AFTER_THE_DATE)
    slack.command("/pmo", "benefits APOLLO", user=SPONSOR)
    slack.click_in_blocks(slack_api.last_reply()["blocks"], "benefit.record", user=SPONSOR)
    answer = slack.submit(slack.last_modal().enter({"Value realised": "3"}), user=SPONSOR).json()
    assert ":x: Missed" in str(answer["view"])
    assert benefits(database)[0].status == BenefitStatus.MISSED


def test_a_value_cannot_be_recorded_before_the_check_in_nor_by_others(
    slack, slack_api, database, clock
):
    setup(slack_api, database)
    benefit = stated(database)
    record = [
        {
            "type": "actions",
            "block_id": "b",
            "elements": [
                {
                    "type": "button",
                    "action_id": "benefit.record",
                    "value": str(benefit.id),
                    "text": {"type": "plain_text", "text": "Record value"},
                }
            ],
        }
    ]
    slack.click_in_blocks(record, "benefit.record", user=SPONSOR)
    assert "is checked once APOLLO has closed" in slack_api.last_reply()["text"]
    archive(database)
    clock.set(AFTER_THE_DATE)
    slack.click_in_blocks(record, "benefit.record", user=PM)
    assert (
        "Only the sponsor of APOLLO (<@USPONSOR1>) or a PMO lead"
        in (slack_api.last_reply()["text"])
    )
    assert benefits(database)[0].recorded_by is None
