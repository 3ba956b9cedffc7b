"""Block Kit in a terminal: how `--preview` and `pmo-bot demo` show messages without Slack."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.rule import Rule
from rich.text import Text

EMOJI = {
    ":large_green_circle:": "🟢",
    ":large_yellow_circle:": "🟡",
    ":large_orange_circle:": "🟠",
    ":red_circle:": "🔴",
    ":white_circle:": "⚪",
    ":black_circle:": "⚫",
    ":white_check_mark:": "✅",
    ":white_large_square:": "⬜",
    ":x:": "❌",
    ":tada:": "🎉",
    ":warning:": "⚠️",
    ":rotating_light:": "🚨",
    ":alarm_clock:": "⏰",
    ":hourglass:": "⌛",
    ":hourglass_flowing_sand:": "⏳",
    ":leftwards_arrow_with_hook:": "↩️",
    ":pencil2:": "✏️",
    ":wave:": "👋",
    ":mag:": "🔍",
    ":no_entry:": "⛔",
    ":wastebasket:": "🗑️",
    ":arrows_counterclockwise:": "🔄",
    ":chart_with_downwards_trend:": "📉",
    ":busts_in_silhouette:": "👥",
    ":dart:": "🎯",
    ":link:": "🔗",
}
_DATE = re.compile(r"<!date\^\d+\^[^|>]*\|([^>]*)>")
_USER = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#([A-Z0-9]+)(?:\|([^>]*))?>")
_LINK = re.compile(r"<(https?://[^|>]+)(?:\|([^>]*))?>")


def plain(mrkdwn: str, name_of: Callable[[str], str] = lambda user: user) -> str:
    """mrkdwn as a terminal reads it: emoji, names, dates and links spelled out."""
    text = _DATE.sub(lambda m: m[1], mrkdwn)
    text = _USER.sub(lambda m: "@" + name_of(m[1]), text)
    text = _CHANNEL.sub(lambda m: "#" + (m[2] or m[1]), text)
    text = _LINK.sub(lambda m: m[2] or m[1], text)
    # Where the sender puts the permalink of the message a nudge points to.
    text = text.replace("{link}", "[link to it in Slack]")
    for code, char in EMOJI.items():
        text = text.replace(code, char)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def styled(mrkdwn: str, name_of: Callable[[str], str] = lambda user: user) -> Text:
    """mrkdwn as styled terminal text: *bold* and `code` as Rich styles, the rest `plain`."""
    text = Text()
    for part in re.split(r"(\*[^*\n]+\*|`[^`\n]+`)", plain(mrkdwn, name_of)):
        if part.startswith("*") and part.endswith("*") and len(part) > 2:
            text.append(part[1:-1], style="bold")
        elif part.startswith("`") and part.endswith("`") and len(part) > 2:
            text.append(part[1:-1], style="cyan")
        else:
            text.append(part)
    return text


def render_blocks(
    blocks: list[dict[str, Any]], name_of: Callable[[str], str] = lambda user: user
) -> RenderableType:
    """A message's blocks as Rich renderables."""
    parts: list[RenderableType] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "header":
            parts.append(Text(plain(block["text"]["text"], name_of), style="bold magenta"))
        elif kind == "divider":
            parts.append(Rule(style="dim"))
        elif kind == "section":
            if "text" in block:
                parts.append(styled(block["text"]["text"], name_of))
            for item in block.get("fields", []):
                parts.append(styled(item["text"], name_of))
        elif kind == "context":
            words = " ".join(e.get("text", "") for e in block.get("elements", []))
            parts.append(Text(plain(words, name_of), style="dim"))
        elif kind == "actions":
            labels = "  ".join(f"[ {e['text']['text']} ]" for e in block.get("elements", []))
            parts.append(Text(labels, style="bold blue"))
    return Group(*parts)


def print_message(
    console: Console,
    title: str,
    blocks: list[dict[str, Any]],
    name_of: Callable[[str], str] = lambda user: user,
) -> None:
    """One message in a panel titled with where it goes."""
    console.print(Panel(render_blocks(blocks, name_of), title=title, title_align="left"))
