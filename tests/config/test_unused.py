"""Settings only the alert router acts on are named as warnings when no router is configured."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.config import load_config

from .cases import RESOURCE_TYPES

ROUTING = """\
severities:
  critical:
    page: true
    escalate_after: 10m
    notify:
      - email: ops@example.com
      - slack: {channel: "#incidents"}
  warning:
    quiet_hours: {start: "22:00", end: "08:00"}
    notify:
      - slack: {channel: "#alerts"}
oncall:
  start: 2026-01-05
  members: [ana]
  escalation: {contact: Lead, email: lead@example.com}
maintenance:
  - name: upgrade
    alarms: ["*"]
    start: 2026-11-29T01:00:00Z
    end: 2026-11-29T03:00:00Z
"""
FIX = "add `router:` to this file"


def config_dir(root: Path, routing: str, monitors: str | None = None) -> Path:
    (root / "alarms").mkdir(parents=True)
    (root / "sentinel.yaml").write_text("project: shop\nregions: [us-east-1]\n")
    (root / "alarms/routing.yaml").write_text(routing)
    if monitors is not None:
        (root / "monitors").mkdir()
        (root / "monitors/monitors.yaml").write_text(monitors)
    return root


def warnings(root: Path) -> list[str]:
    return [str(w) for w in load_config(root, known_resource_types=RESOURCE_TYPES).warnings]


def test_without_a_router_what_only_the_router_does_is_named(tmp_path: Path) -> None:
    root = config_dir(tmp_path, ROUTING)
    file = f"{root}/alarms/routing.yaml"

    assert warnings(root) == [
        f"{file}:4:5: warning: escalate_after of severity 'critical' does nothing: "
        f"no router is configured, and SNS does not escalate ({FIX})",
        f"{file}:7:9: warning: Slack destination #incidents of severity 'critical' does "
        f"nothing: no router is configured, and SNS cannot post to Slack ({FIX})",
        f"{file}:9:5: warning: quiet_hours of severity 'warning' does nothing: "
        f"no router is configured, and SNS delivers at once ({FIX})",
        f"{file}:11:9: warning: Slack destination #alerts of severity 'warning' does nothing: "
        f"no router is configured, and SNS cannot post to Slack ({FIX})",
        f"{file}:15:3: warning: oncall.escalation to Lead does nothing: "
        f"no router is configured, and SNS does not escalate ({FIX})",
        f"{file}:17:5: warning: maintenance window 'upgrade' does nothing: "
        f"no router is configured, and SNS notifies during it ({FIX})",
    ]


def test_a_disabled_router_says_so(tmp_path: Path) -> None:
    root = config_dir(tmp_path, ROUTING + "router: {enabled: false}\n")

    found = warnings(root)

    assert len(found) == 6
    assert all("the router is disabled" in w and "(set router.enabled: true)" in w for w in found)


@pytest.mark.parametrize("router", ["router: {}\n", "router:\n  group_wait: 2m\n"])
def test_with_a_router_nothing_is_dead(tmp_path: Path, router: str) -> None:
    assert warnings(config_dir(tmp_path, ROUTING + router)) == []


def test_the_slack_channel_anomaly_notices_post_to_is_not_dead(tmp_path: Path) -> None:
    monitors = "anomaly_detection:\n  severity: warning\n"
    root = config_dir(tmp_path, ROUTING, monitors)

    found = warnings(root)

    assert not any("#alerts" in w for w in found)  # anomaly notices post there themselves
    assert any("#incidents" in w for w in found)


def test_email_pagerduty_and_sns_destinations_need_no_router(tmp_path: Path) -> None:
    routing = (
        "severities:\n  critical:\n    notify:\n      - email: ops@example.com\n"
        "      - pagerduty: {integration_key: env:PD_KEY}\n"
        "      - sqs: arn:aws:sqs:us-east-1:123456789012:alerts\n"
    )

    assert warnings(config_dir(tmp_path, routing)) == []


DEFAULT_POLICY = """\
      Version: "2008-10-17"
      Statement:
        - Effect: Allow
          Principal: {AWS: "*"}
          Action: [SNS:Publish, SNS:Subscribe]
          Resource: arn:aws:sns:us-east-1:123456789012:ops-pager
          Condition: {StringEquals: {AWS:SourceOwner: "123456789012"}}
"""
BUDGETS_STATEMENT = """\
        - Effect: Allow
          Principal: {Service: budgets.amazonaws.com}
          Action: SNS:Publish
          Resource: arn:aws:sns:us-east-1:123456789012:ops-pager
"""
BUDGETS = """\
budgets:
  - name: total
    amount: 100 USD
    alerts:
      - {threshold: 80%, notify: [pager]}
      - {threshold: 100%, notify: [finance@example.com]}
"""


@pytest.mark.parametrize("allows_budgets", [False, True])
def test_a_budget_alert_to_a_topic_budgets_cannot_publish_to_is_a_warning(
    tmp_path: Path, allows_budgets: bool
) -> None:
    policy = DEFAULT_POLICY + (BUDGETS_STATEMENT if allows_budgets else "")
    routing = (
        "severities:\n  pager:\n    aws_name: ops-pager\n    topic_policy:\n"
        + policy
        + "    notify:\n      - email: ops@example.com\n"
    )
    root = config_dir(tmp_path / "shop", routing)
    (root / "budgets").mkdir()
    (root / "budgets/budgets.yaml").write_text(BUDGETS)

    config = load_config(root, known_resource_types=RESOURCE_TYPES)

    found = [str(w) for w in config.warnings if "budget" in str(w)]
    if allows_budgets:
        assert found == []
    else:
        assert found == [
            f"{root}/budgets/budgets.yaml:5:35: warning: budget 'total' alerts severity "
            "'pager', whose topic_policy does not let budgets.amazonaws.com publish: its alerts "
            "would never arrive (add a statement allowing SNS:Publish to that principal)"
        ]
