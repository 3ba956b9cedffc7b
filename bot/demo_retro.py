"""The demo's retrospective: APOLLO's, summarised last week, and what it left behind.

Stored as rows (the `/retro` workflows are their own surface): contributions named and
anonymous, two actions (one done, one overdue) and two lessons, so the digest's Learning
section has something to measure.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from storage.db import Database
from storage.models import (
    ActionStatus,
    Lesson,
    Project,
    Retro,
    RetroAction,
    RetroItem,
    RetroItemKind,
    RetroStatus,
)

# kind, text, author (None: anonymous)
ITEMS = [
    (RetroItemKind.WENT_WELL, "The launch rehearsal caught two blockers early.", "U0DEMO007"),
    (RetroItemKind.DID_NOT, "Vendor API changes reached us a week late.", None),
    (RetroItemKind.DID_NOT, "Status updates slipped during the release week.", "U0DEMO008"),
    (RetroItemKind.IDEA, "A shared calendar of vendor releases.", None),
]


def seed_retro(database: Database, project: Project, now: datetime) -> None:
    """`project`'s retrospective, opened ten days before `now` and summarised three days
    before it, with its items, actions and lessons."""
    assert project.id is not None
    team_id, pm = project.team_id, project.created_by
    opened, summarised = now - timedelta(days=10), now - timedelta(days=3)
    with database.session() as session:
        retro = Retro(
            team_id=team_id,
            project_id=project.id,
            number=1,
            reason="gate",
            facilitator=pm,
            opened_at=opened,
            closes_at=summarised,
            status=RetroStatus.SUMMARISED,
            summarised_at=summarised,
        )
        session.add(retro)
        session.flush()
        items = [
            RetroItem(
                team_id=team_id,
                retro_id=retro.id or 0,
                kind=kind,
                text=text,
                author=author,
                given_on=(opened + timedelta(days=1)).date(),
            )
            for kind, text, author in ITEMS
        ]
        session.add_all(items)
        session.flush()
        for title, owner, due, done, item in (
            ("Ask the vendor for release notes a month ahead", "U0DEMO007", 6, True, items[1]),
            ("Post status on release day from the war room", "U0DEMO008", 1, False, items[2]),
        ):
            session.add(
                RetroAction(
                    team_id=team_id,
                    project_id=project.id,
                    retro_id=retro.id or 0,
                    item_id=item.id,
                    title=title,
                    owner=owner,
                    due_on=(now - timedelta(days=due)).date(),
                    status=ActionStatus.DONE if done else ActionStatus.OPEN,
                    outcome="Agreed in the vendor review." if done else "",
                    created_by=pm,
                    created_at=summarised,
                    closed_at=now - timedelta(days=2) if done else None,
                )
            )
        session.add_all(
            Lesson(
                team_id=team_id,
                project_id=project.id,
                item_id=item.id,
                title=title,
                what_happened=item.text,
                recommendation=recommendation,
                tags=tags,
                created_by=pm,
                created_at=summarised,
            )
            for title, recommendation, tags, item in (
                (
                    "Rehearse the launch",
                    "Hold a full rehearsal a week before any launch.",
                    ["launch", "testing"],
                    items[0],
                ),
                (
                    "Track vendor releases",
                    "Ask vendors for release notes a month ahead.",
                    ["vendor"],
                    items[1],
                ),
            )
        )
