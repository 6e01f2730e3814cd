"""plan, apply and drift over every (account, region): one project, three accounts reached
through their roles, two regions; moto keys its state by the assumed role's account."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3
import pytest
from click.testing import Result

from cli.shop_commands import invoke, share_session
from sentinel.aws.session import AccountTarget, SessionFactory
from sentinel.cli.sync import apply_command, drift_command, plan_command
from sync.shop import write_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

CALLER = "123456789012"  # moto's account: the credentials' own
MEMBERS = {"production": "111111111111", "staging": "222222222222", "dev": "333333333333"}
REGIONS = ["us-east-1", "eu-west-1"]

ROUTING = """\
severities:
  critical:
    notify:
      - email: oncall@shop.example.com
"""

ALARMS = """\
alarms:
  - name: api-errors
    severity: critical
    namespace: AWS/ApplicationELB
    metric: HTTPCode_Target_5XX_Count
    dimensions: {LoadBalancer: app/shop-alb/0123456789abcdef}
    statistic: Sum
    condition: "> 50"
    for: 15m
"""

BUDGETS = """\
budgets:
  - name: monthly-total
    amount: 500 USD
    alerts: [100%]
    notify: [critical]
"""


def project(accounts: str, regions: list[str] = REGIONS) -> str:
    return f"project: shop\nregions: [{', '.join(regions)}]\naccounts:\n{accounts}"


def listed(names: dict[str, str], role: str = "sentinel") -> str:
    return "".join(f'  - {{id: "{i}", name: {n}, role: {role}}}\n' for n, i in names.items())


def make_role(account: str, name: str = "sentinel") -> None:
    """The role in the member account, trusting the credentials' account."""
    from moto.iam.models import iam_backends

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{CALLER}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam_backends[account]["aws"].create_role(
        role_name=name,
        assume_role_policy_document=json.dumps(trust),
        path="/",
        permissions_boundary=None,
        description="",
        tags=[],
        max_session_duration="3600",
    )


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    share_session(aws, monkeypatch)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return shop_project(tmp_path)


def shop_project(tmp_path: Path) -> Path:
    """The shop project in three accounts (their roles made) and two regions, not applied."""
    for account in MEMBERS.values():
        make_role(account)
    return write_config(
        tmp_path / "shop",
        {
            "sentinel.yaml": project(listed(MEMBERS)),
            "alarms/routing.yaml": ROUTING,
            "alarms/shop.yaml": ALARMS,
            "budgets/budgets.yaml": BUDGETS,
        },
    )


def run(*args: str) -> Result:
    return invoke({"plan": plan_command, "apply": apply_command, "drift": drift_command}, *args)


def member(aws: SessionFactory, account: str) -> SessionFactory:
    role = f"arn:aws:iam::{account}:role/sentinel"
    return aws.for_account(AccountTarget(account_id=account, role_arn=role))


def alarms_in(aws: SessionFactory, account: str, region: str) -> list[str]:
    cloudwatch = member(aws, account).client("cloudwatch", region=region)
    return [a["AlarmName"] for a in cloudwatch.describe_alarms()["MetricAlarms"]]


def budgets_in(aws: SessionFactory, account: str) -> list[str]:
    client = member(aws, account).client("budgets")
    return [b["BudgetName"] for b in client.describe_budgets(AccountId=account)["Budgets"]]


def headers(output: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith("account ")]


