"""The weekly right-sizing job: the list posted to Slack once a week, through the daemon."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from cost.slack_standin import SlackStandIn, slack_standin  # the cost tests' Slack stand-in
from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.daemon.registry import registered_jobs
from sentinel.daemon.scheduler import Daemon
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.metric_store import MetricKey, Samples
from sentinel.rightsizing.jobs import RIGHTSIZING
from sentinel.store import Store

NOW = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # a Monday
MONITORS = """\
rightsizing:
  lookback: 14d
  headroom: 25%
  slack: {channel: "#acme-finops", token: env:ACME_SLACK_TOKEN}
"""


@pytest.fixture
def project(tmp_path: Path, aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ACME_SLACK_TOKEN", "xoxb-acme")
    [instance] = aws.client("ec2").run_instances(
        ImageId="ami-12c6146b", InstanceType="t3.large", MinCount=1, MaxCount=1
    )["Instances"]
    end = int(NOW.replace(hour=0).timestamp())
    times = end - 300 * np.arange(14 * 288, 0, -1)
    dims = {"InstanceId": instance["InstanceId"]}
    for metric, value in (("CPUUtilization", 0.7), ("NetworkIn", 4000.0), ("NetworkOut", 3000.0)):
        metric_store().put(
            MetricKey.of("AWS/EC2", metric, dims),
            Samples.of_values(times, np.full(len(times), value)),
        )
    root = tmp_path / "acme"
    (root / "monitors").mkdir(parents=True)
    (root / "sentinel.yaml").write_text("project: acme\nregions: [us-east-1]\n")
    (root / "monitors/cost.yaml").write_text(MONITORS)
    return root


@pytest.fixture
def slack(monkeypatch: pytest.MonkeyPatch) -> Iterator[SlackStandIn]:
    with slack_standin() as standin:
        monkeypatch.setenv("SENTINEL_SLACK_API_URL", standin.base_url)
        yield standin


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.dispose()


def test_posted_weekly_once(
    project: Path, aws: SessionFactory, slack: SlackStandIn, store: Store
) -> None:
    assert registered_jobs()["rightsizing"] is RIGHTSIZING
    config = load_config(project)
    daemon = Daemon(config, aws, store, jobs={"rightsizing": RIGHTSIZING})
    assert [(s.name, cron) for s, cron in daemon.configured()] == [("rightsizing", "0 9 * * mon")]

    first = daemon.run_job("rightsizing", NOW)
    again = daemon.run_job("rightsizing", NOW + timedelta(days=1))

    assert first.status == "succeeded", first.summary
    assert first.summary.startswith("1 findings, $60.74 a month, 1 resources, 1 GetMetricData")
    assert first.summary.endswith("posted #acme-finops")
    assert again.status == "skipped"
    [post] = slack.posted()
    assert post["channel"] == "#acme-finops"
    assert "idle: t3.large → stop or terminate, *$60.74*/month" in str(post["blocks"])
    assert "25% headroom kept" in str(post["blocks"])


def test_mailed_when_monitors_name_an_address(
    project: Path, aws: SessionFactory, store: Store
) -> None:
    import email

    from moto.ses.models import ses_backends

    (project / "monitors/cost.yaml").write_text(
        "rightsizing:\n  lookback: 14d\n  headroom: 25%\n  email: [finops@acme.example]\n"
    )
    aws.client("ses").verify_domain_identity(Domain="acme.example")
    config = load_config(project)
    daemon = Daemon(config, aws, store, jobs={"rightsizing": RIGHTSIZING})

    run = daemon.run_job("rightsizing", NOW)

    assert run.status == "succeeded", run.summary
    assert run.summary.endswith("posted finops@acme.example")
    [mail] = ses_backends["123456789012"]["us-east-1"].sent_messages
    assert "Subject: [acme] Right-sizing, week of 01 Jun 2026: $60.74 a month" in mail.raw_data
    body = email.message_from_string(mail.raw_data).get_payload(decode=True).decode()
    assert "t3.large" in body
