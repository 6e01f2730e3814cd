"""The demo's cost steps, against the emulator's server holding the demo account's costs."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from rich.console import Console

from sentinel.cli import main
from sentinel.demo import cost
from sentinel.demo.runner import Action, Command, DemoContext
from sentinel.emulator.demo import DEMO_ANOMALIES
from sentinel.emulator.demo.costs import cost_history
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.emulator.server import EmulatorServer, start_server

ROOT = Path(__file__).resolve().parents[2]  # the P2P Sandbox configuration


@pytest.fixture
def emulator(today: date) -> Iterator[EmulatorServer]:
    """The demo account's costs up to ``today``, the clock held there for the whole test."""
    with start_server(port=0, seed=False) as server:
        load_cost_table(cost_history(today, "123456789012"), "123456789012")
        yield server


def test_demo_steps_print_the_report_find_the_anomalies_and_run_the_job(
    emulator: EmulatorServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("sentinel.yaml", "alarms", "budgets", "dashboards", "monitors"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, tmp_path / name)
    monkeypatch.chdir(tmp_path)
    env = {**emulator.env(), "SLACK_BOT_TOKEN": "demo-slack-bot-token", "COLUMNS": "160"}
    context = DemoContext(Console(record=True), tmp_path, emulator.endpoint_url, env)
    outputs = []
    for step in cost.STEPS:
        if isinstance(step, Action):
            step.run(context)
            continue
        assert isinstance(step, Command)
        result = CliRunner().invoke(main, step.args, env=context.env)
        assert result.exit_code in step.ok_codes, result.output
        outputs.append(result.output)
    report, anomalies, once, status = outputs

    assert "SLACK_BOT_TOKEN" not in context.env
    assert "p2p: AWS cost for" in report and "Month-end forecast:" in report
    # The emulator has no GetCostForecast; on the 1st, yesterday closed its month.
    shown = re.search(r"AWS cost for \w{3} (\d{2} \w{3} \d{4})", report)
    assert shown, report
    closed = (datetime.strptime(shown[1], "%d %b %Y") + timedelta(days=1)).day == 1
    assert ("month complete" if closed else "Sentinel projection") in report
    assert "Wrote report.html" in report
    assert "data:image/png;base64," in (tmp_path / "report.html").read_text()
    for seeded in DEMO_ANOMALIES:
        assert seeded.usage_type in anomalies
    assert "cost-report (" in once and "): succeeded: report for" in once
    assert "cost-report" in status and "succeeded" in status