def test_one_project_is_applied_in_three_accounts_and_two_regions(
    aws: SessionFactory, shop: Path
) -> None:
    planned = run("plan", "-C", str(shop), "--detailed-exitcode")

    assert planned.exit_code == 2, planned.output
    assert headers(planned.output) == [
        f"account {name} ({account}) · {region}"
        for name, account in MEMBERS.items()
        for region in REGIONS
    ]
    # The budget is the account's, planned in its first region only.
    assert planned.output.count("+ budget shop-monthly-total") == 3

    applied = run("apply", "-C", str(shop), "--auto-approve", "--parallel", "3")

    assert applied.exit_code == 0, applied.output
    assert "Traceback" not in applied.output
    for account in MEMBERS.values():
        for region in REGIONS:
            assert alarms_in(aws, account, region) == ["shop-api-errors"]
            topics = member(aws, account).client("sns", region=region).list_topics()["Topics"]
            assert [t["TopicArn"] for t in topics] == [
                f"arn:aws:sns:{region}:{account}:shop-critical"
            ]
        assert budgets_in(aws, account) == ["shop-monthly-total"]
    # Nothing in the credentials' own account.
    assert aws.client("cloudwatch").describe_alarms()["MetricAlarms"] == []

    again = run("plan", "-C", str(shop), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    assert again.output.count("No changes.") == 6, again.output
    assert run("drift", "-C", str(shop)).exit_code == 0
    # Narrowed to an account's other region, its budget (the first region's) is left as it is.
    narrowed = run(
        "plan",
        "-C",
        str(shop),
        "--account",
        "staging",
        "--region",
        "eu-west-1",
        "--detailed-exitcode",
    )
    assert narrowed.exit_code == 0, narrowed.output
    assert "No changes." in narrowed.output


def test_apply_shows_the_accounts_in_the_order_of_sentinel_yaml(
    aws: SessionFactory, shop: Path
) -> None:
    applied = run("apply", "-C", str(shop), "--auto-approve", "--parallel", "3")

    assert applied.exit_code == 0, applied.output
    places = [
        f"account {name} ({account}) · {region}"
        for name, account in MEMBERS.items()
        for region in REGIONS
    ]
    # Once for the plan, once for what was applied: both in the order of sentinel.yaml.
    assert headers(applied.output) == places + places


def test_an_account_that_cannot_be_assumed_fails_alone(aws: SessionFactory, tmp_path: Path) -> None:
    make_role(MEMBERS["production"])
    make_role(MEMBERS["dev"])  # staging has no such role: AssumeRole is denied
    shop = write_config(
        tmp_path / "shop",
        {
            "sentinel.yaml": project(listed(MEMBERS)),
            "alarms/routing.yaml": ROUTING,
            "alarms/shop.yaml": ALARMS,
        },
    )

    applied = run("apply", "-C", str(shop), "--auto-approve")

    assert applied.exit_code == 1, applied.output
    assert "Traceback" not in applied.output
    said = " ".join(applied.output.split())
    staging = MEMBERS["staging"]
    assert f"cannot assume arn:aws:iam::{staging}:role/sentinel:" in said
    assert "AccessDenied" in said or "not authorized" in said
    assert (
        f"2 of 6 account-region(s) failed: account staging ({staging}) · us-east-1, "
        f"account staging ({staging}) · eu-west-1; the others were done" in said
    )
    for name in ("production", "dev"):
        for region in REGIONS:
            assert alarms_in(aws, MEMBERS[name], region) == ["shop-api-errors"]


def test_account_and_region_narrow_a_run(aws: SessionFactory, shop: Path) -> None:
    applied = run(
        "apply", "-C", str(shop), "--auto-approve", "--account", "staging", "--region", "eu-west-1"
    )

    assert applied.exit_code == 0, applied.output
    # One account and region: the output is as for a project of one account, without a header.
    assert headers(applied.output) == []
    assert alarms_in(aws, MEMBERS["staging"], "eu-west-1") == ["shop-api-errors"]
    assert alarms_in(aws, MEMBERS["staging"], "us-east-1") == []
    assert alarms_in(aws, MEMBERS["production"], "eu-west-1") == []
    # The budget is the account's, made in its first region only: not from eu-west-1.
    assert budgets_in(aws, MEMBERS["staging"]) == []

    by_id = run("plan", "-C", str(shop), "--account", MEMBERS["dev"], "--json")
    assert by_id.exit_code == 0, by_id.output
    document = json.loads(by_id.stdout)
    assert [(p["account"], p["account_name"], p["region"]) for p in document["places"]] == [
        (MEMBERS["dev"], "dev", region) for region in REGIONS
    ]

    unknown = run("plan", "-C", str(shop), "--account", "qa", "--region", "ap-south-1")
    assert unknown.exit_code == 1
    assert "--region ap-south-1 is not one of the project's regions" in unknown.output


def test_an_unknown_account_is_named(shop: Path) -> None:
    result = run("plan", "-C", str(shop), "--account", "qa")

    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "--account qa: not an account of the project (production (111111111111)," in said


def test_a_saved_plan_needs_one_account_and_region(shop: Path, tmp_path: Path) -> None:
    result = run("plan", "-C", str(shop), "--out", str(tmp_path / "plan.json"))

    assert result.exit_code == 1
    assert "narrow it with --account and --region" in result.output
    assert not (tmp_path / "plan.json").exists()


def test_role_arns_and_duplicates_are_checked_at_their_line(tmp_path: Path) -> None:
    accounts = (
        '  - {id: "111111111111", name: production, role: "arn:aws:iam::222222222222:role/x"}\n'
        '  - {id: "222222222222", name: staging, role: "bad role!"}\n'
    )
    shop = write_config(
        tmp_path / "shop", {"sentinel.yaml": project(accounts), "alarms/routing.yaml": ROUTING}
    )

    result = run("plan", "-C", str(shop))

    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "sentinel.yaml:4:" in said and "is in account 222222222222, not 111111111111" in said
    assert "sentinel.yaml:5:" in said and "or a role name" in said
    assert "2 errors in configuration" in said


def test_an_account_listed_twice_is_named_at_its_line(tmp_path: Path) -> None:
    accounts = (
        '  - {id: "111111111111", name: production, role: sentinel}\n'
        '  - {id: "222222222222", name: production, role: sentinel}\n'
        '  - {id: "111111111111", name: staging, role: sentinel}\n'
    )
    shop = write_config(
        tmp_path / "shop", {"sentinel.yaml": project(accounts), "alarms/routing.yaml": ROUTING}
    )

    result = run("plan", "-C", str(shop))

    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "sentinel.yaml:5:" in said and "account name 'production' is used twice" in said
    assert "sentinel.yaml:6:" in said and "account 111111111111 is listed twice" in said


def test_an_account_without_a_role_is_the_credentials_own(
    aws: SessionFactory, tmp_path: Path
) -> None:
    make_role(MEMBERS["production"])
    accounts = listed({"production": MEMBERS["production"]}) + (
        f'  - {{id: "{CALLER}", name: management}}\n  - {{id: "444444444444", name: other}}\n'
    )
    shop = write_config(
        tmp_path / "shop",
        {
            "sentinel.yaml": project(accounts, ["us-east-1"]),
            "alarms/routing.yaml": ROUTING,
            "alarms/shop.yaml": ALARMS,
        },
    )

    applied = run("apply", "-C", str(shop), "--auto-approve")

    assert applied.exit_code == 1, applied.output
    said = " ".join(applied.output.split())
    assert "it has no `role:` and the AWS credentials are for account 123456789012" in said
    assert alarms_in(aws, MEMBERS["production"], "us-east-1") == ["shop-api-errors"]
    own = boto3.Session(region_name="us-east-1").client("cloudwatch")
    assert [a["AlarmName"] for a in own.describe_alarms()["MetricAlarms"]] == ["shop-api-errors"]


PLACED_ALARMS = """\
alarms:
  - name: api-errors
    severity: critical
    namespace: AWS/ApplicationELB
    metric: HTTPCode_Target_5XX_Count
    statistic: Sum
    condition: "> 50"
    for: 15m
  - name: payments-errors
    accounts: [production, "333333333333"]
    regions: [eu-west-1]
    severity: critical
    namespace: AWS/ApplicationELB
    metric: HTTPCode_Target_5XX_Count
    statistic: Sum
    condition: "> 5"
    for: 15m
"""

PLACED_BUDGETS = """\
budgets:
  - name: staging-only
    accounts: [staging]
    amount: 50 USD
    alerts: [100%]
    notify: [critical]
"""

PLACED_DASHBOARDS = """\
dashboards:
  - name: europe
    regions: [eu-west-1]
    rows:
      - widgets:
          - {type: text, markdown: "# Europe"}
"""


def test_accounts_and_regions_narrow_what_is_made_where(aws: SessionFactory, shop: Path) -> None:
    write_config(
        shop,
        {
            "alarms/shop.yaml": PLACED_ALARMS,
            "budgets/budgets.yaml": PLACED_BUDGETS,
            "dashboards/europe.yaml": PLACED_DASHBOARDS,
        },
    )

    applied = run("apply", "-C", str(shop), "--auto-approve")

    assert applied.exit_code == 0, applied.output
    for name, account in MEMBERS.items():
        assert alarms_in(aws, account, "us-east-1") == ["shop-api-errors"]
        payments = ["shop-payments-errors"] * (name != "staging")
        assert alarms_in(aws, account, "eu-west-1") == ["shop-api-errors", *payments]
        assert budgets_in(aws, account) == ["shop-staging-only"] * (name == "staging")
        for region in REGIONS:
            boards = member(aws, account).client("cloudwatch", region=region).list_dashboards()
            names = [d["DashboardName"] for d in boards["DashboardEntries"]]
            assert names == ["shop-europe"] * (region == "eu-west-1")
    again = run("plan", "-C", str(shop), "--detailed-exitcode")
    assert again.exit_code == 0, again.output


def test_a_selector_names_an_account_and_a_region_of_the_project(shop: Path) -> None:
    wrong = PLACED_ALARMS.replace("[production,", "[prod,").replace("[eu-west-1]", "[ap-south-1]")
    write_config(shop, {"alarms/shop.yaml": wrong})

    result = run("plan", "-C", str(shop))

    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert "alarms/shop.yaml:10:16: account 'prod' is not one of sentinel.yaml's" in said
    assert "alarms/shop.yaml:11:15: region ap-south-1 is not one of" in said
    assert "region ap-south-1 is not one of sentinel.yaml's regions (us-east-1, eu-west-1)" in said


@pytest.fixture
def region_not_enabled(monkeypatch: pytest.MonkeyPatch) -> str:
    """eu-west-1 is not enabled in production: AWS refuses its token there, every call."""
    from moto.core.exceptions import InvalidClientTokenIdError
    from moto.core.responses import BaseResponse

    original = BaseResponse._authenticate_and_authorize_normal_action

    def refuse(self: BaseResponse, *args: object, **kwargs: object) -> None:
        if self.region == "eu-west-1" and self.current_account == MEMBERS["production"]:
            raise InvalidClientTokenIdError()
        original(self, *args, **kwargs)

    monkeypatch.setattr(BaseResponse, "_authenticate_and_authorize_normal_action", refuse)
    return MEMBERS["production"]


def test_a_region_not_enabled_in_one_account_fails_there_alone(
    aws: SessionFactory, shop: Path, region_not_enabled: str
) -> None:
    applied = run("apply", "-C", str(shop), "--auto-approve")

    assert applied.exit_code == 1, applied.output
    assert "Traceback" not in applied.output
    said = " ".join(applied.output.split())
    assert (
        f"1 of 6 account-region(s) failed: account production ({region_not_enabled}) · "
        "eu-west-1; the others were done" in said
    )
    assert "InvalidClientTokenId on sns:ListTopics in eu-west-1" in said
    assert (
        "eu-west-1 is not enabled in it: enable it there, or narrow the run with --region" in said
    )
    assert alarms_in(aws, region_not_enabled, "us-east-1") == ["shop-api-errors"]
    for account in (MEMBERS["staging"], MEMBERS["dev"]):
        for region in REGIONS:
            assert alarms_in(aws, account, region) == ["shop-api-errors"]


def test_an_account_whose_apply_lock_is_held_is_left_alone(aws: SessionFactory, shop: Path) -> None:
    import time_machine

    from sentinel.sync.lock import ApplyLock

    staging = MEMBERS["staging"]
    ssm = member(aws, staging).client("ssm", region="us-east-1")
    with time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=UTC), tick=False):
        ApplyLock(ssm, "shop", "us-east-1", holder="alice@ci-runner:4242", run="").acquire()
        applied = run("apply", "-C", str(shop), "--auto-approve")

    assert applied.exit_code == 1, applied.output
    said = " ".join(applied.output.split())
    assert "apply of shop is locked by alice@ci-runner:4242 since 2026-12-02T10:00:00Z" in said
    assert f"2 of 6 account-region(s) failed: account staging ({staging}) · us-east-1" in said
    for region in REGIONS:
        assert alarms_in(aws, staging, region) == []
        assert alarms_in(aws, MEMBERS["production"], region) == ["shop-api-errors"]
        assert alarms_in(aws, MEMBERS["dev"], region) == ["shop-api-errors"]


