"""``plan --format markdown``: a pull-request comment under GitHub's limit, cut short when long."""

from __future__ import annotations

import re
from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.sync.alarms import normalise_alarm
from sentinel.sync.diff import field_changes
from sentinel.sync.engine import plan
from sentinel.sync.model import Action, Change, Conflict, Plan, PlanWarning, State
from sentinel.sync.render_markdown import GITHUB_COMMENT_LIMIT, render_markdown

from .shop import PAGERDUTY_KEY, context


def test_small_plan_has_counts_then_one_section_per_kind(aws: SessionFactory, shop: Path) -> None:
    text = render_markdown(plan(context(aws, shop)))
    assert PAGERDUTY_KEY not in text
    assert text.startswith("## Sentinel plan: `shop` in us-east-1\n")
    assert "**Plan: 11 to create, 0 to update, 0 to replace, 0 to delete.**" in text
    table = text[text.index("| Kind |") : text.index("\n\n", text.index("| Kind |"))]
    assert table.splitlines() == [
        "| Kind | create |",
        "| --- | ---: |",
        "| topic | 2 |",
        "| subscription | 5 |",
        "| alarm | 3 |",
        "| composite alarm | 1 |",
        "| **total** | **11** |",
    ]
    summaries = re.findall(r"<details><summary><b>(.+?)</b>: (.+?)</summary>", text)
    assert summaries == [
        ("topic", "2 to create"),
        ("subscription", "5 to create"),
        ("alarm", "3 to create"),
        ("composite alarm", "1 to create"),
    ]
    assert text.count("</details>") == 4
    assert "- `+` **`shop-api-errors`**" in text
    assert "  - `threshold`: `50.0`" in text
    assert '`"(sensitive)"`' in text  # the PagerDuty endpoint, as the plan shows it
    assert "### Monthly CloudWatch cost of this change: +$0.90" in text
    assert "not shown" not in text


def test_updates_conflicts_and_warnings() -> None:
    old = normalise_alarm({"AlarmName": "shop-a", "Threshold": 50, "Period": 60})
    new = {**old, "threshold": 80.0}
    desired, actual = State("alarm", "shop-a", new), State("alarm", "shop-a", old)
    result = Plan(
        project="shop",
        region="us-east-1",
        changes=[
            Change(
                "alarm", "shop-a", Action.UPDATE, desired, actual, field_changes(desired, actual)
            )
        ],
        conflicts=[Conflict("topic", "shop-critical", "exists in AWS, owned by project 'x'")],
        warnings=[PlanWarning("alarms/a.yaml:3", "template `cpu` matches no resource")],
    )
    text = render_markdown(result)
    assert "| alarm | 1 |" in text and "| Kind | update |" in text
    assert "### Conflicts (1)\n\n- **`topic` `shop-critical`**: exists in AWS, owned by" in text
    assert "- `alarms/a.yaml:3`: template \\`cpu\\` matches no resource" in text
    assert "  - `threshold`: `50.0` → `80.0`" in text
    assert text.index("### Conflicts") < text.index("### Warnings") < text.index("<details>")


def test_thousands_of_changes_stay_under_the_comment_limit() -> None:
    changes = []
    for n in range(4000):
        fields = normalise_alarm(
            {
                "AlarmName": f"shop-queue-{n:04d}-depth",
                "AlarmDescription": "Messages waiting in the queue for too long " * 3,
                "Namespace": "AWS/SQS",
                "MetricName": "ApproximateNumberOfMessagesVisible",
                "Dimensions": [{"Name": "QueueName", "Value": f"queue-{n:04d}"}],
                "Period": 60,
                "Threshold": 100,
            }
        )
        state = State("alarm", f"shop-queue-{n:04d}-depth", fields)
        changes.append(
            Change("alarm", state.key, Action.CREATE, state, None, field_changes(state, None))
        )
    for n in range(1500):
        state = State("dashboard", f"shop-board-{n}", {"widgets": [{"type": "text"}]})
        changes.append(Change("dashboard", state.key, Action.DELETE, None, state))
    result = Plan(project="shop", region="us-east-1", changes=changes)
    result.managed["dashboard"] = 1500

    text = render_markdown(result)
    assert len(text) < GITHUB_COMMENT_LIMIT
    assert text.startswith("> [!NOTE]\n> This plan is too long for one comment")
    # the counts and the cost are whole; the sections say what they leave out
    assert "| alarm | 4000 | 0 |" in text
    assert "| dashboard | 0 | 1500 |" in text
    assert "### Monthly CloudWatch cost of this change: -$4091.00" in text
    shown = text.count("- `+` **`shop-queue-")
    assert 0 < shown < 4000
    assert f"… {4000 - shown} more changes not shown; run `sentinel plan` for the full plan" in text
    deleted = text.count("- `-` **`shop-board-")
    assert 0 < deleted < 1500
    assert f"… {1500 - deleted} more changes not shown" in text
    assert text.count("</details>") == 2
    # a small limit too: every part still fits
    small = render_markdown(result, limit=5_000)
    assert len(small) < 5_000 and "more changes not shown" in small
