"""Log retention: set on the groups the config matches, never shortened on a group Sentinel does
not manage without ``adopt``, removed (the group kept) when the config drops it."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.emulator.extensions.tagging import limit_pages
from sentinel.errors import ConfigError
from sentinel.naming import PROJECT_TAG
from sentinel.sync import log_retention
from sentinel.sync.engine import apply, plan
from sentinel.sync.log_retention import LogRetention
from sentinel.sync.model import Action

from .shop import context, shop_files, write_config

LOGS = """\
log_groups:
  - name: production
    groups: ["/ecs/shop-production-*"]
    retention: 30d
  - name: audit
    groups: [/shop/audit]
    retention: 1y
"""
ARN = "arn:aws:logs:us-east-1:123456789012:log-group:{}"


def _config(tmp_path: Path, logs: str = LOGS) -> Path:
    return write_config(tmp_path / "shop", shop_files({"monitors/logs.yaml": logs}))


def _groups(aws: SessionFactory) -> dict[str, int | None]:
    logs = aws.client("logs")
    found = {}
    for page in logs.get_paginator("describe_log_groups").paginate():
        for group in page["logGroups"]:
            found[group["logGroupName"]] = group.get("retentionInDays")
    return found


def _tags(aws: SessionFactory, name: str) -> dict[str, str]:
    return aws.client("logs").list_tags_for_resource(resourceArn=ARN.format(name))["tags"]


def _make(aws: SessionFactory, name: str, days: int | None = None) -> None:
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=name)
    if days is not None:
        logs.put_retention_policy(logGroupName=name, retentionInDays=days)


def _converge(aws: SessionFactory, root: Path) -> None:
    ctx = context(aws, root)
    report = apply(ctx, plan(ctx, [LogRetention()]))
    assert report.ok, [r.error for r in report.failed]


def test_matched_groups_get_their_retention_and_exact_names_are_created(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _make(aws, "/ecs/shop-production-api", 14)
    _make(aws, "/ecs/shop-production-worker", 1)
    _make(aws, "/ecs/shop-staging-api", 14)
    root = _config(tmp_path)

    _converge(aws, root)

    assert _groups(aws) == {
        "/ecs/shop-production-api": 30,
        "/ecs/shop-production-worker": 30,
        "/ecs/shop-staging-api": 14,
        "/shop/audit": 365,
    }
    assert _tags(aws, "/shop/audit")[PROJECT_TAG] == "shop"
    assert _tags(aws, "/ecs/shop-production-api")[PROJECT_TAG] == "shop"
    assert PROJECT_TAG not in _tags(aws, "/ecs/shop-staging-api")
    ctx = context(aws, root)
    assert plan(ctx, [LogRetention()]).changes == []


def test_a_group_that_never_expires_is_not_shortened_without_adopt(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _make(aws, "/ecs/shop-production-api")
    _make(aws, "/ecs/shop-production-db", 90)
    root = _config(tmp_path)

    result = plan(context(aws, root), [LogRetention()])

    messages = {c.key: c.message for c in result.conflicts}
    assert "/ecs/shop-production-api" in messages
    assert "never expires" in messages["/ecs/shop-production-api"]
    assert "keeps 90 days" in messages["/ecs/shop-production-db"]
    assert "config's 30 days" in messages["/ecs/shop-production-db"]
    assert "adopt: true" in messages["/ecs/shop-production-db"]
    _converge(aws, root)
    assert _groups(aws)["/ecs/shop-production-db"] == 90
    assert _groups(aws)["/ecs/shop-production-api"] is None

    _converge(
        aws, _config(tmp_path, LOGS.replace("retention: 30d", "retention: 30d\n    adopt: true"))
    )
    assert _groups(aws)["/ecs/shop-production-db"] == 30


def test_drift_names_the_field_and_removal_keeps_the_group(
    aws: SessionFactory, tmp_path: Path
) -> None:
    _make(aws, "/ecs/shop-production-api", 7)
    root = _config(tmp_path)
    _converge(aws, root)
    aws.client("logs").put_retention_policy(
        logGroupName="/ecs/shop-production-api", retentionInDays=60
    )

    drift = plan(context(aws, root), [LogRetention()]).changes

    assert [(c.key, c.action) for c in drift] == [("/ecs/shop-production-api", Action.UPDATE)]
    assert [(f.field, f.old, f.new) for f in drift[0].fields] == [("retention_days", 60, 30)]

    empty = _config(tmp_path, "log_groups: []\n")
    removal = plan(context(aws, empty), [LogRetention()]).changes
    assert {(c.key, c.action) for c in removal} == {
        ("/ecs/shop-production-api", Action.DELETE),
        ("/shop/audit", Action.DELETE),
    }
    _converge(aws, empty)
    assert _groups(aws) == {"/ecs/shop-production-api": None, "/shop/audit": None}
    assert PROJECT_TAG not in _tags(aws, "/shop/audit")
    assert plan(context(aws, empty), [LogRetention()]).changes == []


def test_a_group_matched_by_two_entries_is_an_error(aws: SessionFactory, tmp_path: Path) -> None:
    _make(aws, "/ecs/shop-production-api", 7)
    both = LOGS + '  - name: api\n    groups: ["/ecs/*-api"]\n    retention: 7d\n'

    with pytest.raises(ConfigError) as caught:
        plan(context(aws, _config(tmp_path, both)), [LogRetention()])

    assert [p.message for p in caught.value.problems] == [
        "log group '/ecs/shop-production-api' is matched by log_groups 'production' and 'api': "
        "a group has one retention"
    ]
    assert caught.value.problems[0].file.endswith("monitors/logs.yaml")
    assert _groups(aws)["/ecs/shop-production-api"] == 7


def test_every_page_of_log_groups_is_read(
    aws: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(log_retention, "PAGE", 2)
    for i in range(7):
        _make(aws, f"/ecs/shop-production-{i}", 7)

    _converge(aws, _config(tmp_path))

    assert [d for n, d in _groups(aws).items() if n.startswith("/ecs/")] == [30] * 7


def test_the_projects_groups_are_found_by_tag_in_pages_and_no_others_read(
    aws: SessionFactory, tmp_path: Path
) -> None:
    for i in range(5):
        _make(aws, f"/ecs/shop-production-{i}", 7)
    _make(aws, "/other/team", 14)
    aws.client("logs").tag_resource(
        resourceArn=ARN.format("/other/team"), tags={PROJECT_TAG: "ads"}
    )
    _make(aws, "/untagged", 3)
    _converge(aws, _config(tmp_path))
    empty = _config(tmp_path, "log_groups: []\n")
    aws.counter.reset()

    with limit_pages(2):
        removal = plan(context(aws, empty), [LogRetention()]).changes

    assert {(c.key, c.action) for c in removal} == {
        *((f"/ecs/shop-production-{i}", Action.DELETE) for i in range(5)),
        ("/shop/audit", Action.DELETE),
    }
    # Owners come from the Tagging API in batches, never one tag read per group.
    assert aws.counter.total("cloudwatch-logs", "ListTagsForResource") == 0
    assert aws.counter.total("resource-groups-tagging-api", "GetResources") > 0
    _converge(aws, empty)
    assert _groups(aws)["/other/team"] == 14
    assert _groups(aws)["/untagged"] == 3