def composites_in(aws: SessionFactory, account: str, region: str) -> list[str]:
    cloudwatch = member(aws, account).client("cloudwatch", region=region)
    found = cloudwatch.describe_alarms(AlarmTypes=["CompositeAlarm"])["CompositeAlarms"]
    return [a["AlarmName"] for a in found]


def test_a_composite_is_made_only_where_its_accounts_and_regions_say(
    aws: SessionFactory, shop: Path
) -> None:
    composites = """\
composites:
  - name: payments-down
    accounts: ["111111111111", dev]
    regions: [eu-west-1]
    severity: critical
    rule: ALARM(payments-errors) AND ALARM(api-errors)
  - name: eu-down
    accounts: [production]
    regions: [eu-west-1]
    severity: critical
    rule: ALARM(payments-down)
"""
    write_config(shop, {"alarms/shop.yaml": PLACED_ALARMS + composites})

    planned = run("plan", "-C", str(shop))
    applied = run("apply", "-C", str(shop), "--auto-approve")

    assert planned.exit_code == 0, planned.output
    assert planned.output.count("+ composite alarm shop-payments-down") == 2
    assert planned.output.count("+ composite alarm shop-eu-down") == 1
    assert applied.exit_code == 0, applied.output
    for name, account in MEMBERS.items():
        assert composites_in(aws, account, "us-east-1") == []
        made = ["shop-eu-down"] * (name == "production") + ["shop-payments-down"] * (
            name != "staging"
        )
        assert composites_in(aws, account, "eu-west-1") == made
    again = run("plan", "-C", str(shop), "--detailed-exitcode")
    assert again.exit_code == 0, again.output
    # Narrowed further, the composite is deleted where it no longer is, and only there.
    narrowed = composites.replace('["111111111111", dev]', "[production]")
    write_config(shop, {"alarms/shop.yaml": PLACED_ALARMS + narrowed})
    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0
    assert composites_in(aws, MEMBERS["dev"], "eu-west-1") == []
    assert composites_in(aws, MEMBERS["production"], "eu-west-1") == [
        "shop-eu-down",
        "shop-payments-down",
    ]


