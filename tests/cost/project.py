"""A small project configuration for the cost and daemon tests, written to a directory."""

from __future__ import annotations

from pathlib import Path

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
