"""`/pmo depends`: recording what a project waits on, in a line or the form, refusing bad
input field by field (cycles named), listing, and ending a dependency."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import select

from storage.models import AuditEvent, Dependency, DependencyStatus
from storage.workspaces import ensure_workspace
from tests.factories import OUTSIDER, PM, SPONSOR, TEAM, make_project

HERMES_PM = "UPMHERMES"
HERMES_SPONSOR = "USPHERMES"
ZEUS_PM = "UPMZEUS01"
LEAD = "ULEAD0001"
ADD = '{down} on {up} "payment API" by 2027-02-01'


@pytest.fixture
def portfolio(database):
    """APOLLO (PM, SPONSOR), HERMES and ZEUS, each with its own PM."""
    make_project(database)
    make_project(
        database,
        key="HERMES",
        name="Hermes payments",
        pm=HERMES_PM,
        sponsor=HERMES_SPONSOR,
        channel_id="CHERMES01",
    )
    make_project(database, key="ZEUS", name="Zeus platform", pm=ZEUS_PM, channel_id="CZEUS0001")
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = [LEAD]
        session.add(workspace)


def depends(slack, slack_api, text, *, user=PM, channel="CGENERAL"):
    slack.command("/pmo", f"depends {text}".strip(), user=user, channel=channel)
    return slack_api.last_reply()["text"]


def shown(blocks):
    """The text of a reply's sections and context, in order."""
    parts = [b["text"]["text"] for b in blocks if b["type"] == "section"]
    parts += [e["text"] for b in blocks if b["type"] == "context" for e in b["elements"]]
    return "\n".join(parts)


def stored(database):
    with database.session() as session:
        rows = session.exec(select(Dependency).order_by(Dependency.id)).all()
        return [(d.deliverable, d.need_by.isoformat(), d.status) for d in rows]


def audited(database):
    with database.session() as session:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.entity == "dependency").order_by(AuditEvent.id)
        ).all()
        return [(e.action, e.actor, e.detail) for e in rows]


# -- recording a dependency ----------------------------------------------------------------


def test_a_pm_records_a_dependency_in_one_line_and_the_upstream_pm_is_told(
    slack, slack_api, database, portfolio
):
    reply = depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"))
    assert reply.startswith(
        ":link: Recorded #1: *APOLLO* needs “payment API” from *HERMES* by Mon 1 Feb 2027."
    )
    assert f"HERMES's PM <@{HERMES_PM}> is told." in reply
    assert stored(database) == [("payment API", "2027-02-01", DependencyStatus.OPEN)]
    assert audited(database) == [
        (
            "dependency.added",
            PM,
            {
                "downstream": "APOLLO",
                "upstream": "HERMES",
                "deliverable": "payment API",
                "need_by": "2027-02-01",
            },
        )
    ]
    [told] = slack_api.dms(HERMES_PM)
    assert f"<@{PM}> recorded that *APOLLO* needs “payment API” from *HERMES*" in told.text


@pytest.mark.parametrize(
    "quoted", ["“payment API”", "”payment API”", "'payment API'", "‘payment API’", "payment API"]
)
def test_the_deliverable_may_be_in_straight_or_curly_quotes_or_none(
    slack, slack_api, database, portfolio, quoted
):
    depends(slack, slack_api, f"APOLLO on HERMES {quoted} by 2027-02-01")
    assert stored(database) == [("payment API", "2027-02-01", DependencyStatus.OPEN)]


def test_a_quoted_deliverable_may_say_by(slack, slack_api, database, portfolio):
    depends(slack, slack_api, 'APOLLO on HERMES "ship by sea" by 2027-02-01')
    assert stored(database)[0][0] == "ship by sea"


def test_in_a_project_channel_the_key_may_be_left_out(slack, slack_api, database, portfolio):
    depends(slack, slack_api, 'on hermes "payment API" by 2027-02-01', channel="CAPOLLO01")
    reply = slack_api.last_reply()["text"]
    assert "*APOLLO* needs “payment API” from *HERMES*" in reply


def test_a_pmo_lead_may_record_for_any_project_others_may_not(
    slack, slack_api, database, portfolio
):
    reply = depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"), user=OUTSIDER)
    assert reply.startswith("Only the PM or sponsor of APOLLO")
    assert f"<@{PM}>" in reply and f"<@{SPONSOR}>" in reply and f"<@{LEAD}>" in reply
    assert stored(database) == []
    depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"), user=LEAD)
    assert len(stored(database)) == 1


