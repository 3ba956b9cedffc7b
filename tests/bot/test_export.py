"""`pmo-bot export --to DIR`, run as a PMO analyst runs it, on SQLite and PostgreSQL: one
CSV per table, read back with the csv module."""

from __future__ import annotations

import csv
import json
from datetime import UTC, datetime

import pytest

from storage.export_queries import EXPORT_TABLES
from storage.models import Rag, Verdict
from tests.bot.test_cli import run
from tests.factories import APPROVER, MEMBER, OTHER_TEAM, PM, SPONSOR, TEAM, make_project
from workflows.acknowledgements import acknowledge
from workflows.actor import Actor
from workflows.gate_decisions import decide
from workflows.gates import GateDraft, store_request
from workflows.retros import Contribution, contribute, start_retro
from workflows.risk_changes import start_mitigating
from workflows.risks import RiskDraft, raise_risk
from workflows.status import StatusDraft, post_update

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LATER = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)
TRICKY = 'Vendor slipped, "badly" — again;\nsecond line, 100 % sure'
SECRET = "Nobody listens in stand-ups"


def seed(database):
    """A project with a status update, a risk raised then mitigated, a gate with one
    decision, an acknowledgement, and an anonymous retro item; and a second workspace."""
    project = make_project(database, now=NOW)
    make_project(database, team_id=OTHER_TEAM, key="ZEUS", now=NOW)
    with database.session() as session:
        update = post_update(
            session=session,
            project=project,
            author=PM,
            draft=StatusDraft(Rag.AMBER, TRICKY, schedule=Rag.RED, path_to_green="Daily calls"),
            now=NOW,
        ).update
    with database.session() as session:
        risk = raise_risk(
            session=session,
            actor=Actor(TEAM, PM),
            key="APOLLO",
            draft=RiskDraft("Vendor may slip", 4, 5, description=TRICKY, owner=MEMBER),
            now=NOW,
        ).risk
    with database.session() as session:
        start_mitigating(session=session, actor=Actor(TEAM, PM), risk_id=risk.id, now=LATER)
        gate = store_request(
            session=session,
            project=project,
            requester=PM,
            draft=GateDraft(evidence='Plan signed, see "v2"', ticked=[0, 1, 2]),
            now=NOW,
        ).gate
    with database.session() as session:
        decide(
            session=session,
            actor=Actor(TEAM, APPROVER),
            gate_id=gate.id,
            verdict=Verdict.APPROVE,
            reason="Fine, go",
            now=LATER,
        )
        acknowledge(
            session=session,
            actor=Actor(TEAM, SPONSOR),
            update_id=update.id,
            comment="Thanks,\nnoted",
            now=LATER,
        )
    with database.session() as session:
        retro = start_retro(session=session, actor=Actor(TEAM, PM), key="APOLLO", now=NOW).retro
    with database.session() as session:
        contribute(
            session=session,
            actor=Actor(TEAM, MEMBER),
            retro_id=retro.id,
            contribution=Contribution(did_not=SECRET, anonymous=True),
            now=NOW,
        )


def export(database, directory, *args):
    env = {"DATABASE_URL": database.url, "LOG_LEVEL": "WARNING", "COLUMNS": "200"}
    cwd = next(parent for parent in directory.parents if parent.exists())
    return run("export", "--to", str(directory), *args, env=env, cwd=cwd)


