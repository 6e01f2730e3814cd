"""``accounts:`` and ``regions:`` on composites: each place of the composite has every alarm its
rule names, by the concrete places of sentinel.yaml or, with ``organization:``, the selectors."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from sentinel.config import load_config
from sentinel.errors import ConfigError

ROUTING = "severities:\n  critical:\n    notify: [{email: oncall@example.com}]\n"
LISTED = """\
accounts:
  - {id: "111111111111", name: production}
  - {id: "222222222222", name: staging}
  - {id: "444444444444", name: other}
"""
ORGANIZATION = """\
organization: {ous: [ou-ab12-34cd56ef], role: sentinel}
accounts:
  - {id: "111111111111", name: production}
"""
ALARMS = """\
alarms:
  - name: api-errors
    severity: critical
    namespace: AWS/ApplicationELB
    metric: HTTPCode_Target_5XX_Count
    condition: "> 50"
  - name: payments-errors
    accounts: [production, "444444444444"]
    regions: [eu-west-1]
    severity: critical
    namespace: AWS/ApplicationELB
    metric: HTTPCode_Target_5XX_Count
    condition: "> 5"
composites:
"""


def write(root: Path, composites: str, accounts: str = LISTED, alarms: str = ALARMS) -> Path:
    (root / "alarms").mkdir(parents=True, exist_ok=True)
    project = f"project: shop\nregions: [us-east-1, eu-west-1]\n{accounts}"
    (root / "sentinel.yaml").write_text(project)
    (root / "alarms" / "routing.yaml").write_text(ROUTING)
    listed = textwrap.indent(textwrap.dedent(composites), "  ")
    (root / "alarms" / "shop.yaml").write_text(alarms + listed)
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return [str(p).removeprefix(f"{root}/") for p in caught.value.problems]


def test_a_composite_is_in_the_placed_configuration_where_it_is_made(tmp_path: Path) -> None:
    # The alarm names production by name, the composite by id: one account.
    root = write(
        tmp_path,
        """\
          - name: everywhere
            severity: critical
            rule: ALARM(api-errors)
          - name: payments-down
            accounts: ["111111111111"]
            regions: [eu-west-1]
            severity: critical
            rule: ALARM(payments-errors) AND ALARM(api-errors)
        """,
    )

    config = load_config(root)

    def made(account: str, name: str, region: str) -> list[str]:
        return [c.name for c in config.placed(account, name, region).composites]

    assert made("111111111111", "production", "eu-west-1") == ["everywhere", "payments-down"]
    assert made("111111111111", "production", "us-east-1") == ["everywhere"]
    assert made("444444444444", "other", "eu-west-1") == ["everywhere"]
    assert [c.name for c in config.composites] == ["everywhere", "payments-down"]


def test_every_place_a_composite_lacks_an_alarm_is_named_at_its_rule(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        """\
          - name: down
            regions: [eu-west-1]
            severity: critical
            rule: ALARM(payments-errors)
          - name: worse
            accounts: [staging, nobody]
            severity: critical
            rule: ALARM(down) OR ALARM(api-errors)
        """,
    )

    assert problems(root) == [
        "alarms/shop.yaml:18:11: alarm 'payments-errors' is not made in account staging "
        "(222222222222), region eu-west-1, where composite 'down' is: narrow its `accounts:` and "
        "`regions:` to where the alarm is (accounts: production, 444444444444; regions: "
        "eu-west-1)",
        "alarms/shop.yaml:20:25: account 'nobody' is not one of sentinel.yaml's accounts "
        "(production (111111111111), staging (222222222222), other (444444444444))",
        "alarms/shop.yaml:22:11: composite 'down' is not made in account staging (222222222222), "
        "region us-east-1, where composite 'worse' is: narrow its `accounts:` and `regions:` to "
        "where the composite is (regions: eu-west-1)",
    ]


def test_of_an_organization_the_composites_own_accounts_are_compared(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        """\
          - name: in-two
            accounts: ["111111111111", "444444444444"]
            regions: [eu-west-1]
            severity: critical
            rule: ALARM(payments-errors)
          - name: in-another
            accounts: ["555555555555", production]
            severity: critical
            rule: ALARM(payments-errors)
          - name: everywhere
            severity: critical
            rule: ALARM(payments-errors)
        """,
        ORGANIZATION,
    )

    assert problems(root) == [
        "alarms/shop.yaml:23:11: alarm 'payments-errors' is not made in account 555555555555, "
        "regions us-east-1 and eu-west-1; account production (111111111111), region us-east-1, "
        "where composite 'in-another' is: narrow its `accounts:` and `regions:` to where the "
        "alarm is (accounts: production, 444444444444; regions: eu-west-1)",
        "alarms/shop.yaml:26:11: alarm 'payments-errors' is made only in accounts production, "
        "444444444444 (its `accounts:`), and composite 'everywhere' in every account of "
        "`organization:`, which are found only at plan time: give the composite `accounts:` "
        "among the alarm's",
    ]


def test_of_an_organization_a_composite_everywhere_may_name_an_alarm_of_some_regions(
    tmp_path: Path,
) -> None:
    alarms = ALARMS.replace('    accounts: [production, "444444444444"]\n', "")
    root = write(
        tmp_path,
        "- {name: eu, regions: [eu-west-1], severity: critical, rule: ALARM(payments-errors)}\n"
        "- {name: all, severity: critical, rule: ALARM(payments-errors)}\n",
        ORGANIZATION,
        alarms,
    )

    assert problems(root) == [
        "alarms/shop.yaml:15:43: alarm 'payments-errors' is not made in region us-east-1, where "
        "composite 'all' is: narrow its `accounts:` and `regions:` to where the alarm is "
        "(regions: eu-west-1)",
    ]
