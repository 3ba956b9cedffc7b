"""Settings come from the environment and .env, and a bad one stops the process in one line."""

from __future__ import annotations

import pytest

from bot.settings import DEFAULT_DATABASE_URL, SettingsError, load_settings

ALL = (
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_CLIENT_ID",
    "SLACK_CLIENT_SECRET",
    "SLACK_STATE_SECRET",
    "SLACK_API_URL",
    "DATABASE_URL",
    "DATABASE_POOL_SIZE",
    "PORT",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch, tmp_path):
    for name in ALL:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)


def test_defaults_are_sqlite_port_3000_and_slacks_api():
    settings = load_settings()
    assert settings.DATABASE_URL == DEFAULT_DATABASE_URL
    assert settings.PORT == 3000
    assert settings.DATABASE_POOL_SIZE == 16
    assert settings.SLACK_API_URL == "https://slack.com/api/"


def test_herokus_postgres_url_is_accepted(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgres://u:p@db.example.org:5432/pmo")
    assert load_settings().DATABASE_URL == "postgresql+psycopg://u:p@db.example.org:5432/pmo"


def test_a_dotenv_file_is_read(tmp_path):
    (tmp_path / ".env").write_text("SLACK_BOT_TOKEN=xoxb-from-dotenv\nPORT=8080\n")
    settings = load_settings()
    assert settings.SLACK_BOT_TOKEN == "xoxb-from-dotenv"
    assert settings.PORT == 8080


def test_the_environment_wins_over_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("PORT=8080\n")
    monkeypatch.setenv("PORT", "9090")
    assert load_settings().PORT == 9090


def test_the_api_url_gets_its_trailing_slash(monkeypatch):
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    assert load_settings().SLACK_API_URL == "http://127.0.0.1:9999/api/"


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("PORT", "eighty", "PORT: input should be a valid integer"),
        ("PORT", "70000", "PORT: input should be less than or equal to 65535"),
        (
            "DATABASE_POOL_SIZE",
            "0",
            "DATABASE_POOL_SIZE: input should be greater than or equal to 1",
        ),
        (
            "DATABASE_POOL_SIZE",
            "500",
            "DATABASE_POOL_SIZE: input should be less than or equal to 100",
        ),
        ("DATABASE_POOL_SIZE", "many", "DATABASE_POOL_SIZE: input should be a valid integer"),
        ("SLACK_BOT_TOKEN", "xoxp-user-token", "SLACK_BOT_TOKEN: must be a bot token"),
        ("SLACK_APP_TOKEN", "xoxb-wrong-kind", "SLACK_APP_TOKEN: must be an app-level token"),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: must be an http:// or https:// URL"),
        ("DATABASE_URL", "mysql://x@y/z", "DATABASE_URL: must be a sqlite:// or postgresql://"),
        ("DATABASE_URL", "not a url", "DATABASE_URL: must be a database URL"),
    ],
)
def test_a_malformed_setting_is_one_line_naming_it(monkeypatch, name, value, says):
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    message = str(raised.value)
    assert message.startswith(says)
    assert "\n" not in message


def test_half_an_oauth_setup_names_what_is_missing(monkeypatch):
    monkeypatch.setenv("SLACK_CLIENT_ID", "123.456")
    monkeypatch.setenv("SLACK_CLIENT_SECRET", "shh")
    with pytest.raises(SettingsError, match="SLACK_STATE_SECRET is required"):
        load_settings()


def test_serving_without_a_bot_token_names_it(monkeypatch):
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    with pytest.raises(SettingsError, match=r"^SLACK_BOT_TOKEN is not set"):
        load_settings().require_slack()


def test_http_mode_without_a_signing_secret_names_it(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    with pytest.raises(SettingsError, match=r"^SLACK_SIGNING_SECRET is not set"):
        load_settings().require_slack()


def test_socket_mode_needs_no_signing_secret(monkeypatch):
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1")
    monkeypatch.setenv("SLACK_APP_TOKEN", "xapp-1")
    settings = load_settings()
    settings.require_slack()
    assert settings.socket_mode


def test_oauth_needs_no_bot_token(monkeypatch):
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    for name in ("SLACK_CLIENT_ID", "SLACK_CLIENT_SECRET", "SLACK_STATE_SECRET"):
        monkeypatch.setenv(name, "x")
    settings = load_settings()
    settings.require_slack()
    assert settings.oauth_enabled


def test_blank_values_count_as_unset(monkeypatch):
    monkeypatch.setenv("SLACK_APP_TOKEN", "")
    assert load_settings().SLACK_APP_TOKEN is None
