"""Route 53 health checks of ``uptime:``: what lands in Route 53, its alarm in us-east-1, drift,
updates in place, replacement of fixed fields, removal, and paging of the listing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.sync.engine import plan
from sentinel.sync.health_checks import (
    KIND,
    HealthChecks,
    caller_reference,
    check_config,
    list_health_checks,
    tags_of,
)
from sentinel.sync.model import Action

from .shop import context, shop_files, write_config
from .uptime import UptimeProject, uptime_alarms

UPTIME = """\
uptime:
  - name: api-health
    check: https://api.shop.example.com/health?deep=1
    interval: 10s
    failure_threshold: 2
    regions: [us-east-1, eu-west-1, ap-southeast-1]
    search: ok
    severity: critical
  - name: homepage
    check: http://shop.example.com/
    severity: warning
"""
KINDS = [HealthChecks()]


PROJECT = UptimeProject(UPTIME, KINDS)
_root, _converge = PROJECT.root, PROJECT.converge


def _checks(aws: SessionFactory) -> dict[str, dict[str, Any]]:
    """Name tag -> HealthCheckConfig, read back from Route 53."""
    route53 = aws.client("route53")
    checks = {c["Id"]: c for c in list_health_checks(route53)}
    return {
        tags["Name"]: {**checks[i]["HealthCheckConfig"], "tags": tags, "id": i}
        for i, tags in tags_of(route53, list(checks)).items()
    }


def test_apply_writes_health_checks_and_their_alarms(aws: SessionFactory, tmp_path: Path) -> None:
    root = _root(tmp_path)
    _converge(aws, root)
    checks = _checks(aws)
    assert set(checks) == {"shop-api-health", "shop-homepage"}
    api = checks["shop-api-health"]
    assert api["Type"] == "HTTPS_STR_MATCH"
    assert api["FullyQualifiedDomainName"] == "api.shop.example.com"
    assert api["Port"] == 443
    assert api["ResourcePath"] == "/health?deep=1"
    assert api["RequestInterval"] == 10
    assert api["FailureThreshold"] == 2
    assert api["SearchString"] == "ok"
    assert sorted(api["Regions"]) == ["ap-southeast-1", "eu-west-1", "us-east-1"]
    assert api["tags"]["sentinel:project"] == "shop"
    home = checks["shop-homepage"]
    assert (home["Type"], home["Port"], home["RequestInterval"]) == ("HTTP", 80, 30)

    by_name = uptime_alarms(aws)
    alarm = by_name["shop/uptime/api-health"]
    assert (alarm["Namespace"], alarm["MetricName"]) == ("AWS/Route53", "HealthCheckStatus")
    assert alarm["Dimensions"] == [{"Name": "HealthCheckId", "Value": api["id"]}]
    assert alarm["ComparisonOperator"] == "LessThanThreshold"
    assert alarm["Threshold"] == 1.0
    assert alarm["AlarmActions"] == ["arn:aws:sns:us-east-1:123456789012:shop-critical"]
    assert plan(context(aws, root), KINDS).is_empty


def test_drift_names_the_field_and_update_keeps_the_check(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = _root(tmp_path)
    _converge(aws, root)
    before = _checks(aws)["shop-api-health"]
    route53 = aws.client("route53")
    version = route53.get_health_check(HealthCheckId=before["id"])["HealthCheck"]
    route53.update_health_check(
        HealthCheckId=before["id"],
        HealthCheckVersion=version["HealthCheckVersion"],
        FailureThreshold=7,
    )
    drift = plan(context(aws, root), KINDS)
    [change] = drift.changes
    assert (change.kind, change.key, change.action) == (KIND, "shop-api-health", Action.UPDATE)
    assert [(f.field, f.old, f.new) for f in change.fields] == [("failure_threshold", 7, 2)]
    _converge(aws, root)
    after = _checks(aws)["shop-api-health"]
    assert after["id"] == before["id"]
    assert after["FailureThreshold"] == 2
    assert plan(context(aws, root), KINDS).is_empty


def test_a_new_interval_replaces_the_check_and_repoints_nothing_stale(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _converge(aws, _root(tmp_path))
    before = _checks(aws)["shop-homepage"]
    root = _root(
        tmp_path,
        UPTIME.replace("    severity: warning", "    interval: 10s\n    severity: warning"),
    )
    _converge(aws, root)
    after = _checks(aws)["shop-homepage"]
    assert after["RequestInterval"] == 10
    assert after["id"] != before["id"]
    assert len(_checks(aws)) == 2
    assert plan(context(aws, root), KINDS).is_empty


def test_removal_deletes_the_check_and_its_alarm(aws: SessionFactory, tmp_path: Path) -> None:
    _converge(aws, _root(tmp_path))
    root = _root(tmp_path, UPTIME.split("  - name: homepage")[0])
    _converge(aws, root)
    assert set(_checks(aws)) == {"shop-api-health"}
    assert list(uptime_alarms(aws)) == ["shop/uptime/api-health"]


def test_checks_of_others_are_left_alone(aws: SessionFactory, tmp_path: Path) -> None:
    route53 = aws.client("route53")
    other = route53.create_health_check(
        CallerReference="by-hand",
        HealthCheckConfig={"Type": "HTTP", "FullyQualifiedDomainName": "x.example.com"},
    )["HealthCheck"]["Id"]
    _converge(aws, _root(tmp_path))
    assert other in {c["Id"] for c in list_health_checks(route53)}


def test_listing_and_tags_follow_every_page(aws: SessionFactory, tmp_path: Path) -> None:
    uptime = "uptime:\n" + "".join(
        f"  - {{name: site-{n}, check: 'https://site{n}.shop.example.com/', severity: warning}}\n"
        for n in range(23)
    )
    root = _root(tmp_path, uptime)
    _converge(aws, root)
    route53 = aws.client("route53")
    pages = list(
        route53.get_paginator("list_health_checks").paginate(PaginationConfig={"PageSize": 5})
    )
    assert len(pages) >= 5
    assert sum(len(p["HealthChecks"]) for p in pages) == 23
    assert len(_checks(aws)) == 23
    assert plan(context(aws, root), KINDS).is_empty


def test_caller_reference_is_deterministic_and_follows_the_settings() -> None:
    from sentinel.config.models.uptime import UptimeCheck

    one = check_config(UptimeCheck(name="a", check="https://a.example.com/", severity="x"))
    two = check_config(
        UptimeCheck(name="a", check="https://a.example.com/", interval=10, severity="x")
    )
    assert caller_reference("shop", "shop-a", one) == caller_reference("shop", "shop-a", one)
    assert caller_reference("shop", "shop-a", one) != caller_reference("shop", "shop-a", two)
    assert len(caller_reference("shop", "x" * 200, one)) <= 64


def test_an_empty_uptime_list_deletes_every_check(aws: SessionFactory, tmp_path: Path) -> None:
    _converge(aws, _root(tmp_path))
    root = _root(tmp_path, "uptime: []\n")
    _converge(aws, root)
    assert _checks(aws) == {}
    assert uptime_alarms(aws) == {}


def test_a_project_without_uptime_reads_no_health_checks(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _converge(aws, _root(tmp_path))
    root = write_config(tmp_path / "other", shop_files())
    ctx = context(aws, root)
    assert HealthChecks().actual(ctx) == []
    assert plan(ctx, KINDS).is_empty
    assert len(_checks(aws)) == 2


def test_the_alarm_follows_the_severity_tier_and_the_check_description(
    aws: SessionFactory, tmp_path: Path
) -> None:
    described = UPTIME.replace(
        "    severity: warning", "    description: The shop is down\n    severity: warning"
    )
    root = _root(tmp_path, described)
    _converge(aws, root)
    alarms = uptime_alarms(aws)
    warning = "arn:aws:sns:us-east-1:123456789012:shop-warning"
    home = alarms["shop/uptime/homepage"]
    assert (home["OKActions"], home["InsufficientDataActions"]) == ([], [warning])
    assert home["AlarmDescription"] == "The shop is down"
    api = alarms["shop/uptime/api-health"]
    assert api["OKActions"] == ["arn:aws:sns:us-east-1:123456789012:shop-critical"]
    assert api["AlarmDescription"] == "Route 53 health check shop-api-health is failing"
    assert plan(context(aws, root), KINDS).is_empty
