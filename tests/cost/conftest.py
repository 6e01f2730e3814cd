"""Fixtures of the cost tests: a config directory, a store, a bill in Cost Explorer, Slack."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from sentinel.config import load_config
from sentinel.config.loader import Config
from sentinel.cost.slack import BASE_URL_ENV
from sentinel.emulator.cost_table import CostTable
from sentinel.emulator.extensions import install
from sentinel.emulator.extensions.costexplorer import load_cost_table
from sentinel.store import Store

from .bills import bill as make_bill
from .slack_standin import SlackStandIn, slack_standin

SLACK_TOKEN = "xoxb-test-token-never-shown"

PROJECT = """\
project: shop
timezone: Europe/London
"""
ROUTING = """\
severities:
  warning:
    notify:
      - slack: {channel: "#shop-alerts", token: env:TEST_SLACK_TOKEN}
"""
MONITORS = """\
cost_report:
  schedule: "0 9 * * *"
  slack: {channel: "#shop-finops", token: env:TEST_SLACK_TOKEN}
  top_services: 4
  group_by_tags: [Environment, Service, CostCenter]
anomaly_detection:
  schedule: "30 8 * * *"
  min_impact: 50 USD
  min_percent: 20%
  severity: warning
"""
BUDGETS = """\
budgets:
  - name: total
    amount: 4000 USD
    alerts: [80%, 100%]
    notify: [warning]
  - name: production
    amount: 2000 USD
    filters: {tags: {Environment: production}}
    alerts: [100%]
    notify: [warning]
  - name: compute
    amount: 1500 USD
    filters: {services: ["Amazon Elastic Compute Cloud - Compute"]}
    alerts: [90%]
    notify: [warning]
  - name: boxes
    amount: 100 USD
    filters: {usage_types: ["BoxUsage:m5.large"]}
    alerts: [100%]
    notify: [warning]
tagging:
  required:
    - key: Environment
      values: [production, staging, dev]
      case: lower
    - key: Service
      values: [backend, frontend, database, storage]
    - key: Owner
      pattern: "^team-[a-z]+$"
    - key: CostCenter
      pattern: "^[a-z]+-[0-9]+$"
"""


def write_config(root: Path, monitors: str = MONITORS, budgets: str = BUDGETS) -> Path:
    (root / "alarms").mkdir(parents=True, exist_ok=True)
    (root / "monitors").mkdir(exist_ok=True)
    (root / "budgets").mkdir(exist_ok=True)
    (root / "sentinel.yaml").write_text(PROJECT)
    (root / "alarms" / "routing.yaml").write_text(ROUTING)
    (root / "monitors" / "cost.yaml").write_text(monitors)
    (root / "budgets" / "budgets.yaml").write_text(budgets)
    return root


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
def today() -> date:
    return datetime.now(UTC).date()


@pytest.fixture
def bill(aws: object, today: date) -> CostTable:
    """120 days of the synthetic bill in the emulated Cost Explorer, up to yesterday."""
    table = make_bill(today)
    load_cost_table(table)
    return table


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackStandIn]:
    with slack_standin() as standin:
        monkeypatch.setenv(BASE_URL_ENV, standin.base_url)
        monkeypatch.setenv("TEST_SLACK_TOKEN", SLACK_TOKEN)
        yield standin
