"""The maintenance-notices job posts once per occurrence, ahead of it, whoever runs it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import time_machine

from cost.slack_standin import SlackStandIn
from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.daemon.registry import JobContext, registered_jobs
from sentinel.routing.maintenance_notices import send_notices
from sentinel.store import Store

ROUTING = """\
severities:
  high:
    notify:
      - email: ops@ips.example.com
router:
  group_wait: 1m
maintenance:
  - name: sunday-updates
    alarms: ["ips-*"]
    every: "0 2 * * SUN"
    duration: 2h
    timezone: UTC
    notice: {before: 30m, slack: "#ips-ops", token: env:TEST_SLACK_TOKEN}
    reason: Major updates
  - name: quiet-one
    alarms: ["db-*"]
    every: "0 3 * * SUN"
    duration: 1h
"""


def project(tmp_path: Path, routing: str = ROUTING) -> Path:
    root = tmp_path / "ips"
    (root / "alarms").mkdir(parents=True)
    (root / "sentinel.yaml").write_text("project: ips\ntimezone: Europe/Madrid\n")
    (root / "alarms" / "routing.yaml").write_text(routing)
    return root


def utc(day: int, hour: int, minute: int) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=UTC)


def test_the_notice_goes_once_before_each_occurrence(
    tmp_path: Path, store: Store, slack: SlackStandIn, aws: SessionFactory
) -> None:
    config = load_config(project(tmp_path))
    assert send_notices(config, store, aws, utc(6, 1, 29)) == []  # 31 minutes ahead
    assert send_notices(config, store, aws, utc(6, 1, 30)) == ["sunday-updates: posted to #ips-ops"]
    [posted] = slack.posted()
    assert posted["channel"] == "#ips-ops"
    assert posted["text"] == (
        "Maintenance sunday-updates starts at 02:00 UTC (in 30 min) for 2h: ips-* alerts are "
        "held. Major updates"
    )
    # A minute later, and a second daemon on the same store: nothing more.
    assert send_notices(config, store, aws, utc(6, 1, 31)) == []
    other = Store(store.url)
    assert send_notices(config, other, aws, utc(6, 1, 45)) == []
    other.dispose()
    # Once the window has begun there is nothing to announce until the next Sunday.
    assert send_notices(config, store, aws, utc(6, 2, 0)) == []
    assert len(slack.posted()) == 1
    assert send_notices(config, store, aws, utc(13, 1, 40)) == [
        "sunday-updates: posted to #ips-ops"
    ]
    assert [p["text"].split(" (")[0] for p in slack.posted()] == [
        "Maintenance sunday-updates starts at 02:00 UTC",
        "Maintenance sunday-updates starts at 02:00 UTC",
    ]
    assert "(in 20 min)" in slack.posted()[1]["text"]


def test_the_daemon_job_runs_every_minute_only_with_a_notice(
    tmp_path: Path, store: Store, slack: SlackStandIn, aws: SessionFactory
) -> None:
    job = registered_jobs()["maintenance-notices"]
    config = load_config(project(tmp_path))
    assert job.schedule(config) == "* * * * *" and not job.ledgered
    with time_machine.travel(utc(6, 1, 50), tick=False):
        context = JobContext(config, aws, store, utc(6, 1, 50), "run")
        assert job.run(context) == "sunday-updates: posted to #ips-ops"
        assert job.run(context) == "no notice due"
    assert len(slack.posted()) == 1
    plain = load_config(project(tmp_path / "plain", ROUTING.replace("    notice:", "    #")))
    assert job.schedule(plain) is None


def test_a_notice_to_a_severity_goes_to_its_slack_channel(
    tmp_path: Path, store: Store, slack: SlackStandIn, aws: SessionFactory
) -> None:
    routing = ROUTING.replace(
        "      - email: ops@ips.example.com\n",
        "      - email: ops@ips.example.com\n"
        '      - slack: {channel: "#ips-alerts", token: env:TEST_SLACK_TOKEN}\n',
    ).replace('slack: "#ips-ops", token: env:TEST_SLACK_TOKEN', "severity: high")
    config = load_config(project(tmp_path, routing))
    assert send_notices(config, store, aws, utc(6, 1, 0)) == []
    assert send_notices(config, store, aws, utc(6, 1, 45)) == [
        "sunday-updates: posted to #ips-alerts"
    ]
    [posted] = slack.posted()
    assert posted["channel"] == "#ips-alerts"
    assert posted["text"].startswith("Maintenance sunday-updates starts at 02:00 UTC (in 15 min)")
