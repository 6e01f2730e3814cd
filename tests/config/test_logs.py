"""``log_groups:``: retention CloudWatch Logs offers, group names, one retention per group."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.config import load_config
from sentinel.config.models.log_groups import literal_prefix, parse_retention
from sentinel.errors import ConfigError

from .cases import REPOSITORY, RESOURCE_TYPES


def _problems(tmp_path: Path, *files: tuple[str, str]) -> list[str]:
    (tmp_path / "sentinel.yaml").write_text("project: shop\n")
    (tmp_path / "monitors").mkdir()
    for name, text in files:
        (tmp_path / "monitors" / name).write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, known_resource_types=RESOURCE_TYPES)
    return [str(p).replace(f"{tmp_path}/", "") for p in caught.value.problems]


def test_the_root_config_keeps_production_logs_30_days(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)

    config = load_config(".", known_resource_types=RESOURCE_TYPES)

    assert {entry.name: entry.retention for entry in config.log_groups} == {
        "production": 30,
        "staging": 7,
        "development": 3,
    }
    assert config.source("log group", "production").startswith("monitors/logs.yaml:")


@pytest.mark.parametrize(("text", "days"), [("30d", 30), ("1w", 7), ("5", 5), (365, 365)])
def test_retentions(text: str | int, days: int) -> None:
    assert parse_retention(text) == days


def test_a_retention_cloudwatch_does_not_offer_is_an_error_at_its_line(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        (
            "logs.yaml",
            "log_groups:\n  - name: production\n    groups: [/ecs/shop]\n    retention: 31d\n",
        ),
    )

    assert len(problems) == 1
    assert problems[0].startswith("monitors/logs.yaml:4:")
    assert (
        "retention '31d' is not offered by CloudWatch Logs: the nearest are 30d or 60d"
        in (problems[0])
    )


def test_bad_group_names_and_empty_groups_are_errors(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        (
            "logs.yaml",
            "log_groups:\n"
            "  - name: a\n"
            "    groups: ['/ecs/shop api']\n"
            "    retention: 7d\n"
            "  - name: b\n"
            "    groups: []\n"
            "    retention: 7d\n",
        ),
    )

    assert [p.split(": ", 1)[0] for p in problems] == [
        "monitors/logs.yaml:3:13",
        "monitors/logs.yaml:6:13",
    ]
    assert "invalid log group '/ecs/shop api'" in problems[0]
    assert "groups is empty" in problems[1]


def test_a_group_named_by_two_entries_is_an_error(tmp_path: Path) -> None:
    problems = _problems(
        tmp_path,
        ("a.yaml", "log_groups:\n  - name: a\n    groups: [/ecs/shop]\n    retention: 7d\n"),
        ("b.yaml", "log_groups:\n  - name: b\n    groups: [/ecs/shop]\n    retention: 30d\n"),
    )

    assert len(problems) == 1
    assert problems[0].startswith("monitors/b.yaml:3:")
    assert "log group '/ecs/shop' is in log_groups 'b' and 'a' (monitors/a.yaml:3)" in problems[0]


def test_a_pattern_is_listed_from_its_literal_prefix() -> None:
    assert literal_prefix("/ecs/p2p-production-*") == "/ecs/p2p-production-"
    assert literal_prefix("/ecs/[ab]pi") == "/ecs/"


def _alarm_problems(tmp_path: Path, logs: str) -> list[str]:
    (tmp_path / "sentinel.yaml").write_text("project: shop\n")
    (tmp_path / "alarms").mkdir()
    (tmp_path / "alarms" / "routing.yaml").write_text(
        "severities:\n  critical:\n    notify:\n      - email: oncall@shop.example.com\n"
    )
    (tmp_path / "alarms" / "logs.yaml").write_text(
        "alarms:\n"
        "  - name: db-errors\n"
        "    severity: critical\n"
        "    condition: '> 5'\n"
        "    logs:\n" + logs
    )
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, known_resource_types=RESOURCE_TYPES)
    return [str(p).replace(f"{tmp_path}/", "") for p in caught.value.problems]


@pytest.mark.parametrize(
    ("pattern", "why"),
    [
        ('{ $.level = "ERROR" ', "column 21: expected '}', found the end"),
        ('{ level = "ERROR" }', "column 3: expected a selector like $.level, found 'level'"),
        ("[ip, user", "column 10: expected ',' or ']', found the end"),
        ("a = b", "column 3: unexpected '='"),
        ('"connection', "column 1: a quote that is not closed"),
    ],
)
def test_a_filter_pattern_that_does_not_parse_is_an_error_at_its_line(
    tmp_path: Path, pattern: str, why: str
) -> None:
    quoted = pattern.replace("'", "''")
    problems = _alarm_problems(tmp_path, f"      group: /ecs/shop\n      pattern: '{quoted}'\n")

    assert len(problems) == 1
    assert problems[0].startswith("alarms/logs.yaml:7:")
    assert f"invalid filter pattern at {why}" in problems[0]


def test_logs_rules_take_no_metric_and_a_group_name(tmp_path: Path) -> None:
    problems = _alarm_problems(
        tmp_path, "      group: 'ecs shop'\n      pattern: ERROR\n      value: lots\n"
    )

    assert [p.split(": ", 1)[0] for p in problems] == [
        "alarms/logs.yaml:6:14",
        "alarms/logs.yaml:8:14",
    ]
    assert "invalid value 'lots'" in problems[1]


def test_a_logs_widget_needs_a_query_and_log_group_names(tmp_path: Path) -> None:
    (tmp_path / "sentinel.yaml").write_text("project: shop\n")
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "d.yaml").write_text(
        "dashboards:\n"
        "  - name: ops\n"
        "    rows:\n"
        "      - widgets:\n"
        "          - type: logs\n"
        "            title: Errors\n"
        '            query: "  "\n'
        '            log_groups: ["/ecs/shop backend", "/ecs/{id}"]\n'
    )
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path, known_resource_types=RESOURCE_TYPES)
    problems = [str(p).replace(f"{tmp_path}/", "") for p in caught.value.problems]

    assert [p.split(" in ")[0] for p in problems] == [
        "dashboards/d.yaml:7:20: invalid value '  '",
        "dashboards/d.yaml:8:26: invalid value '/ecs/shop backend'",
    ]
    assert problems[0].endswith("expected a Logs Insights query, not blank")
    assert "expected a log group name" in problems[1]
