"""``sentinel demo -C DIR`` runs the main job on any configuration, not only the root one."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from sentinel.demo.runner import run_demo

REPOSITORY = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("example", ["calculator", "ips"])
def test_the_demo_runs_on_an_example_configuration(
    example: str,
    tmp_path: Path,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in list(os.environ):
        if name.startswith(("CALCAPP_", "IPS_", "P2P_", "SLACK_")):
            monkeypatch.delenv(name)
    # A copy: the demo writes its report and store where it runs, as it does for a user.
    config_dir = tmp_path / example
    shutil.copytree(REPOSITORY / "examples" / example, config_dir)

    run_demo(config_dir)  # raises SentinelError when a step exits with a code it does not expect

    out = capfd.readouterr().out
    assert f"project {example if example != 'calculator' else 'calcapp'} is valid" in out
    assert "Apply complete:" in out
    assert "No changes. AWS matches the configuration." in out
    assert "Drift: 1 resource(s) differ from the configuration." in out
    assert "Demo finished" in out
    assert "Traceback" not in out
