"""The WSGI entry point for gunicorn (the Procfile's `web`): `gunicorn bot.wsgi:app`, with
`-c python:bot.gunicorn_config` for a graceful stop."""

from __future__ import annotations

import sys

from bot.app import build_runtime
from bot.logs import configure_logging
from bot.server import freeze_startup_objects, start_web_app
from bot.settings import SettingsError, load_settings

configure_logging()
try:
    settings = load_settings()
    runtime = build_runtime(settings)
except SettingsError as exc:
    print(f"pmo-bot: {exc}", file=sys.stderr)
    sys.exit(1)

app = start_web_app(runtime)
freeze_startup_objects()
