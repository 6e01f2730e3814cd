"""Fixtures of the cost tests: a config directory, a store, a bill in Cost Explorer, Slack."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest
import time_machine
from slack_sdk.http_retry.builtin_interval_calculators import FixedValueRetryIntervalCalculator

from sentinel.config import load_config
from sentinel.config.loader import Config
from sentinel.delivery import slack as slack_module
from sentinel.delivery.slack import BASE_URL_ENV
from sentinel.emulator.cost_table import CostTable
from sentinel.emulator.extensions import install
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store

from .bills import bill as make_bill
from .project import SLACK_TOKEN, write_config
from .slack_standin import SlackStandIn, slack_standin


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
    yield opened
    opened.dispose()


@pytest.fixture(scope="session")
def cost_day() -> date:
    """The day the cost tests of this session run on: the day (UTC) the session started."""
    return datetime.now(UTC).date()


def held_at(day: date) -> time_machine.travel:
    """The clock at noon of ``day``, running on from there: a test that starts before midnight
    and ends after it still sees one day."""
    return time_machine.travel(datetime.combine(day, time(12), tzinfo=UTC), tick=True)


@pytest.fixture
def today(cost_day: date) -> Iterator[date]:
    """Today, the same for the whole test and for the filled store: the session's day."""
    with held_at(cost_day):
        yield cost_day


@pytest.fixture
def bill(aws: object, today: date) -> CostTable:
    """120 days of the synthetic bill in the emulated Cost Explorer, up to yesterday."""
    table = make_bill(today)
    load_cost_table(table)
    return table


@pytest.fixture(scope="session")
def filled_store_file(tmp_path_factory: pytest.TempPathFactory, cost_day: date) -> Path:
    """A store whose cache already holds what yesterday's report needs from the bill.

    Tests of delivery and rendering start from it, so that only the cache tests pay for the
    Cost Explorer requests of a cold cache.
    """
    import boto3
    from moto import mock_aws

    from sentinel.aws.session import SessionFactory
    from sentinel.cost.runs import run_report

    path = tmp_path_factory.mktemp("filled") / "store.db"
    with held_at(cost_day), mock_aws():
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"))
        load_cost_table(make_bill(cost_day))
        config = load_config(write_config(tmp_path_factory.mktemp("filled-config")))
        run_report(config, factory, Store(f"sqlite:///{path}"), deliver=False)
    return path


@pytest.fixture
def warm_store(filled_store_file: Path, tmp_path: Path, today: date) -> Iterator[Store]:
    """A copy of the filled store: yesterday's report needs no Cost Explorer request (on the
    day it was filled, which ``today`` holds)."""
    copy = tmp_path / "warm.db"
    shutil.copy(filled_store_file, copy)
    opened = Store(f"sqlite:///{copy}")
    yield opened
    opened.dispose()


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackStandIn]:
    # Retries as in production, with short waits.
    monkeypatch.setattr(slack_module, "RETRY_INTERVAL", FixedValueRetryIntervalCalculator(0.01))
    with slack_standin() as standin:
        monkeypatch.setenv(BASE_URL_ENV, standin.base_url)
        monkeypatch.setenv("TEST_SLACK_TOKEN", SLACK_TOKEN)
        yield standin
