"""Web API clients: every call goes through SLACK_API_URL, with slack_sdk's retry handlers."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.handler import HttpRequest, HttpResponse, RetryState
from slack_sdk.http_retry.jitter import Jitter

from bot.settings import Settings

logger = logging.getLogger(__name__)

# Waiting longer than this inside a request would hold a worker thread; the outbox
# reschedules the message for when Slack says instead.
MAX_IN_PROCESS_WAIT_SECONDS = 5
DEFAULT_BACKOFF_SECONDS = 0.5


class ProportionalJitter(Jitter):
    """Adds up to half the interval (slack_sdk adds up to 1 s, too much for short waits)."""

    def recalculate(self, duration: float) -> float:
        return duration * (1 + random.random() / 2)


class ShortRateLimitRetryHandler(RateLimitErrorRetryHandler):
    """Retries a 429 in-process only when Slack asks for a short wait."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is None or response.status_code != 429:
            return False
        return retry_after_seconds(response.headers) <= MAX_IN_PROCESS_WAIT_SECONDS

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        assert response is not None
        state.next_attempt_requested = True
        wait = retry_after_seconds(response.headers)
        time.sleep(wait + self.interval_calculator.calculate_sleep_duration(0))
        state.increment_current_attempt()


class ServerErrorRetryHandler(RetryHandler):
    """Retries Slack's 5xx answers (slack_sdk's own covers only 500 and 503)."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        return response is not None and 500 <= response.status_code < 600


def retry_after_seconds(headers: dict[str, list[str]] | dict[str, str]) -> int:
    """Slack's Retry-After header in seconds (1 when absent or unreadable)."""
    for name, value in headers.items():
        if name.lower() == "retry-after":
            raw = value[0] if isinstance(value, list) else value
            try:
                return max(int(raw), 0)
            except (TypeError, ValueError):
                return 1
    return 1


def retry_handlers(backoff: float = DEFAULT_BACKOFF_SECONDS) -> list[RetryHandler]:
    """Connection errors, short rate limits and server errors are retried twice each."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff, jitter=ProportionalJitter())
    return [
        ConnectionErrorRetryHandler(max_retry_count=2, interval_calculator=interval),
        ShortRateLimitRetryHandler(max_retry_count=2, interval_calculator=interval),
        ServerErrorRetryHandler(max_retry_count=2, interval_calculator=interval),
    ]


def web_client(
    settings: Settings, token: str | None = None, backoff: float = DEFAULT_BACKOFF_SECONDS
) -> WebClient:
    """A client for the Slack Web API at SLACK_API_URL."""
    return WebClient(
        token=token,
        base_url=settings.SLACK_API_URL,
        retry_handlers=retry_handlers(backoff),
        timeout=15,
    )


class TeamClients:
    """The Web API client to use for a workspace: the one bot token, or the installed one."""

    def __init__(
        self,
        settings: Settings,
        find_bot_token: Callable[[str], str | None] | None = None,
        backoff: float = DEFAULT_BACKOFF_SECONDS,
    ) -> None:
        self._settings = settings
        self._find_bot_token = find_bot_token
        self._backoff = backoff
        self._single = web_client(settings, settings.SLACK_BOT_TOKEN, backoff)

    def for_team(self, team_id: str) -> WebClient | None:
        """The client that acts in `team_id`, or None when pmo-bot is not installed there."""
        if self._find_bot_token is None:
            return self._single
        token = self._find_bot_token(team_id)
        if token is None:
            logger.warning("no installation for team %s", team_id)
            return None
        return web_client(self._settings, token, self._backoff)
