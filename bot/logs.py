"""Log lines with time, level and logger, on stderr where Heroku and systemd collect them."""

from __future__ import annotations

import logging
import os


def configure_logging() -> None:
    """Set up the root logger once; LOG_LEVEL (default INFO) tunes it."""
    level = os.environ.get("LOG_LEVEL", "INFO").upper()
    logging.basicConfig(
        level=level if level in logging.getLevelNamesMapping() else "INFO",
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    # slack_sdk logs every HTTP body at DEBUG; keep it quiet unless asked.
    logging.getLogger("slack_sdk").setLevel(max(logging.getLogger().level, logging.INFO))
    # Alembic narrates every migration step; `pmo-bot migrate` says the outcome itself.
    if logging.getLogger().level > logging.DEBUG:
        logging.getLogger("alembic").setLevel(logging.WARNING)
