"""Where reports go: email addresses and a severity, each checked at its file:line."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.config import load_config
from sentinel.errors import ConfigError

ROUTING = "severities:\n  alerts:\n    notify: [{email: admin@ips.example.com}]\n"


def _write(root: Path, monitors: str) -> Path:
    (root / "alarms").mkdir(parents=True)
    (root / "monitors").mkdir()
    (root / "sentinel.yaml").write_text("project: ips\nregions: [ap-south-1]\n")
    (root / "alarms" / "routing.yaml").write_text(ROUTING)
    (root / "monitors" / "cost.yaml").write_text(monitors)
    return root


def test_reports_take_addresses_and_a_severity(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "cost_report:\n  email: [admin@ips.example.com]\n  severity: alerts\n"
        "slo_review:\n  email: [team@ips.example.com]\n",
    )
    config = load_config(root)
    assert config.cost_report is not None and config.slo_review is not None
    assert (config.cost_report.email, config.cost_report.severity) == (
        ["admin@ips.example.com"],
        "alerts",
    )
    assert config.slo_review.email == ["team@ips.example.com"]


def _problems(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return [str(p).removeprefix(f"{root}/") for p in caught.value.problems]


def test_a_bad_address_is_an_error_at_its_place(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "cost_report:\n  email: [admin@ips.example.com, admin-at-ips]\n"
        "rightsizing:\n  email: [ops@ips]\n",
    )
    problems = _problems(root)

    assert [p.split(": ", 1)[0] for p in problems] == [
        "monitors/cost.yaml:2:34",
        "monitors/cost.yaml:4:11",
    ]
    assert all("expected an email address" in p for p in problems)


def test_an_unknown_severity_is_an_error_at_its_line(tmp_path: Path) -> None:
    problems = _problems(_write(tmp_path, "cost_report:\n  severity: alert\n"))

    assert [p.split(" in ")[0] for p in problems] == [
        "monitors/cost.yaml:2:13: unknown severity 'alert'; did you mean 'alerts'?"
    ]
