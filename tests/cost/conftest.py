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


@pytest.fixture
def today() -> Iterator[date]:
    """Today (UTC), the same for the whole test: the clock is set to noon of it and runs on from
    there, so a test that starts before midnight and ends after it sees one day."""
    day = datetime.now(UTC).date()
    with time_machine.travel(datetime.combine(day, time(12), tzinfo=UTC), tick=True):
        yield day


@pytest.fixture
def bill(aws: object, today: date) -> CostTable:
    """120 days of the synthetic bill in the emulated Cost Explorer, up to yesterday."""
    table = make_bill(today)
    load_cost_table(table)
    return table


@pytest.fixture(scope="session")
def filled_store_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose cache already holds what yesterday's report needs from the bill.

    Tests of delivery and rendering start from it, so that only the cache tests pay for the
    Cost Explorer requests of a cold cache.
    """
    import boto3
    from moto import mock_aws

    from sentinel.aws.session import SessionFactory
    from sentinel.cost.runs import run_report

    path = tmp_path_factory.mktemp("filled") / "store.db"
    today = datetime.now(UTC).date()
    with mock_aws():
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"))
        load_cost_table(make_bill(today))
        config = load_config(write_config(tmp_path_factory.mktemp("filled-config")))
        run_report(config, factory, Store(f"sqlite:///{path}"), deliver=False)
    return path


@pytest.fixture
def warm_store(filled_store_file: Path, tmp_path: Path) -> Iterator[Store]:
    """A copy of the filled store: yesterday's report needs no Cost Explorer request."""
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
