"""The Slack app manifest for this app, from which a workspace admin creates it."""

from __future__ import annotations

from typing import Any

import yaml

BOT_SCOPES = [
    "commands",
    "chat:write",
    "chat:write.public",
    "im:write",
    # The digest's chart is shared as a file (files_upload_v2).
    "files:write",
    "users:read",
    "team:read",
    "channels:read",
    "groups:read",
    # The outbox reads back its own posts to make sure none is sent twice.
    "channels:history",
    "groups:history",
    # ...and receives what people write to it in its Messages tab (message.im).
    "im:history",
]

SLASH_COMMANDS = [
    (
        "/pmo",
        "Projects, roles, settings and help",
        "help | new | list | show KEY | edit KEY | archive KEY | unarchive KEY | settings | "
        "pause until DATE | resume | benefits KEY | depends KEY on KEY | types | type new | "
        "export | api",
    ),
    (
        "/status",
        "Post or read a project's status",
        "[KEY] [green|amber|red|hold text] | history KEY",
    ),
    ("/risk", "Raise or list risks and issues", "[KEY p4 i5 title] | list KEY | mine"),
    ("/gate", "Request or review a stage gate", "[KEY] | history KEY | withdraw KEY"),
    ("/kudos", "Thank someone for their work", "@person what they did"),
    (
        "/capacity",
        "People's capacity, allocations, requests and forecast",
        "[KEY] | me | set @person 32h | allocate | request | forecast [skill]",
    ),
    (
        "/goal",
        "Strategic goals, their health and the portfolio ranking",
        "[GOAL] | new | update GOAL | portfolio",
    ),
    (
        "/retro",
        "Retrospectives, improvement actions and lessons",
        "[KEY] | actions | lessons [words]",
    ),
]

# message.im (scope im:history): replies in the Messages tab get a short help.
BOT_EVENTS = ["app_home_opened", "app_uninstalled", "tokens_revoked", "message.im"]


def manifest(url: str | None, socket_mode: bool = False, name: str = "pmo-bot") -> dict[str, Any]:
    """The manifest as a dict: HTTP endpoints under `url`, or Socket Mode with none."""
    if not socket_mode and not url:
        raise ValueError("an HTTP manifest needs the app's public URL")
    events_url = f"{url.rstrip('/')}/slack/events" if url else None
    commands = []
    for command, description, hint in SLASH_COMMANDS:
        entry: dict[str, Any] = {
            "command": command,
            "description": description,
            "usage_hint": hint,
            "should_escape": True,
        }
        if events_url and not socket_mode:
            entry["url"] = events_url
        commands.append(entry)
    interactivity: dict[str, Any] = {"is_enabled": True}
    events: dict[str, Any] = {"bot_events": BOT_EVENTS}
    if not socket_mode:
        interactivity["request_url"] = events_url
        interactivity["message_menu_options_url"] = events_url
        events["request_url"] = events_url
    result: dict[str, Any] = {
        "display_information": {
            "name": name,
            "description": "Status, risks, stage gates and the Monday digest for your PMO.",
            "background_color": "#1d3557",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": name, "always_online": True},
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": BOT_SCOPES}},
        "settings": {
            "event_subscriptions": events,
            "interactivity": interactivity,
            "org_deploy_enabled": False,
            "socket_mode_enabled": socket_mode,
            "token_rotation_enabled": False,
        },
    }
    if url and not socket_mode:
        result["oauth_config"]["redirect_urls"] = [f"{url.rstrip('/')}/slack/oauth_redirect"]
    return result


def manifest_yaml(url: str | None, socket_mode: bool = False) -> str:
    """The manifest as YAML, ready to paste into api.slack.com/apps."""
    return yaml.safe_dump(manifest(url, socket_mode), sort_keys=False, allow_unicode=True)
