"""Threatened dependencies: the PMs and sponsors of every project a threat reaches are told
once, with the chain, by the nudge job (at a humane hour) or at once after the change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from bot.jobs import nudge_job
from storage import schema
from storage.db import Database
from storage.models import Rag
from storage.workspaces import ensure_workspace
from tests.bot.test_cli import run
from tests.bot.test_cli_jobs import env_for
from tests.factories import PM, SPONSOR, TEAM, make_project
from workflows.actor import Actor
from workflows.dependencies import DependencyDraft, add_dependency
from workflows.dependency_alerts import DependencyAlert
from workflows.projects import draft_of, get_project, update_project
from workflows.status import StatusDraft, post_update

HERMES_PM, HERMES_SPONSOR = "UPMHERMES", "USPHERMES"
ZEUS_PM, ZEUS_SPONSOR = "UPMZEUS01", "USPZEUS01"
HERMES_SIDE = [HERMES_PM, HERMES_SPONSOR]
APOLLO_SIDE = [PM, SPONSOR]


def utc(text):
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@pytest.fixture
def chain(database, slack_api, clock):
    """APOLLO waits on HERMES ("payment API" by 1 Feb), HERMES on ZEUS ("ledger" by 15 Jan);
    nothing is threatened yet. Everyone is in London, as the workspace."""
    clock.set(utc("2026-11-23 09:00"))
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.time_zone = "Europe/London"
        session.add(workspace)
    for user in (PM, SPONSOR, HERMES_PM, HERMES_SPONSOR, ZEUS_PM, ZEUS_SPONSOR):
        slack_api.add_user(user, user.title(), "Europe/London")
    projects = {
        "APOLLO": make_project(database),
        "HERMES": make_project(
            database,
            key="HERMES",
            name="Hermes payments",
            pm=HERMES_PM,
            sponsor=HERMES_SPONSOR,
            channel_id="CHERMES01",
            target_date=date(2027, 1, 20),
        ),
        "ZEUS": make_project(
            database,
            key="ZEUS",
            name="Zeus ledger",
            pm=ZEUS_PM,
            sponsor=ZEUS_SPONSOR,
            channel_id="CZEUS0001",
            target_date=date(2027, 1, 10),
        ),
    }
    depend(database, "APOLLO", "HERMES", "payment API", date(2027, 2, 1), PM)
    depend(database, "HERMES", "ZEUS", "ledger", date(2027, 1, 15), HERMES_PM)
    return projects


def depend(database, down, up, what, need_by, actor):
    with database.session() as session:
        add_dependency(
            session=session,
            actor=Actor(TEAM, actor),
            draft=DependencyDraft(down, up, what, need_by),
            now=utc("2026-11-23 09:00"),
        )


def post(database, project, rag, when="2026-11-23 09:30", author=ZEUS_PM):
    # Stored as an import would: the post's own messages (and alerts) are not sent.
    with database.session() as session:
        return post_update(
            session=session,
            project=project,
            author=author,
            now=utc(when),
            draft=StatusDraft(rag, "vendor late", path_to_green="new vendor"),
        ).update.id


def move_target(database, key, target, actor):
    with database.session() as session:
        project = get_project(session=session, team_id=TEAM, key=key)
        draft = replace(draft_of(session=session, project=project), target_date=target)
        update_project(
            session=session,
            team_id=TEAM,
            actor=actor,
            key=key,
            draft=draft,
            now=utc("2026-11-23 09:45"),
        )


def alerts(runtime, when):
    """Run the nudge job at `when`; the dependency alerts it stored, as (kind, to)."""
    runtime.clock.set(utc(when))
    planned = nudge_job(
        database=runtime.database, sender=runtime.sender, now=utc(when), clients=runtime.clients
    )
    runtime.deliverer.deliver()
    return sorted(
        (m.content.reach.threat.kind.value, m.to)
        for m in planned
        if isinstance(m.content, DependencyAlert)
    )


def link_dms(slack_api, user):
    """The dependency alerts a person received (not their status nudges)."""
    return [m for m in slack_api.dms(user) if m.text.startswith(":link:")]


def told(kind, people):
    return sorted((kind, user) for user in people)


def test_a_red_project_at_the_far_end_reaches_the_first_with_the_chain(
    runtime, database, slack_api, chain
):
    post(database, chain["ZEUS"], Rag.RED)
    assert alerts(runtime, "2026-11-24 11:00") == told("colour", [*HERMES_SIDE, *APOLLO_SIDE])
    [hermes] = link_dms(slack_api, HERMES_PM)
    assert hermes.text == (
        ":link: A dependency of *HERMES* is threatened: *HERMES* needs “ledger” from *ZEUS* "
        "by Fri 15 Jan 2027, and ZEUS is red (off track)."
    )
    [apollo] = link_dms(slack_api, SPONSOR)
    assert apollo.text == (
        ":link: *APOLLO* is threatened along the chain ZEUS → HERMES → APOLLO: *HERMES* needs "
        "“ledger” from *ZEUS* by Fri 15 Jan 2027, and ZEUS is red (off track)."
    )
    assert "`/pmo depends APOLLO`" in str(apollo.blocks)
    assert link_dms(slack_api, ZEUS_PM) == []  # ZEUS waits on nothing


def test_a_threat_is_told_once_across_job_runs_and_again_when_it_turns_red(
    runtime, database, slack_api, chain
):
    post(database, chain["ZEUS"], Rag.AMBER)
    assert len(alerts(runtime, "2026-11-24 11:00")) == 4
    assert alerts(runtime, "2026-11-24 11:05") == []
    assert alerts(runtime, "2026-11-25 11:00") == []
    assert len(link_dms(slack_api, PM)) == 1
    post(database, chain["ZEUS"], Rag.AMBER, when="2026-11-26 09:00")  # still amber
    assert alerts(runtime, "2026-11-26 11:00") == []
    post(database, chain["ZEUS"], Rag.RED, when="2026-11-30 09:00")  # next week's update
    assert alerts(runtime, "2026-11-30 11:00") == told("colour", [*HERMES_SIDE, *APOLLO_SIDE])
    assert "ZEUS is red" in link_dms(slack_api, PM)[-1].text


def test_a_target_date_moved_past_the_need_date_is_a_threat(runtime, database, slack_api, chain):
    move_target(database, "ZEUS", date(2027, 2, 1), ZEUS_PM)
    assert alerts(runtime, "2026-11-24 11:00") == told("late_target", [*HERMES_SIDE, *APOLLO_SIDE])
    assert "ZEUS's target date Mon 1 Feb 2027 is after the need date" in (
        link_dms(slack_api, HERMES_PM)[0].text
    )


def test_a_missed_need_date_is_a_threat(runtime, database, slack_api, chain):
    assert alerts(runtime, "2027-01-15 11:00") == []  # the need date itself is not missed
    assert alerts(runtime, "2027-01-18 11:00") == told("missed", [*HERMES_SIDE, *APOLLO_SIDE])
    assert "the need date Fri 15 Jan 2027 has passed without it" in link_dms(slack_api, PM)[0].text


def test_one_job_run_catches_all_three_kinds(runtime, database, chain):
    post(database, chain["HERMES"], Rag.RED, author=HERMES_PM)
    move_target(database, "HERMES", date(2027, 3, 1), HERMES_PM)
    found = alerts(runtime, "2027-02-02 11:00")
    apollo_kinds = sorted(kind for kind, user in found if user == PM)
    # APOLLO's own dependency on HERMES: red, target past the need date, and the date missed;
    # through HERMES, ZEUS's "ledger" need date (15 Jan) was missed too.
    assert apollo_kinds == ["colour", "late_target", "missed", "missed"]
    assert alerts(runtime, "2027-02-02 11:05") == []


def test_alerts_wait_for_a_humane_hour(runtime, database, slack_api, chain):
    post(database, chain["ZEUS"], Rag.RED)
    assert alerts(runtime, "2026-11-24 03:00") == []
    assert alerts(runtime, "2026-11-28 11:00") == []  # Saturday
    assert len(alerts(runtime, "2026-11-30 10:00")) == 4


def test_a_delivered_dependency_is_no_longer_watched(runtime, database, slack, chain):
    slack.command("/pmo", "depends HERMES done 2", user=HERMES_PM)
    post(database, chain["ZEUS"], Rag.RED)
    assert alerts(runtime, "2026-11-24 11:00") == []


def test_a_red_status_post_tells_those_waiting_at_once(
    runtime, database, slack, slack_api, clock, chain
):
    clock.set(utc("2026-11-24 03:00"))  # the job would wait; a change is told at once
    slack.command("/status", "ZEUS red vendor late path: new vendor", user=ZEUS_PM)
    assert "ZEUS is red" in link_dms(slack_api, HERMES_PM)[0].text
    assert "along the chain ZEUS → HERMES → APOLLO" in link_dms(slack_api, PM)[0].text
    assert alerts(runtime, "2026-11-24 11:00") == []  # already told


def test_a_target_date_moved_in_the_project_form_tells_those_waiting_at_once(
    runtime, database, slack, slack_api, chain
):
    slack.command("/pmo", "edit ZEUS", user=ZEUS_PM)
    modal = slack.last_modal().enter({"Target date": "2027-03-01"})
    assert slack.submit(modal, user=ZEUS_PM).body == ""
    assert "ZEUS's target date Mon 1 Mar 2027 is after the need date" in (
        link_dms(slack_api, HERMES_SPONSOR)[0].text
    )
    assert alerts(runtime, "2026-11-24 11:00") == []


def test_pmo_bot_nudge_previews_and_sends_the_alerts(tmp_path, slack_api):
    url = f"sqlite:///{tmp_path / 'pmo.db'}"
    schema.upgrade(url)
    database = Database(url)
    make_project(database, key="HERMES", pm=HERMES_PM, sponsor=None, channel_id=None)
    make_project(database, key="ZEUS", pm=ZEUS_PM, sponsor=None, channel_id=None)
    depend(database, "HERMES", "ZEUS", "ledger", date(2027, 4, 30), HERMES_PM)
    with database.session() as session:
        zeus = get_project(session=session, team_id=TEAM, key="ZEUS")
    post(database, zeus, Rag.RED)
    database.dispose()
    at = "2026-11-24T11:00:00+00:00"
    preview = run("nudge", "--at", at, "--preview", env=env_for(url), cwd=tmp_path)
    assert preview.returncode == 0, preview.stderr
    assert f"dependency → @{HERMES_PM}" in preview.stdout
    assert "A dependency of HERMES is threatened" in preview.stdout
    # The alert waits its turn behind the status nudge in the same DM (one post a second),
    # so it goes on the next run; that run stores nothing new.
    for later in (at, "2026-11-24T11:05:00+00:00"):
        sent = run("nudge", "--at", later, env=env_for(url, slack_api), cwd=tmp_path)
        assert sent.returncode == 0, sent.stderr
    assert len(link_dms(slack_api, HERMES_PM)) == 1
