"""``organization:``: the accounts of organizational units, found through AWS Organizations
(recursively, in pages), each worked in through the role of that name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from cli.shop_commands import invoke, share_session
from cli.test_accounts_fanout import ALARMS, ROUTING, alarms_in, make_role
from sentinel.aws.session import SessionFactory
from sentinel.cli.sync import apply_command, plan_command
from sync.shop import write_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    share_session(aws, monkeypatch)


@pytest.fixture(autouse=True)
def small_pages(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """One account or unit a page: every listing must follow its pages."""
    monkeypatch.setattr("sentinel.aws.organization.PAGE_SIZE", 1)
    yield


class Organization:
    def __init__(self, aws: SessionFactory) -> None:
        self.client = aws.client("organizations")
        self.client.create_organization(FeatureSet="ALL")
        self.root = self.client.list_roots()["Roots"][0]["Id"]

    def unit(self, name: str, parent: str | None = None) -> str:
        made = self.client.create_organizational_unit(ParentId=parent or self.root, Name=name)
        return str(made["OrganizationalUnit"]["Id"])

    def account(self, name: str, unit: str) -> str:
        status = self.client.create_account(AccountName=name, Email=f"{name}@shop.example.com")
        account = str(
            self.client.describe_create_account_status(
                CreateAccountRequestId=status["CreateAccountStatus"]["Id"]
            )["CreateAccountStatus"]["AccountId"]
        )
        self.client.move_account(
            AccountId=account, SourceParentId=self.root, DestinationParentId=unit
        )
        make_role(account)
        return account


def run(*args: str) -> Result:
    return invoke({"plan": plan_command, "apply": apply_command}, *args)


def project(tmp_path: Path, organization: str) -> Path:
    text = f"project: shop\nregions: [us-east-1]\norganization:\n{organization}"
    files = {"sentinel.yaml": text, "alarms/routing.yaml": ROUTING, "alarms/shop.yaml": ALARMS}
    return write_config(tmp_path / "shop", files)


def test_the_accounts_of_units_and_of_units_under_them_are_worked_in(
    aws: SessionFactory, tmp_path: Path
) -> None:
    org = Organization(aws)
    workloads = org.unit("workloads")
    team = org.unit("team", parent=workloads)
    web = org.account("web", workloads)
    api = org.account("api", workloads)
    data = org.account("data", team)
    sandbox = org.account("sandbox", team)
    elsewhere = org.account("elsewhere", org.unit("other"))
    shop = project(tmp_path, f'  ous: [{workloads}]\n  exclude: ["{sandbox}"]\n  role: sentinel\n')

    applied = run("apply", "-C", str(shop), "--auto-approve")

    assert applied.exit_code == 0, applied.output
    lines = applied.output.splitlines()
    headers = sorted({line for line in lines if line.startswith("account ")})
    assert headers == sorted(
        f"account {name} ({account}) · us-east-1"
        for name, account in (("web", web), ("api", api), ("data", data))
    )
    for account in (web, api, data):
        assert alarms_in(aws, account, "us-east-1") == ["shop-api-errors"]
    for account in (sandbox, elsewhere):
        assert alarms_in(aws, account, "us-east-1") == []
    assert run("plan", "-C", str(shop), "--detailed-exitcode").exit_code == 0


def test_a_unit_that_does_not_exist_is_named_and_the_others_are_worked_in(
    aws: SessionFactory, tmp_path: Path
) -> None:
    org = Organization(aws)
    workloads = org.unit("workloads")
    web = org.account("web", workloads)
    missing = "ou-abcd-12345678"
    shop = project(tmp_path, f"  ous: [{missing}, {workloads}]\n  role: sentinel\n")

    applied = run("apply", "-C", str(shop), "--auto-approve")

    assert applied.exit_code == 1, applied.output
    assert "Traceback" not in applied.output
    said = " ".join(applied.output.split())
    assert f"organizational unit {missing} does not exist in the organization" in said
    assert alarms_in(aws, web, "us-east-1") == ["shop-api-errors"]


def test_a_unit_id_of_the_wrong_form_is_refused_at_its_line(tmp_path: Path) -> None:
    shop = project(tmp_path, "  ous: [workloads]\n  role: sentinel\n")

    result = run("plan", "-C", str(shop))

    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "sentinel.yaml:4:" in said and "expected an organizational unit id like" in said
