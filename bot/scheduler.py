"""The scheduler: APScheduler jobs kept in the database, run by one process at a time.

Every scheduler process competes for a lease in the database; the holder runs the jobs
and renews the lease, the others wait to take over. The job definitions live in
APScheduler's SQLAlchemy job store, so a restart keeps their next run times; missed runs
are coalesced into one. Whatever runs twice anyway is made harmless by outbox keys.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import timedelta

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from bot import metrics
from bot.app import Runtime
from bot.jobs import digest_job, nudge_job
from bot.replays import forget_old_requests
from storage import leases

logger = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_TTL = timedelta(seconds=90)
RENEW_EVERY_SECONDS = 30
JOB_TABLE = "apscheduler_jobs"
# (job id, function, seconds between runs)
JOBS = [
    ("outbox", "bot.scheduler:outbox_tick", 15),
    ("digest", "bot.scheduler:digest_tick", 300),
    ("nudges", "bot.scheduler:nudge_tick", 300),
]

# The runtime the stored jobs act on (job stores keep references, not objects).
_active: SchedulerService | None = None


def outbox_tick() -> None:
    """Deliver what is due in the outbox (retries, and anything a crash left behind); forget
    old seen requests."""
    service = _active
    if service is not None and service.holds_lease():
        with metrics.job_run("outbox"):
            report = service.runtime.deliverer.deliver()
            if report.sent or report.failed:
                logger.info("outbox: %s sent, %s failed", report.sent, report.failed)
            # Pruned here: one process, off the request path, one indexed DELETE every 15 s.
            forget_old_requests(database=service.runtime.database, now=service.runtime.clock())


def digest_tick() -> None:
    """Queue each workspace's digest once its time has come (once per period)."""
    service = _active
    if service is not None and service.holds_lease():
        runtime = service.runtime
        with metrics.job_run("digest"):
            digest_job(database=runtime.database, sender=runtime.sender, now=runtime.clock())
            runtime.deliverer.deliver()


def nudge_tick() -> None:
    """Queue the nudges due now (once each)."""
    service = _active
    if service is not None and service.holds_lease():
        runtime = service.runtime
        with metrics.job_run("nudges"):
            nudge_job(
                database=runtime.database,
                sender=runtime.sender,
                clients=runtime.clients,
                now=runtime.clock(),
            )
            runtime.deliverer.deliver()


class SchedulerService:
    """Holds the lease while it can, and runs APScheduler only while it holds it."""

    def __init__(self, runtime: Runtime, holder: str | None = None) -> None:
        self.runtime = runtime
        self.holder = holder or f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.scheduler: BackgroundScheduler | None = None
        self._stop = threading.Event()

    def holds_lease(self) -> bool:
        """True while this process may act."""
        with self.runtime.database.session() as session:
            return leases.holds(
                session=session, name=LEASE_NAME, holder=self.holder, now=self.runtime.clock()
            )

    def step(self) -> bool:
        """Take or renew the lease; start or stop the jobs accordingly. True while active."""
        with self.runtime.database.session() as session:
            held = leases.acquire(
                session=session,
                name=LEASE_NAME,
                holder=self.holder,
                now=self.runtime.clock(),
                ttl=LEASE_TTL,
            )
        metrics.SCHEDULER_LEADER.set(1 if held else 0)
        if held and self.scheduler is None:
            self._start_jobs()
        elif not held and self.scheduler is not None:
            logger.warning("scheduler %s lost its lease; standing by", self.holder)
            self._stop_jobs()
        return held

    def run(self) -> None:
        """Step every RENEW_EVERY_SECONDS until stopped (the `pmo-bot scheduler` process)."""
        global _active
        _active = self
        logger.info("scheduler %s started", self.holder)
        try:
            while not self._stop.is_set():
                try:
                    self.step()
                except Exception:
                    logger.exception("scheduler step failed; retrying")
                self._stop.wait(RENEW_EVERY_SECONDS)
        finally:
            self._stop_jobs()
            metrics.SCHEDULER_LEADER.set(0)
            with self.runtime.database.session() as session:
                leases.release(session=session, name=LEASE_NAME, holder=self.holder)

    def start_in_background(self) -> threading.Thread:
        """Run in a daemon thread (inside `serve`)."""
        thread = threading.Thread(target=self.run, name="scheduler", daemon=True)
        thread.start()
        return thread

    def stop(self) -> None:
        """Stop stepping, stop the jobs and give the lease back."""
        self._stop.set()

    def _start_jobs(self) -> None:
        global _active
        _active = self
        scheduler = BackgroundScheduler(
            jobstores={
                "default": SQLAlchemyJobStore(
                    engine=self.runtime.database.engine, tablename=JOB_TABLE
                )
            },
            job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600},
            timezone="UTC",
        )
        # Paused first: the stored jobs load with their next run times, which we keep.
        scheduler.start(paused=True)
        for job_id, function, seconds in JOBS:
            stored = scheduler.get_job(job_id)
            if stored is None:
                scheduler.add_job(function, "interval", seconds=seconds, id=job_id)
            elif stored.trigger.interval != timedelta(seconds=seconds):
                stored.reschedule("interval", seconds=seconds)
        scheduler.resume()
        self.scheduler = scheduler
        logger.info("scheduler %s holds the lease and runs the jobs", self.holder)

    def _stop_jobs(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