def test_a_dependency_on_a_project_already_in_danger_says_so(slack, slack_api, database, portfolio):
    depends(slack, slack_api, 'HERMES on ZEUS "auth" by 2027-03-01', user=HERMES_PM)
    reply = slack_api.last_reply()["text"]
    # ZEUS's target date (the factory's 2027-03-31) is after the need date.
    assert ":warning: It is in danger already: ZEUS's target date Wed 31 Mar 2027" in reply
    assert "after the need date" in slack_api.dms(HERMES_SPONSOR)[0].text
    # Further up the chain: APOLLO, now waiting on HERMES, is reached through it.
    reply = depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"))
    assert ":warning: It is in danger already: ZEUS → HERMES → APOLLO: *HERMES* needs “auth”" in (
        reply
    )
    assert "along the chain ZEUS → HERMES → APOLLO" in slack_api.dms(SPONSOR)[0].text


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            'APOLO on HERMES "x" by 2027-02-01',
            "There is no project `APOLO` in this workspace. Did you mean `APOLLO`?",
        ),
        (
            'APOLLO on HERMS "x" by 2027-02-01',
            "There is no project `HERMS` in this workspace. Did you mean `HERMES`?",
        ),
        (
            'APOLLO on APOLLO "x" by 2027-02-01',
            "A project can't depend on itself: name the one APOLLO waits on.",
        ),
        (
            'APOLLO on HERMES "x" by 2026-11-20',
            "The need date Fri 20 Nov 2026 has passed: pick today (Mon 23 Nov 2026) "
            "or a later day.",
        ),
        (
            'APOLLO on HERMES "x" by 2027-02-30',
            "`2027-02-30` is not a date: give it as YYYY-MM-DD.",
        ),
        ('APOLLO on HERMES "x" by friday', "`friday` is not a date: give it as YYYY-MM-DD."),
        ('APOLLO on HERMES "x"', "Give the day APOLLO needs it by, as YYYY-MM-DD."),
        (
            'APOLLO on HERMES "" by 2027-02-01',
            "Say what APOLLO needs from HERMES, such as “payment API”.",
        ),
        (
            f'APOLLO on HERMES "{"x" * 201}" by 2027-02-01',
            "The deliverable can be at most 200 characters; yours has 201.",
        ),
        ('APOLLO on HERMES "x by 2027-02-01', "The deliverable's closing quote is missing."),
        ("APOLLO waits for HERMES", "I don't understand that."),
        ("APOLLO done seven", "`seven` is not a dependency's number."),
    ],
)
def test_bad_input_is_refused_naming_what_is_wrong_and_nothing_is_stored(
    slack, slack_api, database, portfolio, text, said
):
    reply = depends(slack, slack_api, text)
    assert said in reply, reply
    assert stored(database) == []
    assert slack_api.dms(HERMES_PM) == []


def test_the_same_dependency_twice_is_refused(slack, slack_api, database, portfolio):
    depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"))
    reply = depends(slack, slack_api, 'APOLLO on HERMES "Payment  api" by 2027-03-01')
    assert reply == ("APOLLO already waits on HERMES for “payment API” (#1, by Mon 1 Feb 2027).")
    assert len(stored(database)) == 1


def test_a_cycle_is_refused_with_the_cycle_named(slack, slack_api, database, portfolio):
    depends(slack, slack_api, 'HERMES on ZEUS "ledger" by 2027-04-01', user=HERMES_PM)
    depends(slack, slack_api, 'ZEUS on APOLLO "launch data" by 2027-04-01', user=ZEUS_PM)
    reply = depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"))
    assert reply == (
        "That would make a cycle: APOLLO → HERMES → ZEUS → APOLLO (each would wait on the "
        "next). Drop or deliver one of those dependencies first."
    )
    assert len(stored(database)) == 2
    # Once one of them is delivered, the graph has no cycle to close.
    depends(slack, slack_api, "ZEUS done 2", user=ZEUS_PM)
    depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"))
    assert len([s for s in stored(database) if s[2] == DependencyStatus.OPEN]) == 2


# -- listing and ending ------------------------------------------------------------------


def test_a_project_lists_what_it_waits_on_and_who_waits_on_it(
    slack, slack_api, database, portfolio
):
    depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"))
    depends(slack, slack_api, 'HERMES on ZEUS "ledger" by 2027-01-15', user=HERMES_PM)
    depends(slack, slack_api, "HERMES", user=OUTSIDER)
    text = shown(slack_api.last_reply()["blocks"])
    assert "*HERMES waits on* (1)" in text
    assert "#2 *HERMES* needs “ledger” from *ZEUS* by Fri 15 Jan 2027" in text
    assert ":warning: ZEUS's target date Wed 31 Mar 2027 is after the need date" in text
    assert "*Waiting on HERMES* (1)\n#1 *APOLLO* needs “payment API” from *HERMES*" in text
    depends(slack, slack_api, "APOLLO", user=OUTSIDER)
    text = shown(slack_api.last_reply()["blocks"])
    assert "*Threats further up the chain*" in text
    assert ":warning: ZEUS → HERMES → APOLLO: *HERMES* needs “ledger” from *ZEUS*" in text