def test_a_composite_cannot_be_where_an_alarm_of_its_rule_is_not(shop: Path) -> None:
    composite = (
        "composites:\n  - name: down\n    severity: critical\n"
        "    rule: ALARM(api-errors) OR ALARM(payments-errors)\n"
        "  - name: eu-down\n    regions: [eu-west-1]\n    accounts: [dev, staging]\n"
        "    severity: critical\n    rule: ALARM(payments-errors)\n"
    )
    write_config(shop, {"alarms/shop.yaml": PLACED_ALARMS + composite})

    result = run("plan", "-C", str(shop))

    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert (
        "alarms/shop.yaml:21:11: alarm 'payments-errors' is not made in account production "
        "(111111111111), region us-east-1; account staging (222222222222), regions us-east-1 "
        "and eu-west-1; account dev (333333333333), region us-east-1, where composite 'down' "
        "is: narrow its `accounts:` and `regions:` to where the alarm is (accounts: production, "
        "333333333333; regions: eu-west-1)" in said
    )
    assert (
        "alarms/shop.yaml:26:11: alarm 'payments-errors' is not made in account staging "
        "(222222222222), region eu-west-1, where composite 'eu-down' is" in said
    )
    assert "'api-errors' is not made" not in said


def test_an_aggregate_over_a_rule_made_in_some_places_only_is_checked_too(shop: Path) -> None:
    templated = """\
  - name: lb-5xx
    regions: [eu-west-1]
    severity: critical
    for_each: {resource: "elasticloadbalancing:loadbalancer"}
    namespace: AWS/ApplicationELB
    metric: HTTPCode_ELB_5XX_Count
    dimensions: {LoadBalancer: "{attr:dimension}"}
    statistic: Sum
    condition: "> 50"
"""
    composite = (
        "composites:\n  - name: down\n    severity: critical\n"
        "    rule: ALARM(any lb-5xx) OR ALARM(api-errors)\n"
    )
    write_config(shop, {"alarms/shop.yaml": PLACED_ALARMS + templated + composite})

    result = run("plan", "-C", str(shop))

    assert result.exit_code == 1
    said = " ".join(result.output.split())
    assert (
        "alarm 'lb-5xx' is not made in account production (111111111111), region us-east-1; "
        "account staging (222222222222), region us-east-1; account dev (333333333333), region "
        "us-east-1, where composite 'down' is" in said
    )
    assert "'api-errors' is not made" not in said
    narrowed = composite.replace("    severity", "    regions: [eu-west-1]\n    severity")
    write_config(shop, {"alarms/shop.yaml": PLACED_ALARMS + templated + narrowed})
    assert run("plan", "-C", str(shop)).exit_code == 0


