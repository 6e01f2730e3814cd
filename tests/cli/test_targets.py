"""``--target KIND[:NAME]`` narrows plan, apply, drift and saved plans to the matching resources."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import Result

from cli.shop_commands import invoke, share_session
from sentinel.aws.session import SessionFactory
from sentinel.cli.sync import apply_command, drift_command, plan_command
from sync.shop import ALARMS, CPU_ALARMS, rewrite_alarm, shop_files, write_config

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")
CPU = "alarm:*cpu*"


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    share_session(aws, monkeypatch)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write_config(tmp_path / "shop", shop_files({"alarms/cpu.yaml": CPU_ALARMS}))


def run(*args: str) -> Result:
    return invoke({"plan": plan_command, "apply": apply_command, "drift": drift_command}, *args)


def _alarms(aws: SessionFactory) -> dict[str, float]:
    pages = aws.client("cloudwatch").get_paginator("describe_alarms").paginate()
    return {a["AlarmName"]: a["Threshold"] for page in pages for a in page["MetricAlarms"]}


def _composites(aws: SessionFactory) -> list[str]:
    alarms = aws.client("cloudwatch").describe_alarms(AlarmTypes=["CompositeAlarm"])
    return [a["AlarmName"] for a in alarms["CompositeAlarms"]]


def test_plan_and_apply_write_only_the_targets(aws: SessionFactory, shop: Path) -> None:
    planned = run("plan", "-C", str(shop), "--target", CPU)
    assert planned.exit_code == 0, planned.output
    assert "+ alarm shop-db-cpu-high" in planned.output
    assert "+ alarm shop-web-cpu-high" in planned.output
    assert "shop-api-errors" not in planned.output and "+ topic" not in planned.output
    assert "Plan: 2 to create, 0 to update, 0 to replace, 0 to delete." in planned.output
    # The topic they notify is not in AWS yet: the plan says so, and how to include it.
    assert (
        "cpu.yaml:2: warning: alarm shop-web-cpu-high points at topic shop-warning, which is not "
        "in AWS yet and not targeted: add --target topic:shop-warning"
        in " ".join(planned.output.split())
    )

    applied = run("apply", "-C", str(shop), "--target", CPU, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert _alarms(aws) == {"shop-db-cpu-high": 90.0, "shop-web-cpu-high": 80.0}
    assert aws.client("sns").list_topics()["Topics"] == []
    assert _composites(aws) == []

    # Targets without a name and by a first word: the topics, the composite alarm and the two
    # alarms its rule uses (AWS refuses a composite over alarms that do not exist).
    more = run(
        "apply", "-C", str(shop), "--target", "topic", "--target", "composite:api-*",
        "--target", "alarm:api-error*", "--auto-approve",
    )  # fmt: skip
    assert more.exit_code == 0, more.output
    assert len(aws.client("sns").list_topics()["Topics"]) == 2
    assert _composites(aws) == ["shop-api-down"]
    assert set(_alarms(aws)) == {
        "shop-db-cpu-high",
        "shop-web-cpu-high",
        "shop-api-errors",
        "shop-api-error-rate",
    }


def test_deletions_are_narrowed_too(aws: SessionFactory, shop: Path) -> None:
    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0
    # The cpu alarms and the p95 alarm leave the config; only the cpu ones are targeted.
    without_p95 = (
        ALARMS.split("  - name: api-latency-p95")[0]
        + ALARMS.split("    treat_missing: missing\n")[1]
    )
    write_config(shop, {"alarms/cpu.yaml": "", "alarms/shop.yaml": without_p95})
    planned = run("plan", "-C", str(shop), "--target", CPU, "--json")
    assert planned.exit_code == 0, planned.output
    assert {(c["action"], c["name"]) for c in json.loads(planned.stdout)["changes"]} == {
        ("delete", "shop-web-cpu-high"),
        ("delete", "shop-db-cpu-high"),
    }
    # 2 of 5 managed alarms: the guard judges the whole kind, not the targeted share.
    applied = run("apply", "-C", str(shop), "--target", CPU, "--auto-approve")
    assert applied.exit_code == 0, applied.output
    assert set(_alarms(aws)) == {"shop-api-errors", "shop-api-error-rate", "shop-api-latency-p95"}


def test_drift_of_the_targets_only(aws: SessionFactory, shop: Path) -> None:
    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0
    rewrite_alarm(aws, "shop-web-cpu-high", Threshold=70.0)
    rewrite_alarm(aws, "shop-api-errors", Threshold=99.0)
    drifted = run("drift", "-C", str(shop), "--target", CPU)
    assert drifted.exit_code == 2
    assert "changed alarm shop-web-cpu-high:" in drifted.output
    assert "threshold: config 80.0, AWS 70.0" in drifted.output
    assert "shop-api-errors" not in drifted.output
    assert "Drift: 1 resource(s) differ from the configuration." in drifted.output
    # A name without the project prefix matches too.
    clean = run("drift", "-C", str(shop), "--target", "alarm:db-cpu-high")
    assert clean.exit_code == 0, clean.output
    assert "No drift." in clean.output


def test_a_saved_plan_keeps_its_targets(aws: SessionFactory, shop: Path, tmp_path: Path) -> None:
    out = tmp_path / "cpu.json"
    saved = run("plan", "-C", str(shop), "--target", CPU, "--out", str(out))
    assert saved.exit_code == 0, saved.output
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["targets"] == [CPU]
    assert {c["key"] for c in data["changes"]} == {"shop-db-cpu-high", "shop-web-cpu-high"}

    other = run("apply", "-C", str(shop), str(out), "--target", "alarm:*api*")
    assert other.exit_code == 1
    assert f"{out} was made with the targets alarm:*cpu*; apply of a saved plan uses" in (
        other.output.replace("\n", " ")
    )
    assert _alarms(aws) == {}

    # A change outside the targets does not make the plan stale: a hand-made alarm of a name
    # the config holds, not targeted.
    aws.client("cloudwatch").put_metric_alarm(
        AlarmName="shop-api-errors", MetricName="Errors", Namespace="Shop", Statistic="Sum",
        Period=60, EvaluationPeriods=1, Threshold=1.0, ComparisonOperator="GreaterThanThreshold",
    )  # fmt: skip
    applied = run("apply", "-C", str(shop), str(out))
    assert applied.exit_code == 0, applied.output
    assert _alarms(aws) == {
        "shop-api-errors": 1.0,
        "shop-db-cpu-high": 90.0,
        "shop-web-cpu-high": 80.0,
    }


def test_a_saved_plan_is_stale_when_what_its_targets_point_at_changes(
    aws: SessionFactory, shop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cpu.json"
    assert run("plan", "-C", str(shop), "--target", CPU, "--out", str(out)).exit_code == 0
    # The topic the cpu alarms notify is made by hand: Sentinel must not point them at it.
    aws.client("sns").create_topic(Name="shop-warning")
    result = run("apply", "-C", str(shop), str(out))
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "is stale: 2 resource(s) changed since it was made" in output
    assert (
        "- alarm shop-db-cpu-high: now a conflict: points at topic shop-warning, which Sentinel "
        "does not own (see its conflict)" in output
    )
    assert _alarms(aws) == {}


@pytest.mark.parametrize("command", ["plan", "apply", "drift"])
def test_a_target_that_matches_nothing_exits_1(
    aws: SessionFactory, shop: Path, command: str
) -> None:
    extra = ["--auto-approve"] if command == "apply" else []
    result = run(
        command, "-C", str(shop), "--target", "alarm:*memory*", "--target", "budget", *extra
    )
    assert result.exit_code == 1
    assert (
        "error: --target alarm:*memory* matches nothing: no alarm named '*memory*' in the "
        "configuration or in AWS; --target budget matches nothing: no budget in the "
        "configuration or in AWS" in result.output.replace("\n", " ")
    )
    assert _alarms(aws) == {}


def test_an_unknown_kind_exits_1_listing_the_kinds(aws: SessionFactory, shop: Path) -> None:
    result = run("plan", "-C", str(shop), "--target", "alrm:*cpu*", "--target", "alarm:")
    assert result.exit_code == 1
    output = " ".join(result.output.split())
    assert "--target 'alrm:*cpu*': unknown kind 'alrm'; the kinds are topic, subscription, " in (
        output
    )
    assert "alarm, composite alarm (or composite-alarm, composite), dashboard, budget" in output
    assert "--target 'alarm:': no NAME after the ':' (KIND[:NAME])" in output
