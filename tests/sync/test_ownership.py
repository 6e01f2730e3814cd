"""Ownership read across every page of the Tagging API: hundreds of alarms, all ours."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.errors import RefusedError
from sentinel.sync.engine import apply, plan
from sentinel.sync.mass_delete import check_mass_delete
from sentinel.sync.model import Action

from .shop import context, shop_files, write_config

ALARMS = 300


def _rules(threshold: int) -> str:
    rules = "\n".join(
        f"  - {{name: queue-{n:03d}, severity: warning, namespace: AWS/SQS, "
        f"metric: ApproximateNumberOfMessagesVisible, dimensions: {{QueueName: q{n}}}, "
        f'statistic: Maximum, condition: "> {threshold}"}}'
        for n in range(ALARMS)
    )
    return f"alarms:\n{rules}\n"


def _project(aws: SessionFactory, tmp_path: Path) -> Path:
    root = write_config(tmp_path / "queues", shop_files({"alarms/shop.yaml": _rules(100)}))
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx))
    assert report.ok, [(r.change.key, r.error) for r in report.failed]
    return root


def _alarm_names(aws: SessionFactory) -> list[str]:
    pages = aws.client("cloudwatch").get_paginator("describe_alarms").paginate()
    return [a["AlarmName"] for page in pages for a in page["MetricAlarms"]]


def test_300_changed_alarms_are_300_updates_not_conflicts(
    aws: SessionFactory, tmp_path: Path, small_tagging_pages: int
) -> None:
    root = _project(aws, tmp_path)
    write_config(root, {"alarms/shop.yaml": _rules(200)})

    changed = plan(context(aws, root))

    assert changed.conflicts == []
    assert changed.count(Action.UPDATE) == ALARMS
    assert changed.managed["alarm"] == ALARMS
    assert apply(context(aws, root), changed).ok
    thresholds = {
        a["Threshold"]
        for page in aws.client("cloudwatch").get_paginator("describe_alarms").paginate()
        for a in page["MetricAlarms"]
    }
    assert thresholds == {200.0}


def test_an_allowed_mass_delete_leaves_nothing_owned_behind(
    aws: SessionFactory, tmp_path: Path, small_tagging_pages: int
) -> None:
    root = _project(aws, tmp_path)
    write_config(root, {"alarms/shop.yaml": "", "alarms/routing.yaml": ""})
    ctx = context(aws, root)

    emptied = plan(ctx)
    with pytest.raises(RefusedError):
        check_mass_delete(emptied, allow_mass_delete=False)
    check_mass_delete(emptied, allow_mass_delete=True)
    report = apply(ctx, emptied)

    assert report.ok and emptied.count(Action.DELETE) == emptied.managed_total
    assert _alarm_names(aws) == []
    assert aws.client("sns").list_topics()["Topics"] == []
    assert plan(context(aws, root)).is_empty
