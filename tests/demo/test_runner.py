"""``sentinel demo -C DIR`` runs the main job on any configuration, not only the root one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]


# The demo runs `sentinel route`, whose timed waits hang under libfaketime.
@pytest.mark.real_clock
@pytest.mark.parametrize("example", ["calculator", "ips"])
def test_the_demo_runs_on_an_example_configuration(
    example: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(os.environ):
        if name.startswith(("CALCAPP_", "IPS_", "P2P_", "SLACK_")):
            monkeypatch.delenv(name)
    # A copy: the demo writes its report and store where it runs, as it does for a user.
    config_dir = tmp_path / example
    shutil.copytree(REPOSITORY / "examples" / example, config_dir)

    # As a user runs it (and in a process of its own: one emulator a process).
    result = subprocess.run(
        [sys.executable, "-m", "sentinel", "demo", "-C", str(config_dir)],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "120"},
        timeout=900,
        check=False,
    )

    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert f"project {example if example != 'calculator' else 'calcapp'} is valid" in out
    assert "Apply complete:" in out
    assert "No changes. AWS matches the configuration." in out
    assert "Drift: 1 resource(s) differ from the configuration." in out, out
    assert "Demo finished" in out
    assert "Traceback" not in out