def test_drift_is_named_under_its_account_and_region(aws: SessionFactory, shop: Path) -> None:
    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0
    dev = MEMBERS["dev"]
    member(aws, dev).client("cloudwatch", region="eu-west-1").delete_alarms(
        AlarmNames=["shop-api-errors"]
    )

    drift = run("drift", "-C", str(shop))

    assert drift.exit_code == 2, drift.output
    text = drift.output.split(f"account dev ({dev}) · eu-west-1", 1)[1]
    assert "missing alarm shop-api-errors" in text
    assert drift.output.count("missing alarm") == 1
    as_json = json.loads(run("drift", "-C", str(shop), "--json").stdout)
    drifted = [(p["account_name"], p["region"]) for p in as_json["places"] if p["changes"]]
    assert drifted == [("dev", "eu-west-1")]


def test_a_target_needs_to_match_in_one_account_and_region(aws: SessionFactory, shop: Path) -> None:
    write_config(shop, {"alarms/shop.yaml": PLACED_ALARMS})

    targeted = run("apply", "-C", str(shop), "--auto-approve", "--target", "alarm:payments-*")

    assert targeted.exit_code == 0, targeted.output
    assert alarms_in(aws, MEMBERS["production"], "eu-west-1") == ["shop-payments-errors"]
    assert alarms_in(aws, MEMBERS["staging"], "eu-west-1") == []
    nowhere = run("plan", "-C", str(shop), "--target", "alarm:nothing-*")
    assert nowhere.exit_code == 1
    assert "--target alarm:nothing-* matches nothing in any account and region" in " ".join(
        nowhere.output.split()
    )


