"""examples/multi-account/shop, the README's project of several accounts: applied in its three
accounts and two regions, then planned with no changes; each item made only where it is placed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from cli.test_accounts_fanout import alarms_in, budgets_in, headers, make_role, run
from sentinel.aws.session import SessionFactory
from sentinel.config import load_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "multi-account" / "shop"


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    from cli.shop_commands import share_session

    share_session(aws, monkeypatch)


def test_the_example_applies_in_every_account_and_region_and_then_plans_empty(
    aws: SessionFactory, tmp_path: Path
) -> None:
    project = load_config(EXAMPLE).project
    for account in project.accounts:
        assert account.role is not None
        make_role(account.id, account.role.rsplit("/", 1)[-1])
    shop = tmp_path / "shop"
    shutil.copytree(EXAMPLE, shop)

    applied = run("apply", "-C", str(shop), "--auto-approve")

    assert applied.exit_code == 0, applied.output
    places = [
        f"account {account.name} ({account.id}) · {region}"
        for account in project.accounts
        for region in project.regions
    ]
    assert headers(applied.output) == places + places
    for account in project.accounts:
        for region in project.regions:
            # payments-errors is placed in production's eu-west-1 only (accounts:, regions:).
            placed = (account.name, region) == ("production", "eu-west-1")
            expected = ["shop-api-errors"] + ["shop-payments-errors"] * placed
            assert alarms_in(aws, account.id, region) == expected
        # The budget is the account's: made once, from its first region.
        assert budgets_in(aws, account.id) == ["shop-monthly-total"]

    again = run("plan", "-C", str(shop), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert headers(again.output) == places
    assert again.output.count("No changes.") == len(places)
