"""`/retro`: starting a retrospective, contributing (named or anonymous), the reminder,
the summary, the triggers, and privacy: through signed requests."""

from __future__ import annotations

import copy
import logging
from datetime import UTC, date, datetime

from sqlmodel import SQLModel, select

from bot.jobs import nudge_job
from storage.models import ActionStatus, AuditEvent, Retro, RetroAction, RetroItem
from tests.factories import APPROVER, APPROVER_2, MEMBER, OUTSIDER, PM, SPONSOR, make_project

CHANNEL = "CAPOLLO01"


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def nudge(runtime, when):
    runtime.clock.set(when)
    planned = nudge_job(database=runtime.database, sender=runtime.sender, now=when, clients=None)
    runtime.deliverer.deliver()
    # Only the retrospectives' messages: the project's status nudges go their own way.
    return [m for m in planned if type(m.content).__module__.startswith("workflows.retro")]


def retros(database):
    with database.session() as session:
        return [(r.number, r.reason, r.status) for r in session.exec(select(Retro)).all()]


def invite(slack_api, user):
    return next(m for m in slack_api.dms(user) if "is open for" in m.text)


def contribute(slack, slack_api, user, values):
    slack.click(copy.deepcopy(invite(slack_api, user)), "retro.contribute", user=user)
    return slack.submit(slack.last_modal().enter(values), user=user)


def summary_post(slack_api):
    return next(m for m in slack_api.posts(CHANNEL) if m.text.startswith("APOLLO-RETRO1"))


def test_a_full_cycle_named_and_anonymous_items_one_reminder_a_grouped_summary(
    slack, slack_api, runtime, database
):
    make_project(database)
    slack.command("/retro", "APOLLO", user=PM)
    reply = slack_api.last_reply()["text"]
    assert reply.startswith("APOLLO-RETRO1 is open until") and "3 people are asked" in reply
    assert {u for u in (PM, MEMBER, SPONSOR) if invite(slack_api, u)} == {PM, MEMBER, SPONSOR}
    assert slack_api.dms(APPROVER) == []

    reply = contribute(
        slack,
        slack_api,
        MEMBER,
        {"What didn't go well?": "Late <!channel> reviews", "Your name": ["anonymous"]},
    )
    assert reply.json()["response_action"] == "update"
    contribute(slack, slack_api, PM, {"What went well?": "Demos", "Ideas to try": "Pairing"})
    with database.session() as session:
        items = [(i.kind, i.author) for i in session.exec(select(RetroItem).order_by(RetroItem.id))]
    assert items == [("didnt", None), ("well", PM), ("idea", PM)]

    # Half-way (Wed 02:00 UTC), at 10:00 in the workspace: the one reminder.
    assert nudge(runtime, utc("2026-11-25 09:00")) == []
    reminded = nudge(runtime, utc("2026-11-25 10:00"))
    assert sorted(m.to for m in reminded) == sorted([MEMBER, SPONSOR])
    assert "ignore this" in slack_api.dms(MEMBER)[-1].text
    assert nudge(runtime, utc("2026-11-25 15:00")) == []

    [summary] = nudge(runtime, utc("2026-11-26 14:00"))
    assert summary.to == CHANNEL
    post = summary_post(slack_api)
    text = post.all_text()
    assert text.index("Went well") < text.index("Didn't go well") < text.index("Ideas")
    assert "1 named contributor · 1 anonymous item · 3 items in all" in text
    assert "Late &lt;!channel&gt; reviews" in text
    assert f"Demos — <@{PM}>" in text and MEMBER not in text
    menus = [b["accessory"] for b in post.blocks if b.get("accessory")]
    assert {m["action_id"] for m in menus} == {"retro.item"}
    assert [o["value"].split(":")[0] for o in menus[0]["options"]] == ["action", "lesson"]
    assert retros(database) == [(1, "asked", "summarised")]
    assert nudge(runtime, utc("2026-11-26 15:00")) == []


def test_open_actions_are_carried_into_the_summary(slack, slack_api, runtime, database):
    project = make_project(database)
    slack.command("/retro", "APOLLO", user=PM)
    with database.session() as session:
        retro = session.exec(select(Retro)).one()
        for title, status in (("Fix CI", ActionStatus.OPEN), ("Old one", ActionStatus.DONE)):
            session.add(
                RetroAction(
                    team_id=project.team_id,
                    project_id=project.id,
                    retro_id=retro.id,
                    title=title,
                    owner=MEMBER,
                    due_on=date(2026, 12, 4),
                    status=status,
                    created_by=PM,
                    created_at=utc("2026-11-23 15:00"),
                )
            )
    nudge(runtime, utc("2026-11-26 14:00"))
    text = summary_post(slack_api).all_text()
    assert "Open actions carried over" in text and "Fix CI" in text and "Old one" not in text
    assert "Nobody contributed" in text


