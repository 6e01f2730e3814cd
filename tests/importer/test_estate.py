"""Importing the hand-made estate: what each kind becomes, what is left, and no secret leaks."""

from __future__ import annotations

from pathlib import Path

import yaml

from sentinel.aws.session import SessionFactory
from sentinel.emulator.estate import PAGERDUTY_KEY, WEBHOOK_URL, build_estate

from .conftest import Run

READ_CALLS = 60


def _load(path: Path) -> dict:
    return yaml.safe_load(path.read_text())


def test_estate_imports_as_templates_severities_and_budgets(
    aws: SessionFactory, run: Run, tmp_path: Path
) -> None:
    estate = build_estate(aws)
    assert estate.alarms >= 300 and sum(estate.resources.values()) >= 100
    assert len(estate.resources) >= 6
    out = tmp_path / "imported"

    result = run("import", "-C", str(out), "--project", "estate")

    assert result.exit_code == 0, result.output
    text = result.output
    assert (
        "Imported 304 alarms, 2 composite alarms, 5 dashboards, 3 topics, 6 subscriptions" in text
    )
    assert "5 budgets" in text
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.yaml"))
    assert files == [
        "alarms/critical.yaml",
        "alarms/ops-pager.yaml",
        "alarms/routing.yaml",
        "alarms/warning.yaml",
        "budgets/budgets.yaml",
        "dashboards/databases.yaml",
        "dashboards/functions.yaml",
        "dashboards/overview.yaml",
        "dashboards/queues.yaml",
        "dashboards/team-payments.yaml",
        "sentinel.yaml",
        "unrouted-alarms.yaml",
    ]
    # Severities from the topics; a name outside the prefix kept; secrets as env references.
    severities = _load(out / "alarms/routing.yaml")["severities"]
    assert severities["ops-pager"]["aws_name"] == "ops-pager"
    assert "aws_name" not in severities["critical"]
    assert severities["critical"]["notify"] == [
        {"email": "oncall@example.com"},
        {"pagerduty": {"integration_key": "env:ESTATE_CRITICAL_PAGERDUTY_KEY"}},
    ]
    assert severities["ops-pager"]["notify"] == [{"https": "env:ESTATE_OPS_PAGER_WEBHOOK_URL"}]
    kinds = [next(iter(d)) for d in severities["warning"]["notify"]]
    assert kinds == ["email", "sqs", "lambda"]
    assert "ESTATE_CRITICAL_PAGERDUTY_KEY" in text and "ESTATE_OPS_PAGER_WEBHOOK_URL" in text
    # Alarms collapsed into templates with the filters that select exactly their resources.
    critical = {r["name"]: r for r in _load(out / "alarms/critical.yaml")["alarms"]}
    assert critical["ec2-cpu-high"]["for_each"] == {
        "resource": "ec2:instance",
        "tags": {"Environment": "production"},
    }
    assert critical["rds-free-storage"]["for_each"] == {
        "resource": "rds:db",
        "where": {"engine": "postgres"},
    }
    assert critical["alb-error-rate"]["expression"] == "100 * errors / MAX([requests, 1])"
    assert critical["alb-error-rate"]["for_each"]["tags"] == {"Tier": "internal"}
    # The alarms the composite uses stay static, the metric-math one with its label.
    assert critical["alb-error-rate-web-000"]["label"] == "alb-error-rate"
    assert "for_each" not in critical["alb-error-rate-web-000"]
    warning = {r["name"]: r for r in _load(out / "alarms/warning.yaml")["alarms"]}
    assert warning["rds-read-latency-p99"]["statistic"] == "p99"
    assert warning["rds-read-latency-p99"]["datapoints_to_alarm"] == 2
    assert warning["ec2-cpu-high-2"]["aws_name"] == "estate-ec2-cpu-high-{id}"
    assert warning["ec2-cpu-high-2"]["for_each"]["tags"] == {"Environment": "staging"}
    assert warning["throttles"]["aws_name"] == "{id}-throttles"
    pager = _load(out / "alarms/ops-pager.yaml")["alarms"]
    assert [(r["name"], r["aws_name"]) for r in pager] == [("errors", "{id}-errors")]
    # The seven duration alarms: no filter selects their functions, so static rules.
    statics = [n for n in warning if n.startswith("lambda-duration-p90-")]
    assert len(statics) == 7  # five that no filter selects, two a composite uses
    assert "static: 5 alarms estate-lambda-duration-p90-{id}: no tags/where filter" in text
    composites = _load(out / "alarms/critical.yaml")["composites"]
    assert {c["name"]: c["rule"] for c in composites}["web-down"] == (
        "ALARM(alb-error-rate-web-000) AND ALARM(alb-5xx-web-000)"
    )
    assert "304 alarms as 28 rules (18 for_each templates): 10.9 alarms per rule" in text
    # Dashboards: rows of widgets; a widget with no YAML form kept raw.
    overview = _load(out / "dashboards/overview.yaml")["dashboards"][0]
    assert overview["title"] == "Estate overview"
    assert overview["rows"][1]["widgets"][1] == {
        "type": "alarms",
        "title": "Billing",
        "alarms": ["billing-estimated-charges"],
        "width": 16,
    }
    payments = _load(out / "dashboards/team-payments.yaml")["dashboards"][0]
    raw = [w for row in payments["rows"] for w in row["widgets"] if w["type"] == "raw"]
    assert [w["widget"] for w in raw] == ["explorer", "metric"]
    # Budgets with their alerts and subscribers.
    budgets = {b["name"]: b for b in _load(out / "budgets/budgets.yaml")["budgets"]}
    assert budgets["monthly"]["notify"] == ["finance@example.com", "critical"]
    assert budgets["monthly"]["alerts"] == ["80%", {"threshold": "100%", "type": "forecasted"}]
    assert budgets["finance-annual"]["aws_name"] == "finance-annual"
    assert budgets["ec2-production"]["filters"] == {
        "services": ["Amazon Elastic Compute Cloud - Compute"],
        "tags": {"Environment": ["production"]},
    }
    assert budgets["rds-reservations"] == {
        "name": "rds-reservations",
        "type": "ri_utilization",
        "target": "85%",
        "filters": {"services": ["Amazon Relational Database Service"]},
        "notify": ["finance@example.com", "warning"],
    }
    # What could not be represented, each with its reason.
    assert "legacy-layout" in text and "leaves a gap in its row" in text
    assert "estate-canary-heartbeat" in text and "notifies no imported topic" in text
    unrouted = _load(out / "unrouted-alarms.yaml")["alarms"]
    assert [r["name"] for r in unrouted] == ["canary-heartbeat"]
    # Read in pages: few calls for hundreds of alarms.
    calls = int(text.split(" AWS read calls")[0].rsplit(" ", 1)[1])
    assert calls <= READ_CALLS
    # Secrets are nowhere: not in a file, not in the output.
    for path in out.rglob("*"):
        if path.is_file():
            content = path.read_text()
            assert PAGERDUTY_KEY not in content and WEBHOOK_URL not in content
            assert "webhookToken" not in content
    assert PAGERDUTY_KEY not in text and "webhookToken" not in text