def test_account_narrows_only_a_project_of_several_accounts(tmp_path: Path) -> None:
    shop = write_config(
        tmp_path / "shop",
        {"sentinel.yaml": "project: shop\nregions: [us-east-1]\n", "alarms/routing.yaml": ROUTING},
    )

    result = run("plan", "-C", str(shop), "--account", "production")

    assert result.exit_code == 1
    assert "--account narrows a project whose `accounts:` give a `role:`" in " ".join(
        result.output.split()
    )


@pytest.mark.real_clock
def test_a_plan_changed_while_waiting_for_an_accounts_lock_is_shown_and_guarded(
    aws: SessionFactory, shop: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The apply staging waited for made alarms of the project there: the plan read again
    deletes them all; it is shown under staging's header and refused as a mass deletion."""
    import threading

    from sentinel.naming import PROJECT_TAG
    from sentinel.sync.lock import ApplyLock

    monkeypatch.setattr("sentinel.sync.lock.POLL_SECONDS", 0.05)
    staging = MEMBERS["staging"]
    ssm = member(aws, staging).client("ssm", region="us-east-1")
    first = ApplyLock(ssm, "shop", "us-east-1", holder="alice@ci-runner:4242", run="")
    first.acquire()
    found = threading.Event()  # the apply found the lock held and waits
    acquire = ApplyLock.acquire

    def acquire_and_tell(self: ApplyLock, timeout: float = 0, on_wait: Any = None) -> Any:
        def waiting(record: Any) -> None:
            found.set()
            if on_wait is not None:
                on_wait(record)

        return acquire(self, timeout, waiting)

    monkeypatch.setattr(ApplyLock, "acquire", acquire_and_tell)

    def other_apply() -> None:
        found.wait(30)
        cloudwatch = member(aws, staging).client("cloudwatch", region="us-east-1")
        for name in ("shop-old-1", "shop-old-2", "shop-old-3"):
            cloudwatch.put_metric_alarm(
                AlarmName=name,
                Namespace="AWS/EC2",
                MetricName="CPUUtilization",
                Statistic="Average",
                Period=60,
                EvaluationPeriods=1,
                Threshold=90,
                ComparisonOperator="GreaterThanThreshold",
                Tags=[{"Key": PROJECT_TAG, "Value": "shop"}],
            )
        first.release()

    threading.Thread(target=other_apply, daemon=True).start()
    applied = run(
        "apply", "-C", str(shop), "--auto-approve", "--lock-timeout", "1m", "--parallel", "1"
    )

    assert found.is_set(), "the apply never waited for the lock"
    assert applied.exit_code == 1, applied.output
    said = " ".join(applied.output.split())
    assert "Another apply changed AWS while this one waited for the lock; the plan now:" in said
    now = said.split("the plan now:")[1]
    assert "shop-old-1" in now and "--allow-mass-delete" in now
    assert sorted(alarms_in(aws, staging, "us-east-1")) == [
        "shop-old-1",
        "shop-old-2",
        "shop-old-3",
    ]
    for region in REGIONS:
        assert alarms_in(aws, MEMBERS["production"], region) == ["shop-api-errors"]
