"""Log lines with time, level and logger, on stderr where Heroku and systemd collect them.

`LOG_FORMAT=json` makes each line one JSON object, with the request it belongs to (team,
user, command or action id, request id) when there is one. User text is never a field.
"""

from __future__ import annotations

import contextvars
import json
import logging
import os
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

# What the log knows about the request being handled: set by the HTTP gate (bot/web.py),
# carried into Bolt's listener threads by `carry_request_context`.
_request: contextvars.ContextVar[dict[str, str]] = contextvars.ContextVar("pmo_request")


@contextmanager
def request_context(**fields: str | None) -> Iterator[None]:
    """Within the block, every log line carries these fields (the unset ones left out)."""
    token = _request.set({name: value for name, value in fields.items() if value})
    try:
        yield
    finally:
        _request.reset(token)


def current_request() -> dict[str, str]:
    """The fields of the request being handled here, if any."""
    return dict(_request.get({}))


class ContextCarryingExecutor(Executor):
    """Runs each task in a copy of the submitter's context, so a listener that Bolt runs in
    its thread pool logs with the request's fields."""

    def __init__(self, inner: Executor) -> None:
        self.inner = inner

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future[Any]:
        return self.inner.submit(contextvars.copy_context().run, fn, *args, **kwargs)

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.inner.shutdown(wait=wait, cancel_futures=cancel_futures)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the request's fields."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_request.get({}))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


# slack_sdk's loggers, with those of the clients pmo-bot uses (the Web API's, and the
# response_url's that Bolt's `respond` uses).
SLACK_SDK_LOGGERS = ("slack_sdk", "slack_sdk.web.base_client", "slack_sdk.webhook.client")


def configure_logging() -> None:
    """Set up the root logger once; LOG_LEVEL (default INFO) tunes it, LOG_FORMAT=json
    switches to JSON lines."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=level if level in logging.getLevelNamesMapping() else "INFO",
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    if os.environ.get("LOG_FORMAT", "").strip().lower() == "json":
        for handler in logging.getLogger().handlers:
            handler.setFormatter(JsonFormatter())
    # slack_sdk logs every HTTP body at DEBUG, what people typed with it: never. Its clients
    # ask their own logger's level, not the effective one: left unset (0), each call would
    # format its whole body (a modal's view) for a line that is then dropped.
    quiet = max(logging.getLogger().level, logging.INFO)
    for name in SLACK_SDK_LOGGERS:
        logging.getLogger(name).setLevel(quiet)
    # Alembic narrates every migration step; `pmo-bot migrate` says the outcome itself.
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("alembic").setLevel(logging.WARNING)
