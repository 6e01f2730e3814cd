"""Every configuration of the repository (the root P2P Sandbox and examples/*) applies with its
dashboards and budgets, and a second plan is empty: nothing Sentinel writes reads back different.

One emulated account holds the demo account's resources, so that templated rows and lines
expand; the projects' prefixes keep their resources apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest
from moto import mock_aws

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.emulator.demo.resources import create_resources
from sentinel.emulator.extensions import install
from sentinel.sync.context import SyncContext
from sentinel.sync.dashboards import desired_bodies
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action

REPOSITORY = Path(__file__).parents[2]
CONFIGS = [REPOSITORY, *sorted(p.parent for p in (REPOSITORY / "examples").glob("*/sentinel.yaml"))]
SECRETS = {
    "P2P_PAGERDUTY_KEY": "pd0123456789abcdef0123456789abcd",
    "CAJA_PAGERDUTY_KEY": "pd0123456789abcdef0123456789abcd",
    "CALCAPP_PAGERDUTY_KEY": "pd0123456789abcdef0123456789abcd",
    "CHAT_PAGERDUTY_KEY": "pd0123456789abcdef0123456789abcd",
    "CAJA_PAGERDUTY_API_TOKEN": "u+0123456789abcdefgh",
    "CAJA_SLACK_TOKEN": "xoxb-0000-0000-test",
    "CALCAPP_SLACK_TOKEN": "xoxb-0000-0000-test",
    "CHAT_SLACK_TOKEN": "xoxb-0000-0000-test",
    "SLACK_BOT_TOKEN": "xoxb-0000-0000-test",
}


@pytest.fixture(scope="module")
def account() -> Iterator[SessionFactory]:
    with mock_aws():
        install()
        factory = SessionFactory(session=boto3.Session(region_name="us-east-1"), region="us-east-1")
        create_resources(factory)
        yield factory


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SECRETS.items():
        monkeypatch.setenv(name, value)


def _context(factory: SessionFactory, root: Path) -> SyncContext:
    config = load_config(root)
    return SyncContext(config=config, factory=factory, region=config.project.regions[0])


def test_the_five_configurations_are_here() -> None:
    assert [p.name for p in CONFIGS[1:]] == ["caja", "calculator", "chat", "ips"]


@pytest.mark.parametrize("root", CONFIGS, ids=lambda p: p.name if p != REPOSITORY else "p2p")
def test_applies_with_dashboards_and_budgets_and_converges(
    account: SessionFactory, root: Path
) -> None:
    ctx = _context(account, root)
    first = plan(ctx)
    created = {c.kind for c in first.changes if c.action is Action.CREATE}
    assert {"dashboard", "budget"} <= created
    report = apply(ctx, first)
    assert report.ok, [(r.change.key, r.error) for r in report.failed]

    again = plan(_context(account, root))
    assert again.is_empty, [(c.kind, c.key, c.fields) for c in again.changes]

    cloudwatch = account.client("cloudwatch", region=ctx.region)
    for change in first.changes:
        if change.kind == "dashboard":
            stored = cloudwatch.get_dashboard(DashboardName=change.key)["DashboardBody"]
            assert json.loads(stored) == json.loads(change.desired.payload["DashboardBody"])
    budgets = account.client("budgets").describe_budgets(AccountId=ctx.account_id)["Budgets"]
    ours = {b["BudgetName"] for b in budgets if b["BudgetName"].startswith(ctx.prefix)}
    assert ours == {c.key for c in first.changes if c.kind == "budget"}


def test_templated_rows_expand_over_the_demo_account(account: SessionFactory) -> None:
    ctx = _context(account, REPOSITORY)
    body, _ = desired_bodies(ctx)["p2p-main-operations"]
    titles = [w["properties"].get("title") for w in body["widgets"]]
    # One row per production ECS service of the demo account.
    assert "p2p-backend CPU and memory" in titles and "p2p-frontend CPU and memory" in titles
