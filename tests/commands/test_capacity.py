"""`/capacity` for people: capacity, the allocation form, over-allocation, your load, a
project's team, questioning and removing allocations."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from decimal import Decimal

from sqlmodel import select

from storage.models import Allocation, AuditEvent, CapacityAlert, Person
from storage.workspaces import ensure_workspace
from tests.factories import APPROVER, MEMBER, OUTSIDER, PM, SPONSOR, TEAM, make_project

LEAD = "ULEAD0001"
DANA = "UDANA0001"
PM2 = "UPMTWO001"


def setup_people(slack_api, database, *, leads=(LEAD,)):
    for user, name in (
        (PM, "Priya PM"),
        (DANA, "Dana Dev"),
        (MEMBER, "Mo Member"),
        (LEAD, "Lee Lead"),
        (PM2, "Pat Two"),
    ):
        slack_api.add_user(user, name)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.pmo_leads = list(leads)
        session.add(workspace)


def allocations(database):
    with database.session() as session:
        rows = session.exec(select(Allocation).order_by(Allocation.id)).all()
        return [
            (
                a.user_id,
                a.start_date.isoformat(),
                a.end_date.isoformat(),
                a.hours_per_week,
                a.percent,
            )
            for a in rows
        ]


def person(database, user):
    with database.session() as session:
        return session.exec(select(Person).where(Person.user_id == user)).one()


def audited(database, prefix):
    with database.session() as session:
        return [
            (e.action, e.actor)
            for e in session.exec(
                select(AuditEvent)
                .where(AuditEvent.action.like(f"{prefix}%"))
                .order_by(AuditEvent.id)
            )
        ]


def allocate(slack, key, who, start, end, amount, *, user=PM, channel="CGENERAL"):
    slack.command("/capacity", f"allocate {key}", user=user, channel=channel)
    modal = slack.last_modal()
    values = {"Who": who, "From": start, "Until (inclusive)": end, "How much": amount}
    return slack.submit(modal.enter(values), user=user)


# -- setting capacity --------------------------------------------------------------------


def test_people_set_their_own_week_skills_and_rate(slack, slack_api, database):
    setup_people(slack_api, database)
    slack.command("/capacity", "set 32h skills Backend, design rate 85", user=DANA)
    assert (
        slack_api.last_reply()["text"] == "Your week is now 32 h (backend, design, 85.00 an hour)."
    )
    dana = person(database, DANA)
    assert (dana.capacity_hours, dana.skills, dana.cost_rate) == (
        Decimal("32"),
        ["backend", "design"],
        Decimal("85.00"),
    )
    assert audited(database, "person.") == [("person.capacity_set", DANA)]
    slack.command("/capacity", "set 32h", user=DANA)
    assert "already 32 h" in slack_api.last_reply()["text"]
    assert audited(database, "person.") == [("person.capacity_set", DANA)]  # nothing changed


def test_only_a_pmo_lead_sets_someone_elses_capacity(slack, slack_api, database):
    setup_people(slack_api, database)
    slack.command("/capacity", f"set <@{DANA}|dana> 20h", user=PM)
    assert "Only <@UDANA0001> or a PMO lead" in slack_api.last_reply()["text"]
    slack.command("/capacity", f"set <@{DANA}|dana> 20h", user=LEAD)
    assert slack_api.last_reply()["text"].startswith("<@UDANA0001>'s week is now 20 h")
    assert person(database, DANA).capacity_hours == Decimal("20")


def test_bad_capacity_text_says_what_is_wrong_and_how_to_type_it(slack, slack_api, database):
    setup_people(slack_api, database)
    for text, said in (
        ("set 200h", "Capacity must be between 0 and 168 a week."),
        ("set lots", "Capacity: give hours a week, such as `32h`."),
        ("set 30h skills", "Name the skills after `skills`"),
        ("set rate", "Give the hourly cost after `rate`."),
        ("set rate -5", "The cost rate must be between 0 and 100,000 an hour."),
        ("set 30h 40h", "I don't understand `40h`."),
        ("set", "Say what to set"),
        ("set skills b@d", "is not a skill tag"),
        (f"set <@{DANA}> <@{PM}> 30h", "one person's capacity at a time"),
    ):
        slack.command("/capacity", text, user=DANA)
        reply = slack_api.last_reply()["text"]
        assert said in reply and "/capacity set @person" in reply, (text, reply)
    assert audited(database, "person.") == []


def test_someone_of_another_workspace_cannot_be_given_capacity(slack, slack_api, database):
    setup_people(slack_api, database)
    slack_api.add_user("UGUEST001", "Gus Guest", team_id="T0OTHER99")
    slack.command("/capacity", "set <@UGUEST001> 20h", user=LEAD)
    assert "belongs to another workspace" in slack_api.last_reply()["text"]


# -- allocating -------------------------------------------------------------------------


def test_a_pm_allocates_someone_and_they_are_told(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    reply = allocate(slack, "APOLLO", DANA, "2026-11-30", "2027-01-29", "20h")
    assert reply.status == 200
    assert reply.json()["response_action"] == "update"
    assert "is allocated to *APOLLO*" in str(reply.json()["view"]["blocks"])
    assert allocations(database) == [(DANA, "2026-11-30", "2027-01-29", Decimal("20.00"), None)]
    assert audited(database, "allocation.") == [("allocation.created", PM)]
    [told] = slack_api.dms(DANA)
    assert (
        "<@UPM000001> allocated you to *APOLLO* Apollo launch: 20 h a week, "
        "Mon 30 Nov 2026 to Fri 29 Jan 2027." in told.text
    )
    assert person(database, DANA).name == "Dana Dev"  # what Slack said, remembered


def test_every_bad_field_of_the_allocation_form_is_named(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    for values, field, said in (
        (("2026-12-10", "2026-12-01", "20h"), "end", "The last day is before the first."),
        (("2026-12-01", "2026-12-10", "200h"), "amount", "between 0 and 168"),
        (("2026-12-01", "2026-12-10", "120%"), "amount", "between 0 % and 100 %"),
        (("2026-12-01", "2026-12-10", "a lot"), "amount", "give hours a week"),
        (("2026-12-01", "2030-12-10", "20h"), "end", "at most three years"),
    ):
        reply = allocate(slack, "APOLLO", DANA, *values)
        errors = reply.json()["errors"]
        assert said in errors[field], (values, errors)
    assert allocations(database) == []


def test_people_outside_the_workspace_bots_and_leavers_are_refused(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    slack_api.add_user("UGUEST001", "Gus Guest", team_id="T0OTHER99")
    slack_api.add_user("UBOT00001", "Some Bot", is_bot=True)
    slack_api.add_user("ULEFT0001", "Lee Left", deleted=True)
    for user, said in (
        ("UGUEST001", "belongs to another workspace"),
        ("UBOT00001", "A bot cannot be given work."),
        ("ULEFT0001", "has left the workspace"),
        ("UNOBODY01", "Slack knows no such person here."),
    ):
        errors = allocate(slack, "APOLLO", user, "2026-12-01", "2026-12-10", "20h").json()["errors"]
        assert said in errors["person"], (user, errors)
    assert allocations(database) == []


def test_only_the_pm_or_a_pmo_lead_allocates(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    errors = allocate(slack, "APOLLO", DANA, "2026-12-01", "2026-12-10", "20h", user=MEMBER).json()[
        "errors"
    ]
    assert "Only the PM of APOLLO or a PMO lead" in next(iter(errors.values()))
    assert (
        allocate(slack, "APOLLO", DANA, "2026-12-01", "2026-12-10", "50%", user=LEAD).status == 200
    )
    assert allocations(database) == [(DANA, "2026-12-01", "2026-12-10", None, 50)]


def test_the_form_offers_the_projects_you_run_or_the_channels(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    slack.command("/capacity", "allocate", user=PM, channel="CAPOLLO01")
    assert slack.last_modal().initial("Project") == "APOLLO"
    slack.command("/capacity", "allocate", user=MEMBER, channel="CGENERAL")
    assert "You run none" in slack_api.last_reply()["text"]
    slack.command("/capacity", "allocate NOPE", user=PM)
    assert "There is no project `NOPE`" in slack_api.last_reply()["text"]


# -- over-allocation ---------------------------------------------------------------------


def test_over_allocation_is_told_once_to_the_pms_and_leads_naming_weeks_and_projects(
    slack, slack_api, database
):
    setup_people(slack_api, database)
    make_project(database)
    make_project(database, key="ZEUS", name="Zeus", pm=PM2, channel_id="CZEUS0001")
    allocate(slack, "APOLLO", DANA, "2026-11-30", "2026-12-11", "30h")
    assert slack_api.dms(LEAD) == []  # 30 of 40: fine
    allocate(slack, "ZEUS", DANA, "2026-12-07", "2026-12-18", "20h", user=PM2)
    for user in (PM, PM2, LEAD):
        [alert] = [m for m in slack_api.dms(user) if "more than their capacity" in m.text]
        assert (
            "<@UDANA0001>'s allocations add up to more than their capacity (by over 10 %) in 1 week"
            in alert.text
        )
        assert "week of Mon 7 Dec 2026: asked for *50 h* of 40 h (APOLLO 30 h, ZEUS 20 h)" in str(
            alert.blocks
        )
    assert [m for m in slack_api.dms(DANA) if "capacity" in m.text] == []  # never blamed
    # The same week over again is not told again; a new week over is.
    allocate(slack, "ZEUS", DANA, "2026-12-07", "2026-12-09", "5h", user=PM2)
    assert len([m for m in slack_api.dms(LEAD) if "more than their capacity" in m.text]) == 1
    allocate(slack, "ZEUS", DANA, "2026-12-14", "2026-12-18", "30h", user=PM2)
    alerts = [m for m in slack_api.dms(LEAD) if "more than their capacity" in m.text]
    assert len(alerts) == 2 and "week of Mon 14 Dec 2026" in alerts[1].text


def test_within_the_threshold_is_not_over(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    allocate(slack, "APOLLO", DANA, "2026-11-30", "2026-12-04", "44h")  # 10 % over: allowed
    assert [m for m in slack_api.dms(LEAD) if "capacity" in m.text] == []
    allocate(slack, "APOLLO", DANA, "2026-11-30", "2026-12-04", "1h")
    assert len([m for m in slack_api.dms(LEAD) if "more than their capacity" in m.text]) == 1


def test_lowering_someones_capacity_can_over_allocate_them(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    allocate(slack, "APOLLO", DANA, "2026-11-30", "2026-12-04", "30h")
    slack.command("/capacity", "set 20h", user=DANA)
    [alert] = [m for m in slack_api.dms(PM) if "more than their capacity" in m.text]
    assert "asked for *30 h* of 20 h" in str(alert.blocks)


def test_two_pms_allocating_one_person_at_once_both_succeed_and_it_is_reported(
    slack, slack_api, database
):
    setup_people(slack_api, database)
    make_project(database)
    make_project(database, key="ZEUS", name="Zeus", pm=PM2, channel_id="CZEUS0001")
    forms = []
    for key, pm in (("APOLLO", PM), ("ZEUS", PM2)):
        slack.command("/capacity", f"allocate {key}", user=pm)
        forms.append(
            (
                slack.last_modal().enter(
                    {
                        "Who": DANA,
                        "From": "2026-11-30",
                        "Until (inclusive)": "2026-12-04",
                        "How much": "30h",
                    }
                ),
                pm,
            )
        )
    threads = [
        threading.Thread(target=slack.submit, args=(modal,), kwargs={"user": pm})
        for modal, pm in forms
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(allocations(database)) == 2
    with database.session() as session:
        assert len(session.exec(select(CapacityAlert)).all()) == 1
    assert len([m for m in slack_api.dms(LEAD) if "more than their capacity" in m.text]) == 1


# -- your load, a project's team --------------------------------------------------------


def test_capacity_alone_shows_your_weeks_and_allocations_with_leave(
    slack, slack_api, database, clock
):
    setup_people(slack_api, database)
    make_project(database)
    allocate(slack, "APOLLO", DANA, "2026-11-30", "2027-01-29", "20h")
    slack.command("/pmo", "pause until 2026-12-11", user=DANA)
    slack.command("/capacity", "", user=DANA)
    reply = slack_api.last_reply()
    text = str(reply["blocks"])
    assert "*40 h a week*" in text
    # Paused from today to 11 Dec: this week away; the next two away yet asked for 20 h.
    assert (
        ":palm_tree: Mon 23 Nov 2026 away · :red_circle: Mon 30 Nov 2026 away, 20 h asked · "
        in text
    )
    assert (
        ":red_circle: Mon 7 Dec 2026 away, 20 h asked · :large_green_circle: Mon 14 Dec 2026 50 %"
        in text
    )
    assert "*APOLLO* Apollo launch · 20 h a week · Mon 30 Nov 2026 to Fri 29 Jan 2027" in text
    buttons = [b["accessory"]["text"]["text"] for b in reply["blocks"] if "accessory" in b]
    assert buttons == ["Question"]


def test_the_first_week_is_the_workspaces_own(slack, slack_api, database, clock):
    setup_people(slack_api, database)
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.time_zone = "Pacific/Auckland"
        session.add(workspace)
    clock.set(datetime(2026, 11, 29, 12, 0, tzinfo=UTC))  # Sunday in London, Monday in Auckland
    slack.command("/capacity", "me", user=DANA)
    weeks = slack_api.last_reply()["blocks"][1]["text"]["text"].split("\n")[1]
    assert weeks.startswith(
        ":white_circle: Mon 30 Nov 2026 0 % · :white_circle: Mon 7 Dec 2026 0 %"
    )


def test_a_person_questions_their_allocation_and_the_pm_hears(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    allocate(slack, "APOLLO", DANA, "2026-11-30", "2027-01-29", "20h")
    slack.command("/capacity", "", user=DANA)
    reply = slack_api.last_reply()
    slack.click_in_blocks(reply["blocks"], "capacity.question", user=DANA)
    modal = slack.last_modal()
    assert slack.submit(modal.enter({"Your question": "   "}), user=DANA).json()["errors"] == {
        "question": "Say what you would like to change or ask."
    }
    answer = slack.submit(
        modal.enter({"Your question": "Can it be 15h <!here>?"}), user=DANA
    ).json()
    assert answer["response_action"] == "update"
    [asked] = [m for m in slack_api.dms(PM) if "asks about" in m.text]
    assert "<@UDANA0001> asks about their allocation to *APOLLO*" in asked.text
    assert "Can it be 15h &lt;!here&gt;?" in asked.text
    assert audited(database, "allocation.questioned") == [("allocation.questioned", DANA)]
    # Someone else's allocation cannot be questioned by forging the button.
    slack.click_in_blocks(reply["blocks"], "capacity.question", user=MEMBER)
    errors = slack.submit(slack.last_modal().enter({"Your question": "mine?"}), user=MEMBER).json()[
        "errors"
    ]
    assert "Only the person allocated" in errors["question"]


def test_a_projects_team_most_loaded_first_and_who_is_not_allocated(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    allocate(slack, "APOLLO", DANA, "2026-11-30", "2026-12-31", "30h")
    allocate(slack, "APOLLO", PM, "2026-11-30", "2026-12-31", "10h")
    slack.command("/capacity", "", user=PM, channel="CAPOLLO01")  # own load
    slack.command("/capacity", "apollo", user=SPONSOR)
    blocks = slack_api.last_reply()["blocks"]
    rows = [b["text"]["text"] for b in blocks if b.get("accessory")]
    assert rows[0].startswith("<@UDANA0001> · 30 h a week, Mon 30 Nov 2026 to Thu 31 Dec 2026")
    assert rows[1].startswith("<@UPM000001> · 10 h a week")
    assert "On the project with no allocation: <@UMEMBER01>." in str(blocks)
    assert "*Planned labour cost* 0 of a 250,000 budget (0 %)" in str(blocks)
    slack.command("/capacity", f"set <@{DANA}> rate 100", user=LEAD)
    slack.command("/capacity", "APOLLO", user=SPONSOR)
    blocks = slack_api.last_reply()["blocks"]
    # Dana: 30 h a week over 24 working days = 144 h at 100; the PM has no rate.
    assert "*Planned labour cost* 14,400 of a 250,000 budget (6 %) · 192 h planned" in str(blocks)
    assert "Not costed (no rate set): <@UPM000001>" in str(blocks)
    slack.command("/capacity", "NOPE", user=SPONSOR)
    assert "There is no project `NOPE`" in slack_api.last_reply()["text"]


def test_the_pm_removes_an_allocation_and_others_cannot(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    allocate(slack, "APOLLO", DANA, "2026-11-30", "2026-12-31", "30h")
    slack.command("/capacity", "APOLLO", user=APPROVER)
    blocks = slack_api.last_reply()["blocks"]
    slack.click_in_blocks(blocks, "capacity.remove", user=APPROVER)
    assert "Only the PM of APOLLO" in slack_api.last_reply()["text"]
    assert len(allocations(database)) == 1
    slack.click_in_blocks(blocks, "capacity.remove", user=PM)
    assert slack_api.last_reply()["text"] == "Removed <@UDANA0001> from APOLLO (30 h a week)."
    assert allocations(database) == []
    assert audited(database, "allocation.removed") == [("allocation.removed", PM)]
    slack.click_in_blocks(blocks, "capacity.remove", user=PM)  # twice: already gone
    assert "no longer exists" in slack_api.last_reply()["text"]


def test_an_allocation_id_of_another_workspace_is_not_found(slack, slack_api, database):
    setup_people(slack_api, database)
    make_project(database)
    allocate(slack, "APOLLO", DANA, "2026-11-30", "2026-12-31", "30h")
    slack.command("/capacity", "APOLLO", user=PM)
    blocks = slack_api.last_reply()["blocks"]
    for block in blocks:
        if block.get("accessory"):
            block["accessory"]["value"] = "99999"
    slack.click_in_blocks(blocks, "capacity.remove", user=PM)
    assert "no longer exists" in slack_api.last_reply()["text"]
    assert OUTSIDER  # an outsider has no project to see
