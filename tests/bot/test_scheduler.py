"""The scheduler: one active process at a time, jobs kept across restarts, ticks that defer
to the lease holder."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import inspect, text
from sqlmodel import select

import bot.scheduler
from bot.scheduler import JOB_TABLE, LEASE_TTL, SchedulerService, digest_tick
from storage.models import OutboxMessage
from storage.workspaces import ensure_workspace
from tests.factories import TEAM, make_project


@pytest.fixture
def services(runtime):
    started: list[SchedulerService] = []

    def make(holder):
        service = SchedulerService(runtime, holder=holder)
        started.append(service)
        return service

    yield make
    for service in started:
        service._stop_jobs()
    bot.scheduler._active = None


def test_only_one_scheduler_holds_the_lease_and_runs_jobs(services):
    first, second = services("replica-a"), services("replica-b")
    assert first.step() is True
    assert second.step() is False
    assert first.scheduler is not None and first.scheduler.running
    assert second.scheduler is None
    assert first.step() is True  # renewing


def test_a_standby_takes_over_when_the_holder_stops_renewing(services, clock):
    first, second = services("replica-a"), services("replica-b")
    first.step()
    clock.advance(seconds=LEASE_TTL.total_seconds() + 1)  # replica-a froze or died
    assert second.step() is True
    assert second.scheduler is not None
    assert first.step() is False  # it comes back: it sees it lost, and stands down
    assert first.scheduler is None


def test_jobs_are_kept_in_the_database_with_their_next_run_times(services, database, clock):
    first = services("replica-a")
    first.step()
    assert JOB_TABLE in inspect(database.engine).get_table_names()
    job = first.scheduler.get_job("digest")
    next_run = job.next_run_time
    assert (job.coalesce, job.max_instances, job.misfire_grace_time) == (True, 1, 600)
    first._stop_jobs()  # a restart
    clock.advance(seconds=LEASE_TTL.total_seconds() + 1)
    second = services("replica-b")
    second.step()
    assert second.scheduler.get_job("digest").next_run_time == next_run
    with database.engine.connect() as connection:
        ids = sorted(connection.execute(text(f"SELECT id FROM {JOB_TABLE}")).scalars())
    assert ids == ["digest", "nudges", "outbox"]


def test_ticks_act_only_for_the_lease_holder(services, database, clock):
    with database.session() as session:
        workspace = ensure_workspace(session=session, team_id=TEAM)
        workspace.digest_channel = "CDIGEST01"
        session.add(workspace)
    make_project(database)
    clock.advance(days=7)  # the next Monday's digest is due
    holder, standby = services("replica-a"), services("replica-b")
    holder.step()
    standby.step()
    bot.scheduler._active = standby
    digest_tick()
    with database.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []
    bot.scheduler._active = holder
    digest_tick()
    with database.session() as session:
        # The digest and its chart.
        assert len(session.exec(select(OutboxMessage)).all()) == 2


def test_a_stopped_scheduler_gives_its_lease_back(services, clock):
    first, second = services("replica-a"), services("replica-b")
    first.stop()
    first.run()  # returns at once: stopped before it began, and releases
    assert second.step() is True
    del clock  # the lease was freed, not timed out
    assert timedelta(0) < LEASE_TTL
