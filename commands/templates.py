"""Jinja2 templates for the text of digests and nudges; a deployment may override any.

Templates are looked up in TEMPLATES_DIR/<team id>/, then TEMPLATES_DIR/, then the ones
shipped in commands/templates/. Every value is escaped for mrkdwn unless it is already
Slack markup (`Markup`, made by the filters `mention`, `channel`, `when`), so a project
name can never ping a channel. Counts and days are written with the filters `count`
(`{{ n|count("approval") }}`: 1 approval, 2 approvals), `plural` and `day` (Tue 1 Dec 2026).
"""

from __future__ import annotations

from collections.abc import MutableMapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from jinja2 import ChoiceLoader, Environment, FileSystemLoader, PackageLoader, StrictUndefined

from commands import mrkdwn
from workflows.wording import count, plural


class Markup(str):
    """Text that is already Slack mrkdwn and must not be escaped again."""


def _finalize(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Markup):
        return value
    return mrkdwn.escape(str(value))


def _mention(user_id: str | None) -> Markup:
    return Markup(mrkdwn.mention(user_id))


def _channel(channel_id: str | None) -> Markup:
    return Markup(mrkdwn.channel(channel_id))


def _when(moment: datetime) -> Markup:
    fallback = mrkdwn.day(moment.date())
    return Markup(f"<!date^{int(moment.timestamp())}^{{date_short_pretty}}|{fallback}>")


def _day(value: date | datetime | None) -> str:
    if isinstance(value, datetime):
        value = value.date()
    return mrkdwn.day(value)


class _Environment(Environment):
    """An environment whose templates' globals are one plain dict, made when a template is
    loaded: Jinja's own (a ChainMap over the environment's) is merged again at every
    render, which costs more than the render itself for a short nudge. The environment's
    globals are never changed after it is made, so nothing is missed."""

    def make_globals(self, d: MutableMapping[str, Any] | None) -> MutableMapping[str, Any]:
        return {**self.globals, **(d or {})}


class Templates:
    """Renders a named template for a workspace."""

    def __init__(self, override_dir: str | None = None) -> None:
        self._override = Path(override_dir) if override_dir else None
        self._environments: dict[str, Environment] = {}

    def _environment(self, team_id: str) -> Environment:
        if team_id not in self._environments:
            loaders: list[Any] = []
            if self._override is not None:
                loaders += [
                    FileSystemLoader(str(self._override / team_id)),
                    FileSystemLoader(str(self._override)),
                ]
            loaders.append(PackageLoader("commands", "templates"))
            environment = _Environment(
                loader=ChoiceLoader(loaders),
                finalize=_finalize,
                undefined=StrictUndefined,
                trim_blocks=True,
                lstrip_blocks=True,
                keep_trailing_newline=False,
                # Loaded once: asking the files' times at every render cost a nudge job of
                # 10,000 people two system calls a message. An edited template shows after a
                # restart (the README says so).
                auto_reload=False,
            )
            environment.filters.update(
                mention=_mention,
                channel=_channel,
                when=_when,
                day=_day,
                count=count,
                plural=plural,
            )
            self._environments[team_id] = environment
        return self._environments[team_id]

    def render(self, name: str, *, team_id: str, **context: Any) -> str:
        """The template `name` (e.g. "digest_health.j2") rendered for `team_id`."""
        return self._environment(team_id).get_template(name).render(**context).strip()
