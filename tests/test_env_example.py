"""`.env.example` names every setting the README's Configuration table documents and
every field of the Settings class, so a new deployment starts from a complete file."""

from __future__ import annotations

import re
from pathlib import Path

from bot.settings import Settings

ROOT = Path(__file__).resolve().parent.parent


def example_names() -> set[str]:
    lines = (ROOT / ".env.example").read_text(encoding="utf-8").splitlines()
    return {line.split("=", 1)[0] for line in lines if re.match(r"^[A-Z_]+=", line)}


def readme_names() -> set[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return {
        name
        for row in section.splitlines()
        if row.startswith("| `")
        for name in re.findall(r"`([A-Z_]+)`", row.split("|")[1])
    }


def test_every_documented_setting_is_in_env_example():
    documented = readme_names()
    assert {"SLACK_BOT_TOKEN", "DATABASE_URL", "LOG_FORMAT"} <= documented
    assert documented - example_names() == set()


def test_every_settings_field_is_in_env_example():
    assert set(Settings.model_fields) - example_names() == set()


def test_env_example_loads_as_settings(tmp_path, monkeypatch):
    for name in example_names():
        monkeypatch.delenv(name, raising=False)
    (tmp_path / ".env").write_text((ROOT / ".env.example").read_text(encoding="utf-8"))
    monkeypatch.chdir(tmp_path)
    settings = Settings()
    assert settings.DATABASE_URL == "sqlite:///pmo.db"
    assert settings.SLACK_BOT_TOKEN is None  # empty means not set
