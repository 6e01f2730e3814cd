"""``plan --out FILE`` and ``apply FILE``: exactly the reviewed plan, or nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import time_machine
from click.testing import Result

from cli.shop_commands import invoke, share_session
from sentinel.aws.session import SessionFactory
from sentinel.cli.sync import apply_command, drift_command, plan_command
from sentinel.sync.plan_file import FORMAT, VERSION
from sync.shop import (
    CPU_ALARMS,
    PAGERDUTY_KEY,
    PROJECT,
    rewrite_alarm,
    shop_files,
    write_config,
)

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")

READ_AT = datetime(2026, 11, 30, 9, 15, tzinfo=UTC)


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    share_session(aws, monkeypatch)


@pytest.fixture
def shop(tmp_path: Path) -> Path:
    return write_config(tmp_path / "shop", shop_files({"alarms/cpu.yaml": CPU_ALARMS}))


def run(*args: str) -> Result:
    return invoke({"plan": plan_command, "apply": apply_command, "drift": drift_command}, *args)


def _alarms(aws: SessionFactory) -> dict[str, dict[str, Any]]:
    pages = aws.client("cloudwatch").get_paginator("describe_alarms").paginate()
    return {a["AlarmName"]: a for page in pages for a in page["MetricAlarms"]}


def _save(shop: Path, out: Path, *args: str) -> dict[str, Any]:
    with time_machine.travel(READ_AT, tick=False):
        result = run("plan", "-C", str(shop), "--out", str(out), *args)
    assert result.exit_code == 0, result.output
    assert f"Saved the plan to {out}: apply it with `sentinel apply {out}`." in result.output
    text = out.read_text(encoding="utf-8")
    assert PAGERDUTY_KEY not in text
    saved: dict[str, Any] = json.loads(text)
    return saved


def test_saved_plan_records_what_was_reviewed(aws: SessionFactory, shop: Path, tmp_path: Path):
    saved = _save(shop, tmp_path / "plan.json")
    assert saved["format"] == FORMAT and saved["version"] == VERSION == 1
    assert (saved["project"], saved["region"], saved["account"]) == (
        "shop",
        "us-east-1",
        "123456789012",
    )
    assert saved["read_at"] == "2026-11-30T09:15:00Z"
    assert saved["targets"] == []
    assert sorted(saved["config"]["files"]) == [
        "alarms/cpu.yaml",
        "alarms/routing.yaml",
        "alarms/shop.yaml",
        "sentinel.yaml",
    ]
    assert saved["config"]["digest"].startswith("sha256:")
    assert saved["summary"]["create"] == 13 and saved["unchanged"] == []
    by_key = {(c["kind"], c["key"]): c for c in saved["changes"]}
    alarm = by_key[("alarm", "shop-web-cpu-high")]
    assert alarm["action"] == "create" and alarm["actual_digest"] is None
    assert alarm["desired"]["threshold"] == 80.0
    assert alarm["source"].endswith("alarms/cpu.yaml:2")
    # The PagerDuty endpoint is shown as the plan shows it; the key is in no form in the file.
    pagerduty = next(c for c in saved["changes"] if c["key"].startswith("shop-critical/https:"))
    assert pagerduty["desired"]["endpoint"] == "(sensitive)"


def test_same_config_on_two_checkouts_has_one_digest(
    aws: SessionFactory, shop: Path, tmp_path: Path
) -> None:
    other = write_config(
        tmp_path / "elsewhere" / "shop", shop_files({"alarms/cpu.yaml": CPU_ALARMS})
    )
    crlf = other / "alarms" / "cpu.yaml"
    crlf.write_bytes(b"\xef\xbb\xbf" + crlf.read_bytes().replace(b"\n", b"\r\n"))
    one = _save(shop, tmp_path / "one.json")
    two = _save(other, tmp_path / "two.json")
    assert one["config"] == two["config"]


def test_saved_plan_applies_without_a_prompt(aws: SessionFactory, shop: Path, tmp_path: Path):
    out = tmp_path / "plan.json"
    _save(shop, out)
    result = run("apply", "-C", str(shop), str(out))  # off a terminal, no --auto-approve
    assert result.exit_code == 0, result.output
    assert "Apply complete: 13 change(s) applied." in result.output
    assert sorted(_alarms(aws)) == [
        "shop-api-error-rate",
        "shop-api-errors",
        "shop-api-latency-p95",
        "shop-db-cpu-high",
        "shop-web-cpu-high",
    ]
    assert _alarms(aws)["shop-web-cpu-high"]["Threshold"] == 80.0
    assert run("plan", "-C", str(shop), "--detailed-exitcode").exit_code == 0
    # Applied once, the plan is stale: every create is now in AWS.
    again = run("apply", "-C", str(shop), str(out))
    assert again.exit_code == 1
    assert "is stale: 13 resource(s) changed since it was made" in again.output
    assert "alarm shop-web-cpu-high: created in AWS since the plan was made" in again.output


def test_config_changed_since_the_plan_is_refused(
    aws: SessionFactory, shop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.json"
    _save(shop, out)
    write_config(shop, {"alarms/cpu.yaml": CPU_ALARMS.replace('"> 80"', '"> 85"')})
    (shop / "alarms" / "more.yaml").write_text("alarms: []\n", encoding="utf-8")
    result = run("apply", "-C", str(shop), str(out))
    assert result.exit_code == 1
    assert (
        f"error: the configuration changed since {out} was made: alarms/cpu.yaml (changed), "
        "alarms/more.yaml (added); nothing was written" in result.output
    )
    assert _alarms(aws) == {}
    assert aws.client("sns").list_topics()["Topics"] == []


def test_resources_changed_in_aws_since_the_plan_are_named(
    aws: SessionFactory, shop: Path, tmp_path: Path
) -> None:
    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0
    write_config(shop, {"alarms/cpu.yaml": CPU_ALARMS.replace('"> 80"', '"> 85"')})
    out = tmp_path / "plan.json"
    saved = _save(shop, out)
    assert [(c["kind"], c["key"], c["action"]) for c in saved["changes"]] == [
        ("alarm", "shop-web-cpu-high", "update")
    ]
    assert saved["changes"][0]["changed"] == ["threshold"]
    unchanged = {(u["kind"], u["key"]) for u in saved["unchanged"]}
    assert ("alarm", "shop-db-cpu-high") in unchanged and len(unchanged) == 12
    assert all(u["actual_digest"].startswith("sha256:") for u in saved["unchanged"])

    rewrite_alarm(aws, "shop-web-cpu-high", Threshold=70.0)  # the one the plan updates
    rewrite_alarm(aws, "shop-db-cpu-high", Threshold=95.0)  # one the plan leaves as it is
    aws.client("cloudwatch").delete_alarms(AlarmNames=["shop-api-errors"])
    result = run("apply", "-C", str(shop), str(out))
    assert result.exit_code == 1
    assert f"error: {out} is stale: 3 resource(s) changed since it was made" in result.output
    assert "(AWS read at 2026-11-30T09:15:00+00:00); nothing was written" in result.output
    assert "  - alarm shop-api-errors: deleted in AWS since the plan was made" in result.output
    assert (
        "  - alarm shop-db-cpu-high: changed in AWS since the plan was made (now to update)"
        in result.output
    )
    assert "  - alarm shop-web-cpu-high: changed in AWS since the plan was made" in result.output
    alarms = _alarms(aws)
    assert alarms["shop-web-cpu-high"]["Threshold"] == 70.0
    assert alarms["shop-db-cpu-high"]["Threshold"] == 95.0
    assert "shop-api-errors" not in alarms


def test_an_update_plan_applies_exactly(aws: SessionFactory, shop: Path, tmp_path: Path) -> None:
    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0
    write_config(shop, {"alarms/cpu.yaml": CPU_ALARMS.replace('"> 80"', '"> 85"')})
    out = tmp_path / "plan.json"
    _save(shop, out)
    result = run("apply", "-C", str(shop), str(out))
    assert result.exit_code == 0, result.output
    assert "updated alarm shop-web-cpu-high" in result.output
    assert "Apply complete: 1 change(s) applied." in result.output
    assert _alarms(aws)["shop-web-cpu-high"]["Threshold"] == 85.0


def test_plan_of_another_project_is_refused(aws: SessionFactory, shop: Path, tmp_path: Path):
    out = tmp_path / "plan.json"
    _save(shop, out)
    web = write_config(
        tmp_path / "web", shop_files({"sentinel.yaml": PROJECT.replace("shop", "web")})
    )
    result = run("apply", "-C", str(web), str(out))
    assert result.exit_code == 1
    assert f"error: {out} is a plan of project 'shop'; the configuration in {web} is " in (
        result.output.replace("\n", " ")
    )
    assert "project 'web'" in result.output
    assert _alarms(aws) == {}


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ('{"format": "sentinel-plan", "version": 1, "project": ', "invalid JSON"),
        ("[1, 2]", 'not a plan file of Sentinel (no "format": "sentinel-plan")'),
        ('{"format": "sentinel-plan", "version": 2}', "plan file format version 2;"),
        ('{"format": "sentinel-plan"}', "plan file format version null;"),
        ('{"format": "sentinel-plan", "version": 1}', "a corrupt plan file: project: Field"),
    ],
)
def test_unreadable_plan_files_are_refused(
    aws: SessionFactory, shop: Path, tmp_path: Path, text: str, reason: str
) -> None:
    out = tmp_path / "plan.json"
    out.write_text(text, encoding="utf-8")
    result = run("apply", "-C", str(shop), str(out))
    assert result.exit_code == 1
    assert reason in result.output.replace("\n", " ")
    assert _alarms(aws) == {}


def test_another_version_of_a_real_plan_is_refused(
    aws: SessionFactory, shop: Path, tmp_path: Path
) -> None:
    out = tmp_path / "plan.json"
    saved = _save(shop, out)
    out.write_text(json.dumps(saved | {"version": 2}), encoding="utf-8")
    result = run("apply", "-C", str(shop), str(out))
    assert result.exit_code == 1
    assert f"{out}: plan file format version 2; this Sentinel reads version 1" in (
        result.output.replace("\n", " ")
    )
    missing = run("apply", "-C", str(shop), str(tmp_path / "none.json"))
    assert missing.exit_code == 1
    assert "cannot read the plan file" in missing.output and "No such file" in missing.output
    assert _alarms(aws) == {}


def test_a_plan_that_cannot_be_written_exits_1(aws: SessionFactory, shop: Path, tmp_path: Path):
    out = tmp_path / "no-such-directory" / "plan.json"
    result = run("plan", "-C", str(shop), "--out", str(out))
    assert result.exit_code == 1
    assert f"error: cannot write the plan to {out}: No such file or directory" in (
        " ".join(result.output.split())
    )
    assert not out.parent.exists()


def test_a_saved_plan_of_adoptions_applies_only_the_tags(
    aws: SessionFactory, shop: Path, tmp_path: Path
) -> None:
    assert run("apply", "-C", str(shop), "--auto-approve").exit_code == 0
    cloudwatch = aws.client("cloudwatch")
    arn = _alarms(aws)["shop-web-cpu-high"]["AlarmArn"]
    ownership = ["sentinel:project", "sentinel:managed-by"]
    cloudwatch.untag_resource(ResourceARN=arn, TagKeys=ownership)  # as if made by hand
    before = _alarms(aws)["shop-web-cpu-high"]
    out = tmp_path / "plan.json"

    saved = _save(shop, out)

    assert saved["summary"]["adopt"] == 1
    [change] = saved["changes"]
    assert (change["kind"], change["key"], change["action"]) == (
        "alarm",
        "shop-web-cpu-high",
        "adopt",
    )
    result = run("apply", "-C", str(shop), str(out))
    assert result.exit_code == 0, result.output
    assert "✓ adopted alarm shop-web-cpu-high" in result.output
    assert _alarms(aws)["shop-web-cpu-high"] == before
    tags = {t["Key"] for t in cloudwatch.list_tags_for_resource(ResourceARN=arn)["Tags"]}
    assert set(ownership) <= tags
    # Adopted once, the saved plan is stale: the alarm is now the project's, unchanged.
    again = run("apply", "-C", str(shop), str(out))
    assert again.exit_code == 1 and "was to adopt" in again.output
