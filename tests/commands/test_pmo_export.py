"""`/pmo export` over signed requests: a PMO lead gets every table as CSV files in a zip
in their direct messages; anyone else is told who may."""

from __future__ import annotations

import csv
import io
import zipfile

from storage.export_queries import EXPORT_TABLES
from storage.models import Rag
from tests.factories import PM, TEAM, make_project
from tests.workflows.test_forecast import LEAD, workspace_settings
from workflows.status import StatusDraft, post_update

SUMMARY = 'On track, "mostly"\nsee the plan'


def portfolio(database):
    """APOLLO with one status update; ULEAD0001 is the PMO lead."""
    project = make_project(database)
    workspace_settings(database, pmo_leads=[LEAD])
    with database.session() as session:
        post_update(
            session=session,
            project=project,
            author=PM,
            draft=StatusDraft(Rag.GREEN, SUMMARY),
            now=project.created_at,
        )


def test_a_pmo_lead_gets_the_zip_in_their_dm(slack, slack_api, database):
    portfolio(database)
    slack.command("/pmo", "export", user=LEAD)
    reply = slack_api.last_reply()["text"]
    assert "is on its way to your direct messages with me" in reply
    assert f"`pmo-export-{TEAM}-2026-11-23.zip`" in reply
    [shared] = slack_api.files(slack_api.dm_channel(LEAD))
    assert shared.name == f"pmo-export-{TEAM}-2026-11-23.zip"
    with zipfile.ZipFile(io.BytesIO(shared.data)) as archive:
        assert archive.namelist() == [t.filename for t in EXPORT_TABLES]
        text = archive.read("status_updates.csv").decode("utf-8")
    [update] = list(csv.DictReader(io.StringIO(text, newline="")))
    assert (update["project_key"], update["overall_rag"], update["summary"]) == (
        "APOLLO",
        "green",
        SUMMARY,
    )
    assert update["created_at"] == "2026-11-02T09:00:00+00:00"


def test_anyone_but_a_pmo_lead_is_refused_and_told_who_may(slack, slack_api, database):
    portfolio(database)
    slack.command("/pmo", "export", user=PM)
    assert slack_api.last_reply()["text"] == (
        f"Only a PMO lead (<@{LEAD}>) can export the workspace's data."
    )
    assert slack_api.files() == []


def test_the_export_takes_no_more_words(slack, slack_api, database):
    portfolio(database)
    slack.command("/pmo", "export everything", user=LEAD)
    assert slack_api.last_reply()["text"] == "The export takes no more words: `/pmo export`."
    assert slack_api.files() == []
