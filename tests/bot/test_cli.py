"""`pmo-bot` as people run it: a real process with a real environment."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import yaml
from sqlalchemy import create_engine, inspect

from storage.schema import current_revision, head_revision
from tests.conftest import BOT_TOKEN, SIGNING_SECRET
from tests.slack_requests import SlackClient

PMO_BOT = str(Path(sys.executable).parent / "pmo-bot")


def run(*args, env=None, cwd=None, timeout=60):
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "DATABASE_URL", "PORT"))
    }
    return subprocess.run(
        [PMO_BOT, *args],
        env={**clean, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_lists_the_commands():
    result = run("--help")
    assert result.returncode == 0
    for command in ("serve", "migrate", "manifest"):
        assert command in result.stdout


def test_serve_without_a_token_says_so_in_one_line(tmp_path):
    result = run("serve", cwd=tmp_path, env={"SLACK_SIGNING_SECRET": "s"})
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "SLACK_BOT_TOKEN is not set" in lines[0]
    assert "Traceback" not in result.stderr


def test_a_malformed_port_stops_any_command_in_one_line(tmp_path):
    result = run("migrate", cwd=tmp_path, env={"PORT": "eighty"})
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "pmo-bot: PORT: input should be a valid integer, unable to parse string as an integer"
    ]


def test_migrate_creates_the_schema_on_a_fresh_sqlite_file(tmp_path):
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    result = run("migrate", cwd=tmp_path, env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    engine = create_engine(url)
    assert {"projects", "project_roles", "audit_events", "outbox"} <= set(
        inspect(engine).get_table_names()
    )
    assert current_revision(engine) == head_revision()


def test_migrate_against_an_unreachable_database_fails_in_one_line(tmp_path):
    result = run(
        "migrate", cwd=tmp_path, env={"DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    )
    assert result.returncode == 1
    assert len(result.stderr.strip().splitlines()) == 1
    assert "migration failed" in result.stderr


def test_manifest_for_http_names_the_commands_scopes_and_urls():
    result = run("manifest", "--url", "https://example.org")
    assert result.returncode == 0, result.stderr
    manifest = yaml.safe_load(result.stdout)
    commands = {c["command"]: c for c in manifest["features"]["slash_commands"]}
    assert set(commands) == {
        "/pmo",
        "/status",
        "/risk",
        "/gate",
        "/kudos",
        "/capacity",
        "/goal",
        "/retro",
    }
    assert all(c["url"] == "https://example.org/slack/events" for c in commands.values())
    settings = manifest["settings"]
    assert settings["interactivity"]["request_url"] == "https://example.org/slack/events"
    assert (
        settings["interactivity"]["message_menu_options_url"] == "https://example.org/slack/events"
    )
    assert settings["event_subscriptions"]["request_url"] == "https://example.org/slack/events"
    assert settings["socket_mode_enabled"] is False
    assert {"commands", "chat:write", "users:read", "im:write"} <= set(
        manifest["oauth_config"]["scopes"]["bot"]
    )
    assert manifest["oauth_config"]["redirect_urls"] == ["https://example.org/slack/oauth_redirect"]
    assert len(manifest["display_information"]["name"]) <= 35


def test_manifest_for_socket_mode_has_no_urls():
    result = run("manifest", "--socket-mode")
    manifest = yaml.safe_load(result.stdout)
    assert manifest["settings"]["socket_mode_enabled"] is True
    assert "url" not in result.stdout.replace("redirect_urls", "")


def test_manifest_without_a_url_says_what_to_give():
    result = run("manifest")
    assert result.returncode == 2
    assert "--url" in result.stderr


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_answers_healthz_and_slash_commands(tmp_path, slack_api):
    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "PORT": str(port),
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    process = subprocess.Popen(
        [PMO_BOT, "serve", "--no-scheduler"],
        env={**clean, **env},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    slack = SlackClient(
        app_url=f"http://127.0.0.1:{port}",
        signing_secret=SIGNING_SECRET,
        api=slack_api,
        settle=lambda: None,
        team_id=slack_api.team_id,
    )
    try:
        deadline = time.monotonic() + 30
        while True:  # waiting for a process to start listening, not for app time to pass
            try:
                reply = slack.raw("GET", "/healthz")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    pytest.fail(
                        "serve did not start:\n" + (process.stdout.read() if process.stdout else "")
                    )
                time.sleep(0.1)
        assert reply.status == 200
        assert slack.command("/pmo", "help", user="UPM000001").status == 200
        deadline = time.monotonic() + 10
        while not slack_api.ephemeral_replies() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "/pmo new" in str(slack_api.last_reply()["blocks"])
    finally:
        process.terminate()
        process.wait(timeout=20)


def test_serve_runs_the_scheduler_in_process_and_gives_its_lease_back(tmp_path, slack_api):
    import sqlite3

    port = free_port()
    env = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_API_URL": slack_api.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'served.db'}",
        "PORT": str(port),
    }
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SLACK_")}
    process = subprocess.Popen(
        [PMO_BOT, "serve"],
        env={**clean, **env},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    database = tmp_path / "served.db"
    try:
        deadline = time.monotonic() + 30
        held = []
        while not held and time.monotonic() < deadline:  # waiting for the worker to boot
            try:
                with sqlite3.connect(database) as connection:
                    held = connection.execute("SELECT holder FROM scheduler_leases").fetchall()
            except sqlite3.OperationalError:
                pass
            time.sleep(0.1)
        assert held, "serve never took the scheduler lease"
    finally:
        process.terminate()
        process.communicate(timeout=60)
    with sqlite3.connect(database) as connection:
        [(expires,)] = connection.execute("SELECT expires_at FROM scheduler_leases").fetchall()
    assert expires.startswith("1970")


def scheduler_env(tmp_path, slack_api, metrics_port):
    return {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": slack_api.url,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'worker.db'}",
        "METRICS_PORT": str(metrics_port),
    }


def test_the_scheduler_serves_its_metrics_and_health_on_metrics_port(tmp_path, slack_api):
    import urllib.request

    port = free_port()
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "PORT"))}
    process = subprocess.Popen(
        [PMO_BOT, "scheduler"],
        env={**clean, **scheduler_env(tmp_path, slack_api, port)},
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        scraped = ""
        while "pmo_scheduler_leader 1.0" not in scraped and time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics") as answer:
                    scraped = answer.read().decode()
            except OSError:
                time.sleep(0.1)
        # The worker's own counters, and the outbox read from the database.
        assert "pmo_scheduler_leader 1.0" in scraped
        assert "pmo_outbox_depth 0.0" in scraped
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz") as answer:
            assert answer.status == 200
    finally:
        process.terminate()
        output, _ = process.communicate(timeout=60)
    assert f"/metrics and /healthz on port {port}" in output
    assert f"pmo-bot: database SQLite file {tmp_path / 'worker.db'}" in output


def test_a_metrics_port_in_use_stops_the_scheduler_in_one_line(tmp_path, slack_api):
    with socket.socket() as taken:
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("scheduler", cwd=tmp_path, env=scheduler_env(tmp_path, slack_api, port))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"pmo-bot: METRICS_PORT {port} cannot be served"), result.stderr
