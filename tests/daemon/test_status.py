"""``sentinel daemon status`` names the daemon running each job now and its lease."""

from __future__ import annotations

import re
from datetime import UTC, timedelta
from pathlib import Path

import time_machine
from click.testing import CliRunner

from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.config.loader import Config
from sentinel.daemon.ledger import RunLedger
from sentinel.store import open_store

from .conftest import london


def status(config_dir: Path) -> str:
    result = CliRunner().invoke(
        main, ["daemon", "status", "-C", str(config_dir)], env={"COLUMNS": "250"}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_status_shows_the_holder_of_a_running_job_and_its_lease(
    aws: SessionFactory, config: Config, config_dir: Path
) -> None:
    ledger = RunLedger(open_store(config), holder="host-a:101:a0a0", lease=timedelta(seconds=45))
    with time_machine.travel(london(10, 9, 0, 1), tick=False) as clock:
        ledger.claim("cost-report", "2026-03-10", scheduled=london(10, 9).astimezone(UTC))
        live = status(config_dir)
        clock.shift(timedelta(minutes=1))
        passed = status(config_dir)
    assert re.search(r"cost-report\s.*│ host-a:101:a0a0 \(lease until 09:00:46 UTC\)", live)
    assert re.search(r"anomaly-scan\s.*│ -\s+│", live)
    assert "host-a:101:a0a0 (lease passed at 09:00:46 UTC)" in passed


def test_a_lease_shorter_than_a_second_is_refused(config_dir: Path) -> None:
    result = CliRunner().invoke(main, ["daemon", "--lease", "0.5", "-C", str(config_dir)])
    assert result.exit_code == 1
    assert "Invalid value for '--lease': 0.5 is not in the range x>=1." in result.output
    assert "Traceback" not in result.output
