"""The monthly CloudWatch bill of a plan: per alarm metric, composite alarm and dashboard."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console

from sentinel.aws.session import SessionFactory
from sentinel.sync.alarms import normalise_alarm
from sentinel.sync.bill import TIMES, monthly_cost, prices_for, units
from sentinel.sync.composites import normalise_composite
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action, Change, Plan, State
from sentinel.sync.render import plan_json, render_plan

from .shop import ALARMS, context, shop_files, write_config

PRICES = prices_for("us-east-1")

DASHBOARDS = "dashboards:\n" + "".join(
    f"  - name: board-{n}\n    rows: [{{widgets: [{{type: text, markdown: board {n}}}]}}]\n"
    for n in range(4)
)


def _metric_alarm(**params: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "AlarmName": "a",
        "EvaluationPeriods": 1,
        "Threshold": 1.0,
        "ComparisonOperator": "GreaterThanThreshold",
    }
    return normalise_alarm({**base, **params})


def _stat(metric_id: str, period: int = 60) -> dict[str, Any]:
    return {
        "Id": metric_id,
        "MetricStat": {
            "Metric": {"Namespace": "AWS/SQS", "MetricName": metric_id, "Dimensions": []},
            "Period": period,
            "Stat": "Sum",
        },
        "ReturnData": False,
    }


def _bill(changes: list[Change], region: str = "us-east-1", dashboards: int = 0) -> Any:
    result = Plan(project="shop", region=region, changes=changes)
    result.managed["dashboard"] = dashboards
    return monthly_cost(result)


def _lines(bill: Any) -> dict[str, tuple[int, int, Decimal]]:
    return {line.item: (line.added, line.removed, line.delta) for line in bill.changed}


def test_what_one_alarm_is_billed_for() -> None:
    single = _metric_alarm(Namespace="AWS/EC2", MetricName="CPUUtilization", Period=300)
    fast = _metric_alarm(Namespace="AWS/EC2", MetricName="CPUUtilization", Period=10)
    math = _metric_alarm(
        Metrics=[
            {"Id": "e1", "Expression": "(a + b) / c", "ReturnData": True},
            _stat("a"),
            _stat("b"),
            _stat("c"),
        ]
    )
    fast_math = _metric_alarm(
        Metrics=[
            {"Id": "e1", "Expression": "a / b", "ReturnData": True},
            _stat("a", 10),
            _stat("b", 10),
        ]
    )
    band = _metric_alarm(
        Metrics=[_stat("m1"), {"Id": "ad1", "Expression": "ANOMALY_DETECTION_BAND(m1, 2)"}],
        ComparisonOperator="LessThanLowerOrGreaterThanUpperThreshold",
    )
    composite = normalise_composite({"AlarmName": "c", "AlarmRule": 'ALARM("a") OR ALARM("b")'})

    assert units("alarm", single, PRICES) == {"standard_alarm_metric": 1}
    assert units("alarm", fast, PRICES) == {"high_resolution_alarm_metric": 1}
    assert units("alarm", math, PRICES) == {"standard_alarm_metric": 3}
    assert units("alarm", fast_math, PRICES) == {"high_resolution_alarm_metric": 2}
    assert units("alarm", band, PRICES) == {"standard_alarm_metric": 3}  # metric and 2 bounds
    assert units("composite alarm", composite, PRICES) == {"composite_alarm": 1}
    # burn-rate alarms are typed metric or composite alarms
    assert units("burn-rate alarm", {"type": "metric", **math}, PRICES) == {
        "standard_alarm_metric": 3
    }
    assert units("burn-rate alarm", {"type": "composite", **composite}, PRICES) == {
        "composite_alarm": 1
    }
    assert units("dashboard", {}, PRICES) == {"dashboard": 1}
    assert units("topic", {"name": "shop-critical"}, PRICES) == {}


def test_creates_deletes_and_updates_add_up() -> None:
    standard = _metric_alarm(Namespace="AWS/EC2", MetricName="CPUUtilization", Period=60)
    fast = _metric_alarm(Namespace="AWS/EC2", MetricName="CPUUtilization", Period=10)
    math = _metric_alarm(
        Metrics=[{"Id": "e1", "Expression": "a / b", "ReturnData": True}, _stat("a"), _stat("b")]
    )
    composite = normalise_composite({"AlarmName": "c", "AlarmRule": 'ALARM("a")'})

    def state(fields: dict[str, Any], kind: str = "alarm") -> State:
        return State(kind, "x", fields)

    changes = [
        *[Change("alarm", f"new-{n}", Action.CREATE, state(standard)) for n in range(12)],
        Change("alarm", "math", Action.CREATE, state(math)),
        Change("alarm", "gone", Action.DELETE, None, state(standard)),
        Change("alarm", "faster", Action.UPDATE, state(fast), state(standard)),
        Change("alarm", "same", Action.UPDATE, state(standard), state(standard)),
        Change("composite alarm", "down", Action.CREATE, state(composite, "composite alarm")),
        Change("topic", "t", Action.CREATE, state({"name": "t"}, "topic")),
    ]
    bill = _bill(changes)
    assert _lines(bill) == {
        # 12 + 2 created, 1 deleted, 1 moved to high resolution
        "standard_alarm_metric": (14, 2, Decimal("1.20")),
        "high_resolution_alarm_metric": (1, 0, Decimal("0.30")),
        "composite_alarm": (1, 0, Decimal("0.50")),
    }
    assert bill.delta == Decimal("2.00")


def test_dashboards_beyond_the_free_three() -> None:
    board = State("dashboard", "d", {"widgets": []})
    two_more = [Change("dashboard", f"d{n}", Action.CREATE, board) for n in range(2)]
    # 2 -> 4 dashboards: one beyond the free three
    assert _bill(two_more, dashboards=2).delta == Decimal("3.00")
    # 5 -> 7: both billed
    assert _bill(two_more, dashboards=5).delta == Decimal("6.00")
    # 0 -> 2: both free
    assert _bill(two_more).delta == Decimal("0")
    # 4 -> 2: one billed dashboard less
    two_fewer = [Change("dashboard", f"d{n}", Action.DELETE, None, board) for n in range(2)]
    bill = _bill(two_fewer, dashboards=4)
    assert bill.delta == Decimal("-3.00")
    assert (bill.dashboards_before, bill.dashboards_after) == (4, 2)


def test_other_regions_are_priced_as_the_table_says() -> None:
    standard = _metric_alarm(Namespace="AWS/EC2", MetricName="CPUUtilization", Period=60)
    bill = _bill([Change("alarm", "a", Action.CREATE, State("alarm", "a", standard))], "eu-west-1")
    assert bill.prices.region == "us-east-1"
    assert bill.delta == Decimal("0.10")
    assert any("eu-west-1" in note for note in bill.notes)


def test_shop_plan_carries_its_bill_in_text_and_json(aws: SessionFactory, tmp_path: Path) -> None:
    root = write_config(tmp_path / "shop", shop_files({"dashboards/boards.yaml": DASHBOARDS}))
    first = plan(context(aws, root))
    # api-errors, api-latency-p95: one metric each; api-error-rate: two; api-down: a composite;
    # four dashboards, one beyond the free three.
    assert _lines(monthly_cost(first)) == {
        "standard_alarm_metric": (4, 0, Decimal("0.40")),
        "composite_alarm": (1, 0, Decimal("0.50")),
        "dashboard": (4, 0, Decimal("3.00")),
    }
    as_json = json.loads(json.dumps(plan_json(first)))["monthly_cost"]
    assert as_json["delta"] == 3.9
    assert as_json["prices"] == {
        "region": "us-east-1",
        "source": "https://aws.amazon.com/cloudwatch/pricing/",
        "read": "2026-12-02",
    }
    assert {line["item"]: line["billed"] for line in as_json["lines"]} == {
        "standard_alarm_metric": 4,
        "high_resolution_alarm_metric": 0,
        "composite_alarm": 1,
        "dashboard": 1,
    }
    console = Console(record=True, width=200)
    render_plan(first, console)
    text = console.export_text()
    assert "Monthly CloudWatch cost of this change: +$3.90" in text
    assert f"  +4 standard alarm metrics {TIMES} $0.10 = +$0.40" in text
    assert f"  +1 composite alarm {TIMES} $0.50 = +$0.50" in text
    assert f"  +4 dashboards (1 beyond the first 3 free) {TIMES} $3.00 = +$3.00" in text
    assert "SNS notifications are billed by SNS and not included" in " ".join(text.split())
    assert text.rstrip().endswith("Plan: 15 to create, 0 to update, 0 to replace, 0 to delete.")

    assert apply(context(aws, root), first).ok
    periods = {
        a["AlarmName"]: a.get("Period")
        for a in aws.client("cloudwatch").describe_alarms()["MetricAlarms"]
    }
    assert periods["shop-api-errors"] == 60

    # api-errors goes to 10 s (high resolution), the composite and a dashboard go away
    alarms = ALARMS.replace("    for: 3m\n", "    period: 10s\n    for: 30s\n", 1)
    alarms = alarms[: alarms.index("composites:")]
    boards = DASHBOARDS[: DASHBOARDS.index("  - name: board-3")]
    write_config(root, {"alarms/shop.yaml": alarms, "dashboards/boards.yaml": boards})
    second = plan(context(aws, root))
    assert {(c.key, c.action) for c in second.changes} >= {
        ("shop-api-errors", Action.UPDATE),
        ("shop-api-down", Action.DELETE),
        ("shop-board-3", Action.DELETE),
    }
    bill = monthly_cost(second)
    assert _lines(bill) == {
        "standard_alarm_metric": (0, 1, Decimal("-0.10")),
        "high_resolution_alarm_metric": (1, 0, Decimal("0.30")),
        "composite_alarm": (0, 1, Decimal("-0.50")),
        "dashboard": (0, 1, Decimal("-3.00")),
    }
    assert bill.delta == Decimal("-3.30")
    console = Console(record=True, width=200)
    render_plan(second, console)
    assert "Monthly CloudWatch cost of this change: -$3.30" in console.export_text()

    assert apply(context(aws, root), second).ok
    alarm = aws.client("cloudwatch").describe_alarms(AlarmNames=["shop-api-errors"])
    assert alarm["MetricAlarms"][0]["Period"] == 10
    assert monthly_cost(plan(context(aws, root))).changed == []
