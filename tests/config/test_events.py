"""``events:`` in alarms/*.yaml: presets, raw patterns, and every mistake at file:line:col."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from sentinel.config import load_config
from sentinel.config.event_patterns import pattern_problems
from sentinel.config.event_presets import presets, rule_pattern
from sentinel.errors import ConfigError

ROUTING = """\
severities:
  critical:
    notify: [{email: oncall@example.com}]
  warning:
    notify: [{email: team@example.com}]
"""


def write(root: Path, events: str, project: str = "shop") -> Path:
    (root / "alarms").mkdir(parents=True, exist_ok=True)
    (root / "sentinel.yaml").write_text(f"project: {project}\nregions: [us-east-1]\n")
    (root / "alarms" / "routing.yaml").write_text(ROUTING)
    (root / "alarms" / "events.yaml").write_text(textwrap.dedent(events))
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return [str(p) for p in caught.value.problems]


def test_presets_and_raw_patterns_load(tmp_path: Path) -> None:
    config = load_config(
        write(
            tmp_path,
            """\
            events:
              - name: guardduty-high
                preset: guardduty-finding
                severity: critical
                options: {min_severity: 8}
              - name: custom
                pattern: {source: [aws.ecs], detail-type: [ECS Task State Change]}
                severity: warning
                description: tasks of the shop
              - name: as-text
                pattern: '{"source": ["aws.backup"]}'
                severity: warning
            """,
        )
    )
    assert [e.name for e in config.events] == ["guardduty-high", "custom", "as-text"]
    first = config.events[0]
    assert rule_pattern(first.preset, first.pattern, first.options) == {
        "source": ["aws.guardduty"],
        "detail-type": ["GuardDuty Finding"],
        "detail": {"severity": [{"numeric": [">=", 8]}]},
    }
    assert rule_pattern(None, config.events[2].pattern, {}) == {"source": ["aws.backup"]}
    assert config.source("event", "custom").endswith("events.yaml:6")


def test_every_preset_builds_a_valid_pattern() -> None:
    for name, preset in presets().items():
        assert pattern_problems(preset.build({})) == [], name


def test_preset_defaults_and_narrowing() -> None:
    hub = presets()["securityhub-finding"].build({})
    assert hub["detail"]["findings"]["Severity"]["Label"] == ["HIGH", "CRITICAL"]
    ecs = presets()["ecs-deployment-failure"].build({"clusters": ["prod"]})
    assert ecs["resources"] == [{"wildcard": "arn:*:ecs:*:*:service/prod/*"}]
    health = presets()["health-event"].build({"services": ["EC2", "RDS"]})
    assert health["detail"] == {"service": ["EC2", "RDS"]}


def test_every_mistake_at_once_with_its_position(tmp_path: Path) -> None:
    found = problems(
        write(
            tmp_path,
            """\
            events:
              - name: typo
                preset: guardduty-findings
                severity: critical
              - name: bad-option
                preset: backup-failure
                severity: critical
                options: {clusters: [prod]}
              - name: both
                preset: root-sign-in
                pattern: {source: [aws.signin]}
                severity: critical
              - name: neither
                severity: critical
              - name: bad-pattern
                pattern: {source: aws.ecs, detail: {state: [{prefixx: FAIL}]}}
                severity: warning
              - name: bad-json
                pattern: '{"source": [aws.ecs]'
                severity: warning
              - name: unknown-severity
                preset: root-sign-in
                severity: critcal
              - name: a-name-that-is-far-too-long-for-eventbridge-with-the-prefix-x
                preset: root-sign-in
                severity: critical
              - name: bad-number
                preset: guardduty-finding
                severity: critical
                options: {min_severity: high}
            """,
        )
    )
    joined = "\n".join(found)
    assert (
        "events.yaml:3:13: unknown preset 'guardduty-findings'; did you mean 'guardduty-finding'?"
        in joined
    )
    assert "events.yaml:8:25: preset 'backup-failure' has no option 'clusters'" in joined
    assert "events.yaml:9:5: event rule 'both' has both `preset` and `pattern`" in joined
    assert "events.yaml:13:5: event rule 'neither' has neither `preset` nor `pattern`" in joined
    assert "events.yaml:16:14: invalid event pattern: source: a field matches an array" in joined
    assert "unknown matcher 'prefixx'; did you mean 'prefix'?" in joined
    assert "events.yaml:19:14: pattern is not valid JSON" in joined
    assert "events.yaml:23:15: unknown severity 'critcal'; did you mean 'critical'?" in joined
    assert "events.yaml:24:11: event rule name 'shop-a-name-that-is-far-too-long" in joined
    assert "at most 64, project prefix included" in joined
    assert "events.yaml:30:29: option 'min_severity' takes a number" in joined
    assert len(found) == 10


def test_duplicate_event_rule_names(tmp_path: Path) -> None:
    found = problems(
        write(
            tmp_path,
            """\
            events:
              - {name: same, preset: root-sign-in, severity: critical}
              - {name: same, preset: console-sign-in-failure, severity: critical}
            """,
        )
    )
    assert any("duplicate event rule name 'same'" in p for p in found)


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ([], "is a JSON object"),
        ({}, "at least one field"),
        ({"a": []}, "empty array"),
        ({"a": {}}, "empty object"),
        ({"a": [{"numeric": [">=", "7"]}]}, "compares with a number"),
        ({"a": [{"numeric": ["~", 7]}]}, "numeric operator"),
        ({"a": [{"exists": "yes"}]}, "exists takes true or false"),
        ({"a": [{"prefix": "x", "suffix": "y"}]}, "exactly one"),
        ({"$or": [{"a": ["x"]}]}, "at least two"),
        ({"a": ["x" * 5000]}, "at most 4096"),
    ],
)
def test_invalid_patterns(pattern: object, expected: str) -> None:
    assert any(expected in p for p in pattern_problems(pattern))


def test_valid_matchers() -> None:
    pattern = {
        "source": [{"prefix": "aws."}],
        "detail": {
            "a": [{"anything-but": [0, 1]}, {"anything-but": {"prefix": "x"}}],
            "b": [{"numeric": [">", 0, "<=", 5]}, {"exists": True}, {"cidr": "10.0.0.0/8"}],
            "c": [{"equals-ignore-case": "x"}, {"wildcard": "a*b"}, {"suffix": ".png"}, None, 3],
        },
        "$or": [{"x": ["1"]}, {"y": ["2"]}],
    }
    assert pattern_problems(json.loads(json.dumps(pattern))) == []


def test_root_sign_ins_need_us_east_1_among_the_regions(tmp_path: Path) -> None:
    root = write(tmp_path, "events:\n  - {name: root, preset: root-sign-in, severity: critical}\n")
    (root / "sentinel.yaml").write_text("project: shop\nregions: [eu-west-1, ap-south-1]\n")

    found = problems(root)

    assert len(found) == 1
    assert "alarms/events.yaml:2:" in found[0]
    assert (
        "preset 'root-sign-in': AWS delivers these events to EventBridge in us-east-1 only, "
        "which sentinel.yaml's regions (eu-west-1, ap-south-1) do not list"
    ) in found[0]