def test_a_second_start_says_one_is_open_and_until_when(slack, slack_api, database):
    make_project(database)
    slack.command("/retro", "start", user=MEMBER, channel=CHANNEL)
    slack.command("/retro", "APOLLO", user=PM)
    assert "APOLLO-RETRO1 is open until Thu 26 Nov 2026 14:00" in slack_api.last_reply()["text"]
    assert retros(database) == [(1, "asked", "open")]


def test_a_non_member_can_neither_start_nor_contribute(slack, slack_api, database):
    make_project(database)
    slack.command("/retro", "APOLLO", user=OUTSIDER)
    assert "Only the people of APOLLO" in slack_api.last_reply()["text"]
    slack.command("/retro", "APOLLO", user=PM)
    modals = len(slack_api.calls_to("views.open"))
    slack.click(copy.deepcopy(invite(slack_api, MEMBER)), "retro.contribute", user=OUTSIDER)
    assert "Only the people of APOLLO contribute" in slack_api.last_reply()["text"]
    assert len(slack_api.calls_to("views.open")) == modals


def test_empty_and_over_long_contributions_are_refused_inline(slack, slack_api, database):
    make_project(database)
    slack.command("/retro", "APOLLO", user=PM)
    reply = contribute(slack, slack_api, MEMBER, {})
    assert reply.json()["response_action"] == "errors"
    assert "Write at least one thing" in reply.json()["errors"]["went_well"]
    reply = contribute(slack, slack_api, MEMBER, {"What didn't go well?": "x" * 1001})
    assert reply.json()["errors"] == {
        "did_not": "Each answer can be at most 1,000 characters; yours has 1,001."
    }
    with database.session() as session:
        assert session.exec(select(RetroItem)).all() == []


def test_a_passed_gate_starts_a_retro_and_the_last_one_a_closing_retro(slack, slack_api, database):
    make_project(database, gate_rule="any", phase="Execute")
    slack.command("/gate", "", user=PM, channel=CHANNEL)
    modal = slack.last_modal()
    ticks = [o["value"] for o in modal.block("Entry criteria")["element"]["options"]]
    slack.submit(modal.enter({"Evidence": "Done", "Entry criteria": ticks}), user=PM)
    request = next(m for m in slack_api.posts(CHANNEL) if "gate.approve" in str(m.blocks))
    slack.click(copy.deepcopy(request), "gate.approve", user=APPROVER)
    assert retros(database) == [(1, "closed", "open")]
    assert invite(slack_api, MEMBER)
    assert not any("RETRO" in m.text for m in slack_api.dms(APPROVER_2))


def test_archiving_a_project_starts_its_closing_retro(slack, slack_api, database):
    make_project(database)
    slack.command("/pmo", "archive APOLLO", user=PM)
    assert slack_api.last_reply()["text"] == "APOLLO is archived."
    assert retros(database) == [(1, "closed", "open")]
    assert invite(slack_api, SPONSOR)


def test_a_cadence_starts_a_retro_every_n_weeks(slack, slack_api, runtime, database):
    make_project(database)  # created Mon 2 Nov 09:00
    slack.command("/retro", "every APOLLO 4", user=MEMBER)
    assert "Only the PM of APOLLO or a PMO lead" in slack_api.last_reply()["text"]
    slack.command("/retro", "every APOLLO 4", user=PM)
    assert slack_api.last_reply()["text"] == "APOLLO holds a retro every 4 weeks."
    assert nudge(runtime, utc("2026-11-27 10:00")) == []
    started = nudge(runtime, utc("2026-11-30 10:00"))
    assert sorted(m.to for m in started) == sorted([PM, MEMBER, SPONSOR])
    assert retros(database) == [(1, "cadence", "open")]
    nudge(runtime, utc("2026-12-03 11:00"))  # summarised
    assert nudge(runtime, utc("2026-12-28 09:00")) == []  # a Monday before 10:00
    assert len(nudge(runtime, utc("2026-12-28 10:00"))) == 3
    slack.command("/retro", "every APOLLO off", user=PM)
    assert "at gates, at closing and on demand" in slack_api.last_reply()["text"]


def _rows(database):
    found = {}
    with database.engine.connect() as connection:
        for table in SQLModel.metadata.sorted_tables:
            keys = [column.name for column in table.primary_key.columns]
            for row in connection.execute(table.select()):
                values = row._mapping
                found[(table.name, tuple(values[k] for k in keys))] = tuple(values.values())
    return found


def test_an_anonymous_contribution_leaves_no_trace_of_its_author(
    slack, slack_api, database, caplog
):
    make_project(database)
    slack.command("/retro", "APOLLO", user=PM)
    before = _rows(database)
    caplog.set_level(logging.DEBUG)
    contribute(
        slack,
        slack_api,
        MEMBER,
        {"What went well?": "Good", "Ideas to try": "More", "Your name": ["anonymous"]},
    )
    after = _rows(database)
    new = [key for key in after if key not in before]
    assert any(name == "retro_items" for name, _ in new)
    leaks = [key for key in new if any(MEMBER in str(value) for value in after[key])]
    assert leaks == []
    assert MEMBER not in caplog.text
    with database.session() as session:
        assert [e.action for e in session.exec(select(AuditEvent))][-1] == "retro.started"
