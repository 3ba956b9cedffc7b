"""Benefit check-ins through the nudge job: the sponsor is asked once, at 10:00 their time,
once the project has closed and the date has come, never while paused; the *Record value*
button records it; the digest reports benefits due, realised and missed."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlmodel import select

from bot.jobs import nudge_job
from storage.models import AuditEvent, Benefit, BenefitStatus, Person
from storage.workspaces import ensure_workspace
from tests.bot.test_digest_job import DIGEST_CHANNEL, run
from tests.factories import MEMBER, PM, SPONSOR, TEAM, make_project
from workflows.actor import Actor
from workflows.benefits import BenefitDraft, add_benefit
from workflows.projects import set_archived

CHECK_IN_DAY = date(2026, 12, 1)  # a Tuesday


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def team(database, slack_api, clock):
    clock.set(utc("2026-11-20 09:00"))
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).time_zone = "Europe/London"
    slack_api.add_user(PM, "Priya PM", "Europe/London")
    slack_api.add_user(SPONSOR, "Sam Sponsor", "America/New_York")
    slack_api.add_user(MEMBER, "Mo Member", "Europe/London")
    make_project(database, now=utc("2026-11-02 09:00"))


def state(database, title="Fewer cancellations", realise_on=CHECK_IN_DAY, key="APOLLO"):
    with database.session() as session:
        return add_benefit(
            session=session,
            actor=Actor(TEAM, PM),
            key=key,
            draft=BenefitDraft(title, "Monthly churn", "5 %", "", realise_on),
            now=utc("2026-11-20 09:00"),
        ).benefit


def close(database, key="APOLLO", when=None):
    with database.session() as session:
        set_archived(
            session=session,
            team_id=TEAM,
            actor=PM,
            key=key,
            archived=True,
            now=when or utc("2026-11-25 12:00"),
        )


def check_ins(runtime, when):
    runtime.clock.set(when)
    planned = nudge_job(
        database=runtime.database, sender=runtime.sender, now=when, clients=runtime.clients
    )
    runtime.deliverer.deliver()
    return [
        (item.to, item.content.benefit.title)
        for item in planned
        if item.content.kind.value == "benefit_check_in"
    ]


def status_of(database):
    with database.session() as session:
        return [b.status for b in session.exec(select(Benefit).order_by(Benefit.id))]


def test_the_sponsor_is_asked_once_at_10_in_their_time_zone(runtime, database, slack_api, team):
    state(database)
    close(database)
    assert check_ins(runtime, utc("2026-11-30 16:00")) == []  # before the date
    assert check_ins(runtime, utc("2026-12-01 14:59")) == []  # 09:59 in New York
    assert status_of(database) == [BenefitStatus.DUE]  # due all the same, and audited
    assert check_ins(runtime, utc("2026-12-01 15:00")) == [(SPONSOR, "Fewer cancellations")]
    assert check_ins(runtime, utc("2026-12-01 17:00")) == []
    assert check_ins(runtime, utc("2026-12-02 15:00")) == []
    [dm] = slack_api.dms(SPONSOR)
    assert "*APOLLO* (Apollo launch) has closed" in dm.text
    assert "a target of 5 % (Monthly churn)" in dm.text and "Tue 1 Dec 2026" in dm.text
    assert [
        e["text"]["text"] for b in dm.blocks if b["type"] == "actions" for e in b["elements"]
    ] == ["Record value"]
    with database.session() as session:
        marked = session.exec(select(AuditEvent).where(AuditEvent.action == "benefit.due")).all()
    assert [(e.actor, e.at) for e in marked] == [("pmo-bot", utc("2026-12-01 14:59"))]


def test_a_running_project_asks_nothing_until_it_closes(runtime, database, team):
    state(database)
    assert check_ins(runtime, utc("2026-12-01 15:00")) == []
    assert status_of(database) == [BenefitStatus.EXPECTED]
    close(database)
    assert check_ins(runtime, utc("2026-12-08 15:00")) == [(SPONSOR, "Fewer cancellations")]


def test_a_project_in_its_last_phase_is_closed(runtime, database, team):
    make_project(database, key="HERMES", channel_id=None, phase="Close")
    state(database, key="HERMES")
    assert check_ins(runtime, utc("2026-12-01 15:00")) == [(SPONSOR, "Fewer cancellations")]


def test_a_paused_sponsor_is_asked_after_the_pause(runtime, database, team):
    state(database)
    close(database)
    check_ins(runtime, utc("2026-11-30 15:00"))  # reads the sponsor's zone from Slack
    with database.session() as session:
        sponsor = session.exec(select(Person).where(Person.user_id == SPONSOR)).one()
        sponsor.paused_until = date(2026, 12, 2)
    assert check_ins(runtime, utc("2026-12-01 15:00")) == []
    assert check_ins(runtime, utc("2026-12-02 15:00")) == []
    assert check_ins(runtime, utc("2026-12-03 15:00")) == [(SPONSOR, "Fewer cancellations")]


def test_record_value_in_the_nudge_records_it(runtime, slack, database, slack_api, team):
    state(database)
    close(database)
    check_ins(runtime, utc("2026-12-01 15:00"))
    slack.click(slack_api.dms(SPONSOR)[0], "benefit.record", user=SPONSOR)
    modal = slack.last_modal()
    slack.submit(modal.enter({"Value realised": "5.5"}), user=SPONSOR)
    assert status_of(database) == [BenefitStatus.REALISED]
    assert check_ins(runtime, utc("2026-12-02 15:00")) == []


# -- the digest ----------------------------------------------------------------------------


def test_the_digest_reports_benefits_due_realised_and_missed(runtime, slack, database, slack_api):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).digest_channel = DIGEST_CHANNEL
    slack_api.add_user(SPONSOR, "Sam Sponsor", "Europe/London")
    make_project(database, now=utc("2026-11-02 09:00"))
    state(database, title="Awaited <!here>")
    hit = state(database, title="Hit")
    miss = state(database, title="Miss")
    state(database, title="Forgotten", realise_on=date(2026, 11, 2))
    close(database, when=utc("2026-11-10 09:00"))
    check_ins(runtime, utc("2026-11-10 12:00"))  # the forgotten one's check-in
    check_ins(runtime, utc("2026-12-01 12:00"))  # the others'
    for benefit, value, when in ((hit, "6", "2026-12-02 12:00"), (miss, "4", "2026-12-03 12:00")):
        runtime.clock.set(utc(when))
        asked = next(m for m in slack_api.dms(SPONSOR) if f'"{benefit.title}"' in m.text)
        slack.click(asked, "benefit.record", user=SPONSOR)
        slack.submit(slack.last_modal().enter({"Value realised": value}), user=SPONSOR)
    run(runtime, utc("2026-12-07 09:05"))
    [post] = slack_api.posts(DIGEST_CHANNEL)
    section = "\n".join(
        block["text"]["text"]
        for block in post.blocks
        if block["type"] == "section" and block["text"]["text"].startswith("*Benefits")
    )
    assert section.split("\n") == [
        "*Benefits*",
        ":hourglass_flowing_sand: *APOLLO* Awaited &lt;!here&gt;: due Tue 1 Dec 2026, "
        f"awaiting the value from <@{SPONSOR}> (target 5 %, Monthly churn)",
        ":white_check_mark: *APOLLO* Hit realised: 6 % against a target of 5 % "
        "(recorded Wed 2 Dec 2026)",
        ":x: *APOLLO* Miss missed: 4 % against a target of 5 % (recorded Thu 3 Dec 2026)",
        ":x: *APOLLO* Forgotten: no value recorded since its check-in on Tue 10 Nov 2026, "
        f"so it counts as missed until <@{SPONSOR}> records it",
    ]


def test_a_digest_with_no_benefit_to_report_leaves_the_section_out(runtime, database, slack_api):
    with database.session() as session:
        ensure_workspace(session=session, team_id=TEAM).digest_channel = DIGEST_CHANNEL
    make_project(database, now=utc("2026-11-02 09:00"))
    state(database)
    run(runtime, utc("2026-12-07 09:05"))
    [post] = slack_api.posts(DIGEST_CHANNEL)
    assert "*Benefits*" not in str(post.blocks)
