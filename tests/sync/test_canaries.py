"""Synthetics canaries of ``uptime:``: what lands in Synthetics and CloudWatch, a script change
is an update, drift names the field, removal stops and deletes, listing follows every page."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.sync.canaries import KIND, Canaries, describe_canaries
from sentinel.sync.canary_code import HANDLER, MODULE, canary_zip, runtime_version
from sentinel.sync.engine import plan
from sentinel.sync.model import Action

from .shop import context
from .uptime import UptimeProject, uptime_alarms

ROLE = "arn:aws:iam::123456789012:role/shop-canary"
UPTIME = f"""\
uptime_defaults:
  canary_role: {ROLE}
  artifacts: s3://shop-canary-artifacts/runs
uptime:
  - name: homepage
    canary: https://shop.example.com/
    every: 5m
    success_below: 90%
    severity: warning
  - name: api-flow
    canary:
      requests:
        - {{method: GET, url: "https://api.shop.example.com/health", expect: 200}}
        - {{method: POST, url: "https://api.shop.example.com/login", body: "{{}}", expect: 401}}
    every: 1h
    severity: critical
"""
KINDS = [Canaries()]


PROJECT = UptimeProject(UPTIME, KINDS)
_root, _converge = PROJECT.root, PROJECT.converge


def _canaries(aws: SessionFactory) -> dict[str, dict]:
    return {c["Name"]: c for c in describe_canaries(aws.client("synthetics"))}


def test_apply_writes_running_canaries_and_their_alarms(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = _root(tmp_path)
    _converge(aws, root)
    canaries = _canaries(aws)
    assert set(canaries) == {"shop-homepage", "shop-api-flow"}
    home = canaries["shop-homepage"]
    assert home["Status"]["State"] == "RUNNING"
    assert home["Schedule"]["Expression"] == "rate(5 minutes)"
    assert canaries["shop-api-flow"]["Schedule"]["Expression"] == "rate(1 hour)"
    assert home["ExecutionRoleArn"] == ROLE
    assert home["ArtifactS3Location"] == "shop-canary-artifacts/runs"
    assert home["RuntimeVersion"] == runtime_version()
    assert home["Code"]["Handler"] == HANDLER
    assert home["Tags"]["sentinel:project"] == "shop"

    alarms = uptime_alarms(aws)
    alarm = alarms["shop/uptime/homepage"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("CloudWatchSynthetics", "SuccessPercent")
    assert alarm["Dimensions"] == [{"Name": "CanaryName", "Value": "shop-homepage"}]
    assert (alarm["Threshold"], alarm["Period"]) == (90.0, 300)
    assert alarm["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:shop-warning"]
    assert alarms["shop/uptime/api-flow"]["Threshold"] == 100.0
    assert alarms["shop/uptime/api-flow"]["AlarmActions"] == [
        "arn:aws:sns:us-east-1:123456789012:shop-critical"
    ]
    assert plan(context(aws, root), KINDS).is_empty


def test_the_zip_holds_the_requests_and_is_stable() -> None:
    from sentinel.config.models.uptime import UptimeCheck
    from sentinel.sync.canary_code import canary_script

    check = UptimeCheck(name="x", canary="https://shop.example.com/", severity="warning")
    archive = canary_zip(canary_script(check))
    assert archive == canary_zip(canary_script(check))
    with zipfile.ZipFile(io.BytesIO(archive)) as opened:
        source = opened.read(f"python/{MODULE}.py").decode()
    assert "https://shop.example.com/" in source
    compile(source, "canary", "exec")


def test_drift_names_the_field_and_a_new_url_updates_the_script(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = _root(tmp_path)
    _converge(aws, root)
    synthetics = aws.client("synthetics")
    synthetics.update_canary(Name="shop-homepage", Schedule={"Expression": "rate(30 minutes)"})
    [change] = plan(context(aws, root), KINDS).changes
    assert (change.kind, change.key, change.action) == (KIND, "shop-homepage", Action.UPDATE)
    assert [(f.field, f.old, f.new) for f in change.fields] == [
        ("schedule", "rate(30 minutes)", "rate(5 minutes)")
    ]
    moved = _root(
        tmp_path, UPTIME.replace("https://shop.example.com/", "https://www.shop.example.com/")
    )
    [change] = plan(context(aws, moved), KINDS).changes
    assert {f.field for f in change.fields} == {"script", "schedule"}
    _converge(aws, moved)
    assert _canaries(aws)["shop-homepage"]["Schedule"]["Expression"] == "rate(5 minutes)"
    assert plan(context(aws, moved), KINDS).is_empty


def test_removal_stops_and_deletes_the_canary_and_its_alarm(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _converge(aws, _root(tmp_path))
    root = _root(tmp_path, UPTIME.split("  - name: api-flow")[0])
    _converge(aws, root)
    assert set(_canaries(aws)) == {"shop-homepage"}
    assert list(uptime_alarms(aws)) == ["shop/uptime/homepage"]


def test_the_listing_follows_every_page(aws: SessionFactory, tmp_path: Path) -> None:
    checks = "".join(
        f"  - {{name: site-{n}, canary: 'https://site{n}.shop.example.com/', severity: warning}}\n"
        for n in range(45)
    )
    root = _root(tmp_path, UPTIME.split("uptime:\n")[0] + "uptime:\n" + checks)
    _converge(aws, root)
    first = aws.client("synthetics").describe_canaries(MaxResults=20)
    assert len(first["Canaries"]) == 20 and first["NextToken"]
    assert len(_canaries(aws)) == 45
    assert plan(context(aws, root), KINDS).is_empty


def test_a_canary_made_by_hand_is_left_alone(aws: SessionFactory, tmp_path: Path) -> None:
    aws.client("synthetics").create_canary(
        Name="shop-by-hand",
        Code={"ZipFile": base64.b64decode(base64.b64encode(b"PK")), "Handler": "x.handler"},
        ArtifactS3Location="s3://elsewhere",
        ExecutionRoleArn=ROLE,
        Schedule={"Expression": "rate(10 minutes)"},
        RuntimeVersion=runtime_version(),
    )
    root = _root(tmp_path)
    _converge(aws, root)
    assert "shop-by-hand" in _canaries(aws)


def test_the_alarm_follows_the_severity_tier_and_the_check_description(
    aws: SessionFactory, tmp_path: Path
) -> None:
    described = UPTIME.replace(
        "    severity: critical", "    description: Login flow is down\n    severity: critical"
    )
    _converge(aws, _root(tmp_path, described))
    alarms = uptime_alarms(aws)
    warning = "arn:aws:sns:us-east-1:123456789012:shop-warning"
    critical = "arn:aws:sns:us-east-1:123456789012:shop-critical"
    # The warning tier sends no OK notifications and does send insufficient-data ones.
    home = alarms["shop/uptime/homepage"]
    assert (home["OKActions"], home["InsufficientDataActions"]) == ([], [warning])
    assert home["AlarmDescription"] == "Synthetics canary shop-homepage fails"
    flow = alarms["shop/uptime/api-flow"]
    assert (flow["OKActions"], flow["InsufficientDataActions"]) == ([critical], [])
    assert flow["AlarmDescription"] == "Login flow is down"


SLOW = UPTIME.replace(
    "    success_below: 90%\n",
    "    success_below: 90%\n    slower_than: 2s\n    slow_severity: critical\n",
)


def test_a_page_load_limit_is_an_alarm_on_the_runs_duration(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = _root(tmp_path, SLOW)
    _converge(aws, root)

    slow = uptime_alarms(aws)["shop/uptime/homepage/slow"]
    assert (slow["Namespace"], slow["MetricName"], slow["Statistic"]) == (
        "CloudWatchSynthetics",
        "Duration",
        "Average",
    )
    assert slow["Dimensions"] == [{"Name": "CanaryName", "Value": "shop-homepage"}]
    assert (slow["ComparisonOperator"], slow["Threshold"], slow["Period"]) == (
        "GreaterThanThreshold",
        2000.0,
        300,
    )
    assert slow["TreatMissingData"] == "notBreaching"
    assert slow["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:shop-critical"]
    assert slow["AlarmDescription"] == "Synthetics canary shop-homepage runs slower than 2s"
    assert plan(context(aws, root), KINDS).is_empty

    aws.client("cloudwatch").put_metric_alarm(**{**_alarm_request(slow), "Threshold": 5000.0})
    drift = plan(context(aws, root), KINDS).changes
    assert [(c.key, [f.field for f in c.fields]) for c in drift] == [
        ("shop-homepage", ["slow_alarm"])
    ]

    plain = _root(tmp_path, UPTIME)
    _converge(aws, plain)
    assert "shop/uptime/homepage/slow" not in uptime_alarms(aws)
    assert "shop/uptime/homepage" in uptime_alarms(aws)
    assert plan(context(aws, plain), KINDS).is_empty

    _converge(aws, root)
    head, rest = SLOW.split("  - name: homepage")
    flow_only = head + "  - name: api-flow" + rest.split("  - name: api-flow")[1]
    _converge(aws, _root(tmp_path, flow_only))
    assert list(uptime_alarms(aws)) == ["shop/uptime/api-flow"]


def _alarm_request(alarm: dict) -> dict:
    keys = (
        "AlarmName", "AlarmDescription", "Namespace", "MetricName", "Dimensions", "Statistic",
        "Period", "Threshold", "EvaluationPeriods", "ComparisonOperator", "TreatMissingData",
        "AlarmActions", "OKActions", "InsufficientDataActions",
    )  # fmt: skip
    return {k: alarm[k] for k in keys if k in alarm}