def test_the_delivered_button_ends_the_dependency_and_tells_the_other_pm(
    slack, slack_api, database, portfolio
):
    depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"))
    depends(slack, slack_api, "APOLLO", user=HERMES_PM)
    blocks = slack_api.last_reply()["blocks"]
    slack.click_in_blocks(blocks, "dependency.delivered", user=HERMES_PM)
    assert slack_api.last_reply()["text"] == (
        "#1 is delivered: *APOLLO* needs “payment API” from *HERMES* by Mon 1 Feb 2027."
    )
    assert stored(database)[0][2] == DependencyStatus.DELIVERED
    assert ("dependency.delivered", HERMES_PM) in [(a, u) for a, u, _ in audited(database)]
    assert "marked #1 delivered" in slack_api.dms(PM)[-1].text
    slack.click_in_blocks(blocks, "dependency.delivered", user=HERMES_PM)
    assert slack_api.last_reply()["text"] == "#1 is already delivered."


def test_only_the_waiting_side_may_drop_a_dependency(slack, slack_api, database, portfolio):
    depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"))
    reply = depends(slack, slack_api, "HERMES drop 1", user=HERMES_PM)
    assert reply.startswith("Only the PM or sponsor of APOLLO")
    assert stored(database)[0][2] == DependencyStatus.OPEN
    assert depends(slack, slack_api, "APOLLO drop #1").startswith("#1 is dropped")
    assert stored(database)[0][2] == DependencyStatus.DROPPED


def test_ending_names_the_project_the_number_belongs_to(slack, slack_api, database, portfolio):
    depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"))
    reply = depends(slack, slack_api, "ZEUS done 1", user=ZEUS_PM)
    assert reply == "ZEUS has no dependency #1. `/pmo depends KEY` lists them."
    assert depends(slack, slack_api, "APOLLO done 99") == (
        "APOLLO has no dependency #99. `/pmo depends KEY` lists them."
    )


# -- the form --------------------------------------------------------------------------------


def test_the_form_records_a_dependency(slack, slack_api, database, portfolio):
    slack.command("/pmo", "depends", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal()
    assert modal.labels() == ["Project that waits", "Waits on project", "For what", "Needed by"]
    assert modal.initial("Project that waits") == "APOLLO"
    assert modal.options("Project that waits") == ["APOLLO"]
    assert modal.options("Waits on project") == ["APOLLO", "HERMES", "ZEUS"]
    values = {"Waits on project": "HERMES", "For what": "payment API", "Needed by": "2027-02-01"}
    reply = slack.submit(modal.enter(values), user=PM)
    view = reply.json()["view"]
    assert "Recorded #1: *APOLLO* needs “payment API” from *HERMES*" in str(view["blocks"])
    assert stored(database) == [("payment API", "2027-02-01", DependencyStatus.OPEN)]


def test_the_form_shows_bad_fields_inline_and_stores_nothing(slack, slack_api, database, portfolio):
    slack.command("/pmo", "depends", user=PM, channel="CAPOLLO01")
    modal = slack.last_modal().enter(
        {"Waits on project": "APOLLO", "For what": "x", "Needed by": date(2026, 11, 1)}
    )
    errors = slack.submit(modal, user=PM).json()["errors"]
    assert errors == {
        "upstream": "A project can't depend on itself: name the one APOLLO waits on.",
        "need_by": "The need date Sun 1 Nov 2026 has passed: pick today (Mon 23 Nov 2026) "
        "or a later day.",
    }
    assert stored(database) == []


def test_someone_who_runs_no_project_is_told_so_instead_of_a_form(
    slack, slack_api, database, portfolio
):
    reply = depends(slack, slack_api, "", user=OUTSIDER)
    assert reply.startswith("You are the PM or sponsor of no project")
    assert slack_api.calls_to("views.open") == []
    slack.command("/pmo", "depends", user=LEAD)
    assert slack.last_modal().options("Project that waits") == ["APOLLO", "HERMES", "ZEUS"]


def test_help_lists_depends(slack, slack_api):
    slack.command("/pmo", "help", user=PM)
    text = str(slack_api.last_reply()["blocks"])
    assert "/pmo depends KEY on OTHER" in text and "/pmo depends KEY done N" in text


def test_a_leaders_home_names_each_project_a_threat_reaches(slack, slack_api, database, portfolio):
    depends(slack, slack_api, ADD.format(down="APOLLO", up="HERMES"))
    # ZEUS's target date (31 Mar) is after the need date: a threat to HERMES, and to APOLLO.
    depends(slack, slack_api, 'HERMES on ZEUS "ledger" by 2027-01-15', user=HERMES_PM)
    slack.event({"type": "app_home_opened", "tab": "home", "channel": "DHOME0001", "user": LEAD})
    text = shown(slack_api.last("views.publish")["view"]["blocks"])
    [apollo] = [line for line in text.split("\n") if "*APOLLO* Apollo launch" in line]
    assert "dependency in danger along the chain ZEUS → HERMES → APOLLO: *HERMES* needs " in apollo
    assert "ZEUS's target date Wed 31 Mar" in apollo
    [hermes] = [line for line in text.split("\n") if "*HERMES* Hermes payments" in line]
    assert "dependency in danger: *HERMES* needs “ledger” from *ZEUS*" in hermes
