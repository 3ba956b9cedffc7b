"""The code passes ruff's checks and formatting, as CI would ask."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def ruff(*args):
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_check_passes():
    result = ruff("check", ".")
    assert result.returncode == 0, result.stdout


def test_ruff_format_check_passes():
    result = ruff("format", "--check", ".")
    assert result.returncode == 0, result.stdout
