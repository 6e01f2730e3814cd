"""``uptime:`` input Route 53 or Synthetics would refuse, or could not probe, is an error at
its file:line:col, all of them at once."""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.config import load_config
from sentinel.errors import ConfigError

PROJECT = "project: shop\nregions: [us-east-1]\n"
ROUTING = """\
severities:
  critical:
    notify: [{email: oncall@shop.example.com}]
  warning:
    notify: [{email: team@shop.example.com}]
"""
DEFAULTS = """\
uptime_defaults:
  canary_role: arn:aws:iam::123456789012:role/shop-canary
  artifacts: s3://shop-canary-artifacts/runs
"""


def _write(root: Path, uptime: str, defaults: str = DEFAULTS) -> Path:
    (root / "alarms").mkdir(parents=True)
    (root / "monitors").mkdir()
    (root / "sentinel.yaml").write_text(PROJECT)
    (root / "alarms" / "routing.yaml").write_text(ROUTING)
    (root / "monitors" / "uptime.yaml").write_text(uptime + defaults)
    return root


def _problems(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(root)
    return [str(problem).removeprefix(f"{root}/") for problem in caught.value.problems]


def test_a_valid_uptime_section_loads(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        """\
uptime:
  - name: api-health
    check: https://api.shop.example.com/health
    interval: 10s
    failure_threshold: 3
    regions: [us-east-1, eu-west-1, ap-southeast-1]
    search: ok
    severity: critical
  - name: homepage
    canary: https://shop.example.com/
    every: 5m
    success_below: 90%
    severity: warning
  - name: api-flow
    canary:
      requests:
        - {method: GET, url: "https://api.shop.example.com/health", expect: 200}
        - {method: POST, url: "https://api.shop.example.com/login", body: "{}", expect: 401}
    every: 10m
    severity: warning
""",
    )
    config = load_config(root)
    assert [c.name for c in config.uptime] == ["api-health", "homepage", "api-flow"]
    assert config.uptime[0].interval == 10
    assert config.uptime[1].every == 300
    assert config.uptime_defaults is not None
    assert config.uptime_defaults.canary_role.endswith("role/shop-canary")


def test_every_health_check_problem_at_its_place(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        """\
uptime:
  - name: private
    check: http://10.0.0.5/health
    severity: critical
  - name: loopback
    check: https://127.0.0.1/
    severity: critical
  - name: link-local
    check: http://169.254.169.254/latest
    severity: critical
  - name: scheme
    check: ftp://files.shop.example.com/
    severity: critical
  - name: broken
    check: "http://[::1/"
    severity: critical
  - name: interval
    check: https://shop.example.com/
    interval: 20s
    failure_threshold: 11
    regions: [us-east-1, eu-west-1]
    severity: critical
  - name: regions
    check: https://shop.example.com/
    regions: [us-east-1, eu-west-1, eu-central-1]
    severity: urgent
""",
    )
    problems = _problems(root)
    f = "monitors/uptime.yaml"
    expected = [
        (f"{f}:3:12:", "10.0.0.5 is a private, loopback or link-local address"),
        (f"{f}:6:12:", "127.0.0.1 is a private"),
        (f"{f}:9:12:", "169.254.169.254 is a private"),
        (f"{f}:12:12:", "only http:// and https://"),
        (f"{f}:15:12:", "does not parse"),
        (f"{f}:19:15:", "Route 53 probes every 10s or 30s"),
        (f"{f}:20:24:", "Route 53 takes 1 to 10"),
        (f"{f}:21:14:", "Route 53 needs at least 3"),
        (f"{f}:25:37:", "Route 53 does not probe from 'eu-central-1'"),
        (f"{f}:26:15:", "unknown severity 'urgent'"),
    ]
    for place, message in expected:
        assert any(p.startswith(place) and message in p for p in problems), (place, problems)
    assert len(problems) == len(expected), problems


def test_every_canary_problem_at_its_place(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        """\
uptime:
  - name: fast
    canary: https://shop.example.com/
    every: 30s
    severity: warning
  - name: both
    canary: https://shop.example.com/
    check: https://shop.example.com/
    severity: warning
  - name: flow
    canary:
      requests:
        - {url: "https://192.168.1.1/login"}
    severity: warning
""",
        defaults="",
    )
    problems = _problems(root)
    f = "monitors/uptime.yaml"
    assert any(p.startswith(f"{f}:4:12:") and "at most once a minute" in p for p in problems)
    assert any(p.startswith(f"{f}:6:5:") and "not both" in p for p in problems), problems
    assert any(p.startswith(f"{f}:13:17:") and "192.168.1.1" in p for p in problems), problems
    missing = [p for p in problems if "uptime_defaults" in p]
    assert [p.split(": ")[0] for p in missing] == [f"{f}:3:13", f"{f}:12:7"], problems


def test_the_canary_role_must_be_an_iam_role_arn(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "uptime: []\n",
        defaults="uptime_defaults:\n  canary_role: shop-canary\n  artifacts: shop-bucket\n",
    )
    problems = _problems(root)
    assert [p.split(": ")[0] for p in problems] == [
        "monitors/uptime.yaml:3:16",
        "monitors/uptime.yaml:4:14",
    ], problems
    assert "not an IAM role ARN" in problems[0]
    assert "not an S3 location" in problems[1]


def test_a_health_check_needs_us_east_1_among_the_regions(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "uptime:\n  - {name: api, check: 'https://api.shop.example.com/', severity: critical}\n",
    )
    (root / "sentinel.yaml").write_text("project: shop\nregions: [eu-west-1]\n")
    [problem] = _problems(root)
    assert problem.startswith("monitors/uptime.yaml:2:")
    assert "add us-east-1 to sentinel.yaml's regions" in problem


def test_a_canary_name_synthetics_refuses_is_an_error_at_the_name(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        "uptime:\n  - name: home.page\n    canary: https://shop.example.com/\n"
        "    severity: warning\n",
    )
    [problem] = _problems(root)
    assert problem.startswith("monitors/uptime.yaml:2:11:"), problem
    assert "canary name 'shop-home.page'" in problem


def test_a_page_load_limit_is_a_canary_s_and_shorter_than_its_runs(tmp_path: Path) -> None:
    root = _write(
        tmp_path,
        """\
uptime:
  - name: api-health
    check: https://api.shop.example.com/health
    slower_than: 2s
    severity: critical
  - name: homepage
    canary: https://shop.example.com/
    every: 1m
    slower_than: 90s
    slow_severity: paging
    severity: warning
  - name: checkout
    canary: https://shop.example.com/checkout
    slow_severity: warning
    severity: warning
  - name: search
    canary: https://shop.example.com/search
    slower_than: 1500ms
    slow_severity: critical
    severity: warning
""",
    )

    problems = _problems(root)

    assert [p.split(": ", 1)[0] for p in problems] == [
        "monitors/uptime.yaml:4:18",
        "monitors/uptime.yaml:9:18",
        "monitors/uptime.yaml:10:20",
        "monitors/uptime.yaml:14:20",
    ]
    assert "a Route 53 health check reports no duration" in problems[0]
    assert "a run of this canary ends after 60s" in problems[1]
    assert "'paging'" in problems[2]
    assert "`slow_severity` needs `slower_than`" in problems[3]
