"""``self_monitoring:`` in sentinel.yaml: heartbeat alarm rules at load, errors at their line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.config import load_config
from sentinel.errors import ConfigError

from .cases import RESOURCE_TYPES

ROUTING = """\
severities:
  critical:
    notify:
      - email: ops@shop.example
"""


def write(root: Path, project: str, alarms: str | None = None) -> Path:
    (root / "alarms").mkdir(parents=True)
    (root / "sentinel.yaml").write_text("project: shop\n" + project)
    (root / "alarms" / "routing.yaml").write_text(ROUTING)
    if alarms is not None:
        (root / "alarms" / "rules.yaml").write_text(alarms)
    return root


def problems(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(root, known_resource_types=RESOURCE_TYPES)
    return [f"{p.file.split('/')[-1]}:{p.line}: {p.message}" for p in caught.value.problems]


def test_self_monitoring_becomes_one_alarm_rule_per_component(tmp_path: Path) -> None:
    config = load_config(
        write(tmp_path, "self_monitoring:\n  severity: critical\n"),
        known_resource_types=RESOURCE_TYPES,
    )
    rules = {rule.name: rule for rule in config.alarms}
    assert sorted(rules) == ["sentinel-daemon-heartbeat", "sentinel-router-heartbeat"]
    router = rules["sentinel-router-heartbeat"]
    assert (router.namespace, router.metric, router.statistic) == (
        "Sentinel",
        "Heartbeat",
        "SampleCount",
    )
    assert router.dimensions == {"Project": "shop", "Component": "router"}
    assert str(router.condition) == "< 1"
    assert (router.period, router.for_, router.treat_missing) == (60, 300, "breaching")
    assert router.severity == "critical"
    assert config.source("alarm", "sentinel-router-heartbeat").endswith("sentinel.yaml:2")


def test_without_self_monitoring_there_is_no_heartbeat_alarm(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, ""), known_resource_types=RESOURCE_TYPES)
    assert config.alarms == []


def test_an_unknown_severity_is_an_error_at_its_line(tmp_path: Path) -> None:
    root = write(tmp_path, "self_monitoring:\n  severity: critcal\n")
    assert problems(root) == [
        "sentinel.yaml:3: unknown severity 'critcal'; did you mean 'critical'?"
    ]


def test_a_bad_silence_or_component_is_an_error(tmp_path: Path) -> None:
    root = write(
        tmp_path,
        "self_monitoring:\n  severity: critical\n  for: 90s\n  components: [router, router]\n",
    )
    assert problems(root) == [
        "sentinel.yaml:4: `for` must be whole minutes, from 2m to 1d (self_monitoring.for)",
        "sentinel.yaml:5: each component is named once (self_monitoring.components)",
    ]


def test_an_alarm_of_the_same_name_is_a_duplicate(tmp_path: Path) -> None:
    alarms = """\
alarms:
  - name: sentinel-router-heartbeat
    severity: critical
    namespace: Sentinel
    metric: Heartbeat
    condition: "< 1"
"""
    root = write(tmp_path, "self_monitoring:\n  severity: critical\n", alarms)
    [problem] = problems(root)
    assert problem.startswith("rules.yaml:2: duplicate alarm name 'sentinel-router-heartbeat'")
    assert "sentinel.yaml:2" in problem
