"""Targets: how KIND[:NAME] is read, and a narrowed plan against the whole one."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.errors import TargetError
from sentinel.sync.engine import apply, plan
from sentinel.sync.kinds import all_kinds
from sentinel.sync.targets import Target, narrow, parse_targets, plan_targets

from .shop import CPU_ALARMS, context, rewrite_alarm, shop_files, write_config


def test_kinds_are_read_as_plans_print_them() -> None:
    assert parse_targets(
        ["alarm:*cpu*", "composite alarm:api-down", "composite-alarm", "topic"]
    ) == [
        Target("alarm", "*cpu*"),
        Target("composite alarm", "api-down"),
        Target("composite alarm"),
        Target("topic"),
    ]
    assert parse_targets(["burn-rate:x", "Alarm:y", "alarm:y"]) == [
        Target("burn-rate alarm", "x"),
        Target("alarm", "y"),
    ]
    with pytest.raises(TargetError) as raised:
        parse_targets(["alarms:x", ":x", "alarm:"])
    message = str(raised.value)
    assert "--target 'alarms:x': unknown kind 'alarms'; the kinds are " in message
    assert ", ".join(kind.name for kind in all_kinds()[:3]) in message
    assert "--target ':x': no KIND before the ':'" in message
    assert "--target 'alarm:': no NAME after the ':'" in message


def test_names_match_with_or_without_the_prefix() -> None:
    target = Target("alarm", "*cpu*")
    assert target.matches("alarm", "shop-web-cpu-high", "shop")
    assert not target.matches("composite alarm", "shop-web-cpu-high", "shop")
    assert Target("alarm", "web-*").matches("alarm", "shop-web-cpu-high", "shop")
    assert Target("alarm", "shop-web-*").matches("alarm", "shop-web-cpu-high", "shop")
    assert not Target("alarm", "Web-*").matches("alarm", "shop-web-cpu-high", "shop")
    assert Target("subscription", "critical/email:*").matches(
        "subscription", "shop-critical/email:oncall@shop.example.com", "shop"
    )


def test_everything_targeted_is_the_whole_plan(aws: SessionFactory, tmp_path: Path) -> None:
    root = write_config(tmp_path / "shop", shop_files({"alarms/cpu.yaml": CPU_ALARMS}))
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok
    rewrite_alarm(aws, "shop-web-cpu-high", Threshold=70.0)
    ctx = context(aws, root)
    whole = plan(ctx)
    every = [Target(kind.name) for kind in all_kinds() if whole.desired.get(kind.name)]
    narrowed = narrow(whole, every)
    assert narrowed.changes == whole.changes and len(whole.changes) == 1
    assert narrowed.unchanged == whole.unchanged == 12
    assert len(whole.unchanged_keys()) == whole.unchanged


def test_a_targeted_plan_reads_only_what_it_needs(aws: SessionFactory, tmp_path: Path) -> None:
    root = write_config(tmp_path / "shop", shop_files({"alarms/cpu.yaml": CPU_ALARMS}))
    targeted = plan_targets(context(aws, root), [Target("alarm", "*cpu*")])
    # Alarms, and the topics they point at (their owners decide what an alarm may point at).
    assert sorted(targeted.actual) == ["alarm", "topic"]
    assert {c.key for c in targeted.changes} == {"shop-web-cpu-high", "shop-db-cpu-high"}
    assert targeted.desired["alarm"].keys() == {"shop-web-cpu-high", "shop-db-cpu-high"}
    assert targeted.desired["topic"] == {}
