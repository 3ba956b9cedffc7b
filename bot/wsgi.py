"""The WSGI entry point for gunicorn (the Procfile's `web`): `gunicorn bot.wsgi:app`."""

from __future__ import annotations

import sys

from bot.app import build_runtime
from bot.logs import configure_logging
from bot.settings import SettingsError, load_settings
from bot.web import create_web_app

configure_logging()
try:
    settings = load_settings()
    runtime = build_runtime(settings)
except SettingsError as exc:
    print(f"pmo-bot: {exc}", file=sys.stderr)
    sys.exit(1)

app = create_web_app(runtime)
