"""`/pmo help`: every command with its short form."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    Block,
    ContextBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from commands.block_cache import blocks_built_once

# (command, what it does). Surfaces add their lines here as they ship.
COMMANDS: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Projects: /pmo",
        [
            ("/pmo help", "this list (also `/pmo` alone)"),
            ("/pmo new", "create a project (opens a form)"),
            ("/pmo list", "the workspace's projects: key, name, phase, PM"),
            ("/pmo show [KEY]", "a project's card with its people and phase"),
            ("/pmo edit [KEY]", "change a project (opens the form prefilled)"),
            ("/pmo archive KEY", "archive a finished project (`/pmo unarchive KEY` undoes it)"),
            ("/pmo types", "the project types: each one's phases, gate checklists and rule"),
            ("/pmo type new | edit NAME", "define or change a project type (PMO leads)"),
            (
                "/pmo benefits [KEY] [add]",
                "a project's expected benefits, and the form to add one; once it closes, the "
                "sponsor records the value realised",
            ),
            (
                "/pmo depends [KEY]",
                "what a project waits on and who waits on it (`/pmo depends` alone: the form)",
            ),
            (
                '/pmo depends KEY on OTHER "what" by YYYY-MM-DD',
                "KEY needs OTHER's deliverable by that day; its PM and sponsor are told if "
                "OTHER turns red or amber, moves its target date past it, or misses it",
            ),
            ("/pmo depends KEY done N", "dependency #N was delivered (`drop N`: not needed now)"),
            (
                "/pmo settings",
                "the workspace's digest, time zone, nudges and risk bands (PMO leads and admins)",
            ),
            ("/pmo pause until YYYY-MM-DD", "no nudges for you up to and including that day"),
            ("/pmo resume", "turn your nudges back on"),
            ("/pmo export", "every table as CSV files in a zip, sent to you by DM (PMO leads)"),
            (
                "/pmo api [token NAME | revoke NAME]",
                "the read-only API's tokens for BI tools: list, create (shown once) or revoke "
                "(PMO leads)",
            ),
        ],
    ),
    (
        "Status: /status",
        [
            ("/status", "post a status update (opens the form, prefilled from the last one)"),
            (
                "/status [KEY] green|amber|red|hold text [path: …] [capacity: …]",
                "post in one line; amber and red need a path to green; the team's capacity "
                "for the next two weeks is enough, stretched or short",
            ),
            ("/status KEY", "the last update"),
            ("/status history [KEY]", "the last 10 updates as a trend"),
        ],
    ),
    (
        "Risks and issues: /risk",
        [
            ("/risk", "raise a risk or an issue (opens the form)"),
            ("/risk [KEY] p4 i5 title", "raise a risk: probability and impact from 1 to 5"),
            ("/risk list [KEY]", "the project's open risks and issues by score"),
            (
                "/risk list [KEY] [kind] [open|closed|all] [owner @x] [min score N]",
                "the same, filtered",
            ),
            ("/risk mine", "the open ones you own"),
            ("/risk assume [KEY] text", "record an assumption"),
            ("/risk decide [KEY] text", "record a decision you made (the form asks for more)"),
            ("/risk heatmap [KEY]", "a 5 × 5 heat map of a project (or the portfolio) to your DMs"),
        ],
    ),
    (
        "Kudos: /kudos",
        [
            ("/kudos", "thank someone (opens the form)"),
            ("/kudos @person for what they did", "thank them in this channel; they hear of it"),
        ],
    ),
    (
        "Capacity: /capacity",
        [
            ("/capacity", "your load for the next 8 weeks and your allocations"),
            ("/capacity KEY", "the project's team, their load and its planned labour cost"),
            (
                "/capacity set @person 32h [skills backend,design] [rate 85]",
                "weekly capacity, skills and hourly cost (yourself, or anyone for PMO leads)",
            ),
            ("/capacity allocate [KEY]", "allocate someone to a project (opens the form)"),
            ("/capacity request [KEY]", "ask the PMO leads for someone with a skill (a form)"),
            ("/capacity requests", "the open requests for people"),
            ("/capacity forecast [skill]", "demand against capacity for the next 12 weeks"),
            ("/capacity bench", "people with little allocated in the next 4 weeks"),
            ("/capacity heatmap [skill]", "everyone's load as a picture (PMO leads)"),
        ],
    ),
    (
        "Goals: /goal",
        [
            ("/goal", "the strategic goals and their health (also `/goal list`)"),
            ("/goal GOAL", "a goal's projects, health, measure and check-ins"),
            ("/goal new", "create a goal with an optional measure (PMO leads; opens a form)"),
            ("/goal edit GOAL", "change a goal (its owner or a PMO lead; opens the form)"),
            ("/goal update GOAL [value] [note]", "check in the measure's latest value"),
            ("/goal link KEY GOAL [weight]", "a project serves a goal, weight 0–100"),
            ("/goal archive GOAL", "archive a goal met or dropped (`/goal unarchive GOAL`)"),
            (
                "/goal portfolio",
                "active projects ranked by goal alignment, health, remaining budget and risk, "
                "with the formula and its weights (set in `/pmo settings`)",
            ),
        ],
    ),
    (
        "Stage gates: /gate",
        [
            ("/gate [KEY]", "request the project's next gate (opens the form)"),
            ("/gate history [KEY]", "every request, decision, reminder and phase change"),
            ("/gate withdraw [KEY]", "take back a pending gate (requester, PM or sponsor)"),
        ],
    ),
    (
        "Retrospectives: /retro",
        [
            ("/retro", "your open improvement actions, each with *Close*"),
            (
                "/retro KEY",
                "start the project's retrospective: its people are asked to contribute, named "
                "or anonymous (`/retro start` in its channel)",
            ),
            ("/retro every KEY 4|off", "a retro every 4 weeks, or only at gates and closing"),
            ("/retro actions [KEY]", "the project's open actions; with no key, yours"),
            ("/retro lessons [words]", "search every project's lessons (the newest with no words)"),
        ],
    ),
]

# Said first: until a digest channel is set, the Monday digest goes nowhere.
FIRST_STEP = (
    "*New here?* Run `/pmo settings` first to set the digest channel (until one is set, "
    "the Monday digest goes nowhere), the time zone and the PMO leads; then `/pmo new` "
    "for a first project. App Home lists what is left to set up."
)
FOOTNOTE = (
    "KEY can be left out in a project's home channel: commands typed there are about that project."
)


@blocks_built_once
def help_blocks(only: str | None = None) -> list[Block]:
    """The help message, one section per surface (only the one whose title names the
    command `only`, such as "/pmo", then a pointer to the rest)."""
    blocks: list[Block] = [HeaderBlock(text="pmo-bot commands")]
    if only is None:
        blocks.append(SectionBlock(text=FIRST_STEP))
    for title, lines in COMMANDS:
        if only is not None and not title.endswith(f": {only}"):
            continue
        text = f"*{title}*\n" + "\n".join(f"`{usage}` {what}" for usage, what in lines)
        blocks.append(SectionBlock(text=text))
    note = FOOTNOTE if only is None else f"`/pmo help` lists every command. {FOOTNOTE}"
    blocks.append(ContextBlock(elements=[MarkdownTextObject(text=note)]))
    return blocks


def help_text() -> str:
    """The same help as plain text, for notifications and clients without blocks."""
    return "\n".join(usage for _, lines in COMMANDS for usage, _ in lines)
