"""Fixtures of the daemon tests: a project, its store, a clock in the project's time zone."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from cost.project import write_config
from cost.slack_standin import SlackStandIn, slack_standin
from sentinel.config import load_config
from sentinel.config.loader import Config
from sentinel.delivery import slack as slack_module
from sentinel.delivery.slack import BASE_URL_ENV
from sentinel.emulator.extensions import install
from sentinel.store import Store

LONDON = ZoneInfo("Europe/London")


def london(day: int, hour: int, minute: int = 0, second: float = 0.0) -> datetime:
    """A moment of March 2026 in the project's time zone (GMT then)."""
    whole = int(second)
    return datetime(2026, 3, day, hour, minute, whole, int((second - whole) * 1e6), tzinfo=LONDON)


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the daemon")
        time.sleep(0.02)


@pytest.fixture(autouse=True, scope="session")
def emulator_extensions() -> None:
    install()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return write_config(tmp_path / "config")


@pytest.fixture
def config(config_dir: Path) -> Config:
    return load_config(config_dir)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'store.db'}")
    # Created now (its migrations run once), not inside a test's timed moment.
    opened.ensure([])
    yield opened
    opened.dispose()


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackStandIn]:
    monkeypatch.setattr(slack_module, "RETRY_INTERVAL", FixedValueRetryIntervalCalculator(0.01))
    with slack_standin() as standin:
        monkeypatch.setenv(BASE_URL_ENV, standin.base_url)
        monkeypatch.setenv("TEST_SLACK_TOKEN", "xoxb-test-token-never-shown")
        yield standin
