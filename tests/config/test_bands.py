"""Anomaly bands and error-rate ratios in alarm rules: what is refused, at file:line:col."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.config import load_config
from sentinel.errors import ConfigError

PROJECT = "project: shop\nregions: [us-east-1]\n"
ROUTING = "severities:\n  warning:\n    notify:\n      - email: ops@shop.example.com\n"


def _write(tmp_path: Path, alarms: str) -> None:
    (tmp_path / "alarms").mkdir()
    (tmp_path / "sentinel.yaml").write_text(PROJECT)
    (tmp_path / "alarms" / "routing.yaml").write_text(ROUTING)
    (tmp_path / "alarms" / "rules.yaml").write_text(alarms)


def _problems(tmp_path: Path, alarms: str) -> list[str]:
    _write(tmp_path, alarms)
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path)
    return [str(p).replace(str(tmp_path) + "/", "") for p in caught.value.problems]


def _rule(condition: str) -> str:
    return (
        "alarms:\n"
        "  - name: traffic\n"
        "    severity: warning\n"
        "    namespace: AWS/ApplicationELB\n"
        "    metric: RequestCount\n"
        "    statistic: Sum\n"
        f'    condition: "{condition}"\n'
    )


def test_a_band_rule_loads(tmp_path: Path) -> None:
    _write(tmp_path, _rule("below band 1.5"))
    [rule] = load_config(tmp_path).alarms
    assert rule.condition.operator == "LessThanLowerThreshold"
    assert rule.condition.band == 1.5
    assert str(rule.condition) == "below band 1.5"


@pytest.mark.parametrize("width", ["0", "-1", "wide", "nan"])
def test_band_width_must_be_a_number_above_zero(tmp_path: Path, width: str) -> None:
    [problem] = _problems(tmp_path, _rule(f"outside band {width}"))
    assert problem.startswith("alarms/rules.yaml:7:16: ")
    assert f"invalid band width {width!r}: expected a number of standard deviations above 0" in (
        problem
    )


def test_a_percentage_on_a_rule_that_is_not_a_ratio(tmp_path: Path) -> None:
    [problem] = _problems(tmp_path, _rule("> 5%"))
    assert problem.startswith("alarms/rules.yaml:2:5: ")
    assert "a percentage is only for a `ratio`" in problem


def test_a_band_on_metric_math_is_refused(tmp_path: Path) -> None:
    rules = (
        "alarms:\n"
        "  - name: rate\n"
        "    severity: warning\n"
        "    metrics:\n"
        "      e: {namespace: AWS/ApplicationELB, metric: HTTPCode_Target_5XX_Count, stat: Sum}\n"
        "    expression: e * 2\n"
        '    condition: "outside band 2"\n'
    )
    [problem] = _problems(tmp_path, rules)
    assert problem.startswith("alarms/rules.yaml:2:5: ")
    assert "an anomaly band needs one metric" in problem


@pytest.mark.parametrize("missing", ["errors", "total"])
def test_a_ratio_needs_errors_and_total(tmp_path: Path, missing: str) -> None:
    present = "total" if missing == "errors" else "errors"
    rules = (
        "alarms:\n"
        "  - name: rate\n"
        "    severity: warning\n"
        "    ratio:\n"
        f"      {present}: {{namespace: AWS/ApplicationELB, metric: RequestCount, stat: Sum}}\n"
        '    condition: "> 5%"\n'
    )
    [problem] = _problems(tmp_path, rules)
    assert problem.startswith("alarms/rules.yaml:5:7: ")
    assert missing in problem


def test_a_band_on_a_ratio_is_refused(tmp_path: Path) -> None:
    rules = (
        "alarms:\n"
        "  - name: rate\n"
        "    severity: warning\n"
        "    ratio:\n"
        "      errors: {namespace: AWS/ApplicationELB, metric: HTTPCode_Target_5XX_Count}\n"
        "      total: {namespace: AWS/ApplicationELB, metric: RequestCount}\n"
        '    condition: "above band 2"\n'
    )
    [problem] = _problems(tmp_path, rules)
    assert "an anomaly band needs one metric, not a `ratio`" in problem
