"""`pip install .` (not editable) gives a working pmo-bot: the wheel carries the templates
and the migrations, and the installed command runs from anywhere."""

from __future__ import annotations

import os
import shutil
import site
import subprocess
import sys
from pathlib import Path

import pytest

from storage.schema import head_revision

ROOT = Path(__file__).resolve().parent.parent
SOURCES = ["pyproject.toml", "README.md", "bot", "commands", "workflows", "storage"]

pytestmark = pytest.mark.packaging


def run(*command, cwd=None, env=None):
    result = subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """A fresh virtualenv with only the wheel of this tree installed; its dependencies are
    the test environment's (no network)."""
    folder = tmp_path_factory.mktemp("packaging")
    source = folder / "source"  # a copy: building leaves build/ and *.egg-info behind
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(
                ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
            )
        else:
            source.mkdir(exist_ok=True)
            shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]
    run(*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", folder, source)
    [wheel] = folder.glob("pmo_bot-*.whl")
    venv = folder / "venv"
    run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    purelib = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))")
    # Paths only: the test environment's own .pth files (its editable pmo-bot) stay unread.
    Path(purelib.stdout.strip(), "test-dependencies.pth").write_text(
        "\n".join(site.getsitepackages()) + "\n"
    )
    run(*pip, "--python", python, "install", "--no-deps", "--no-index", wheel)
    return venv


def env_for(url):
    clean = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("SLACK_", "DATABASE_URL", "PORT", "PYTHONPATH", "TEMPLATES_DIR"))
    }
    return {**clean, "DATABASE_URL": url}


def test_the_installed_package_is_the_wheel_not_this_tree(installed, tmp_path):
    found = run(
        installed / "bin" / "python",
        "-c",
        "import commands; print(commands.__file__)",
        cwd=tmp_path,  # not this tree, which Python would look in first
        env=env_for("sqlite://"),
    )
    assert Path(found.stdout.strip()).is_relative_to(installed)


def test_the_installed_command_migrates_and_runs_the_demo_from_anywhere(installed, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    migrated = run(installed / "bin" / "pmo-bot", "migrate", cwd=elsewhere, env=env_for(url))
    assert f"Database is at migration {head_revision()}" in migrated.stdout
    demo = run(installed / "bin" / "pmo-bot", "demo", cwd=elsewhere, env=env_for(url))
    for text in ("PMO digest", "Portfolio health", "Top risks", "Participation"):
        assert text in demo.stdout