def read(directory, name):
    with (directory / f"{name}.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))


def export_seeded(database, directory):
    seed(database)
    result = export(database, directory, "--team", TEAM)
    assert result.returncode == 0, result.stderr
    return directory, result


@pytest.fixture(scope="module")
def exports_made():
    # The tests that only read the files share one export per database kind (in each test
    # process): seeding and a `pmo-bot` process cost seconds each.
    return {}


@pytest.fixture
def exported(database, exports_made, tmp_path_factory):
    """The seeded workspace's export (files and the command's result), to read only."""
    if database.backend not in exports_made:
        folder = tmp_path_factory.mktemp(f"export-{database.backend}")
        exports_made[database.backend] = export_seeded(database, folder / "out" / "nested")
    return exports_made[database.backend]


def test_one_csv_per_table_with_a_summary_of_rows(exported):
    directory, result = exported
    assert sorted(p.name for p in directory.iterdir()) == sorted(t.filename for t in EXPORT_TABLES)
    assert "Workspace T0PMO0001" in result.stdout
    assert "status_updates.csv" in result.stdout and "17 CSV files" in result.stdout
    assert not (directory / "retro_items.csv").exists()


def test_headers_name_the_project_key_and_each_dimensions_colour(exported):
    directory, _ = exported
    with (directory / "status_updates.csv").open(encoding="utf-8", newline="") as stream:
        header = next(csv.reader(stream))
    assert header[:3] == ["update_id", "project_id", "project_key"]
    for column in ("overall_rag", "schedule_rag", "scope_rag", "budget_rag", "resources_rag"):
        assert column in header
    [update] = read(directory, "status_updates")
    assert (update["project_key"], update["overall_rag"], update["schedule_rag"]) == (
        "APOLLO",
        "amber",
        "red",
    )
    assert update["current"] == "true"


def test_text_with_commas_quotes_and_newlines_round_trips_exactly(exported):
    directory, _ = exported
    assert read(directory, "status_updates")[0]["summary"] == TRICKY
    assert read(directory, "risks")[0]["description"] == TRICKY
    assert read(directory, "gates")[0]["evidence"] == 'Plan signed, see "v2"'
    assert read(directory, "acknowledgements")[0]["comment"] == "Thanks,\nnoted"


def test_moments_carry_their_offset_and_amounts_their_digits(exported):
    directory, _ = exported
    [project] = read(directory, "projects")
    assert project["created_at"] == "2026-11-25T12:00:00+00:00"
    assert (project["start_date"], project["budget"]) == ("2026-09-01", "250000.00")
    assert read(directory, "status_updates")[0]["created_at"] == "2026-11-25T12:00:00+00:00"
    [decision] = read(directory, "gate_decisions")
    assert decision["decided_at"] == "2026-11-26T09:30:00+00:00"
    assert (decision["approver"], decision["verdict"], decision["reason"]) == (
        APPROVER,
        "approve",
        "Fine, go",
    )


def test_risks_as_they_stand_and_their_history_from_the_audit_trail(exported):
    directory, _ = exported
    [risk] = read(directory, "risks")
    assert {k: risk[k] for k in ("project_key", "kind", "score", "owner", "status")} == {
        "project_key": "APOLLO",
        "kind": "risk",
        "score": "20",
        "owner": MEMBER,
        "status": "mitigating",
    }
    history = read(directory, "risks_history")
    assert [(h["action"], h["risk_id"], h["project_key"]) for h in history] == [
        ("risk.raised", risk["risk_id"], "APOLLO"),
        ("risk.mitigating", risk["risk_id"], "APOLLO"),
    ]
    assert json.loads(history[0]["detail"])["label"] == "APOLLO-R1"
    assert history[1]["at"] == "2026-11-26T09:30:00+00:00"


def test_the_audit_trail_has_its_detail_as_json(exported):
    directory, _ = exported
    events = read(directory, "audit_events")
    assert events and all(isinstance(json.loads(e["detail"]), dict) for e in events)
    actions = [e["action"] for e in events]
    assert {"project.created", "gate.requested", "risk.raised", "retro.started"} <= set(actions)
    [created] = [e for e in events if e["action"] == "project.created"]
    assert (created["actor"], created["entity"], created["at"]) == (
        PM,
        "project",
        "2026-11-25T12:00:00+00:00",
    )


def test_an_anonymous_retro_item_leaves_no_author_in_the_export(exported):
    directory, _ = exported
    texts = {p.name: p.read_text(encoding="utf-8") for p in directory.iterdir()}
    assert not [name for name, text in texts.items() if SECRET in text]
    assert "retro.contributed" not in texts["audit_events.csv"]


def test_one_workspace_only(exported):
    directory, _ = exported
    for table in EXPORT_TABLES:
        text = (directory / table.filename).read_text(encoding="utf-8")
        assert "ZEUS" not in text and OTHER_TEAM not in text, table.filename


def test_several_workspaces_need_a_team_and_an_unknown_one_is_named(database, tmp_path):
    seed(database)
    several = export(database, tmp_path / "a")
    assert several.returncode == 1
    assert f"holds 2 workspaces: {OTHER_TEAM}, {TEAM}" in several.stderr
    unknown = export(database, tmp_path / "b", "--team", "T0NOPE001")
    assert unknown.returncode == 1
    assert "no workspace T0NOPE001 in this database" in unknown.stderr
    assert "Traceback" not in several.stderr + unknown.stderr
    assert not (tmp_path / "b").exists()


def test_existing_files_are_kept_unless_forced(database, tmp_path):
    directory, _ = export_seeded(database, tmp_path / "out" / "nested")
    (directory / "projects.csv").write_text("mine", encoding="utf-8")
    again = export(database, directory, "--team", TEAM)
    assert again.returncode == 1
    assert "already has projects.csv" in again.stderr and "--force" in again.stderr
    assert (directory / "projects.csv").read_text(encoding="utf-8") == "mine"
    forced = export(database, directory, "--team", TEAM, "--force")
    assert forced.returncode == 0, forced.stderr
    assert read(directory, "projects")[0]["project_key"] == "APOLLO"
