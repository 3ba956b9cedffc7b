"""Scheduled jobs, run by APScheduler in `pmo-bot scheduler` or inside `serve`."""

from __future__ import annotations

import logging
from datetime import UTC

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler

from bot.app import Runtime

logger = logging.getLogger(__name__)
OUTBOX_INTERVAL_SECONDS = 15


def deliver_outbox(runtime: Runtime) -> None:
    """Send what is due in the outbox: retries, and anything a crash left behind."""
    report = runtime.deliverer.deliver()
    if report.sent or report.failed:
        logger.info(
            "outbox: %s sent, %s deferred, %s failed", report.sent, report.deferred, report.failed
        )


def build_scheduler(runtime: Runtime, *, blocking: bool) -> BaseScheduler:
    """A scheduler with pmo-bot's jobs; `blocking` for the worker process, else in a thread."""
    scheduler: BaseScheduler = (BlockingScheduler if blocking else BackgroundScheduler)(
        timezone=UTC
    )
    scheduler.add_job(
        deliver_outbox,
        "interval",
        seconds=OUTBOX_INTERVAL_SECONDS,
        args=[runtime],
        id="outbox",
        coalesce=True,
        max_instances=1,
        misfire_grace_time=60,
    )
    return scheduler
