"""The daily report to email (SES) and to a severity's topic, once each, besides Slack."""

from __future__ import annotations

import email
import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import boto3
from moto.ses.models import ses_backends

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.cost.runs import run_report
from sentinel.emulator.cost_table import CostTable
from sentinel.naming import severity_topic
from sentinel.routing.report_messages import parse_report
from sentinel.store import Store

ACCOUNT = "123456789012"
EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_ips_gets_its_daily_report_by_email(
    aws: SessionFactory, bill: CostTable, store: Store, today: date, tmp_path: Path
) -> None:
    root = shutil.copytree(EXAMPLES / "ips", tmp_path / "ips")
    config = load_config(root)
    factory = SessionFactory(session=boto3.Session(region_name="ap-south-1"))
    factory.client("ses").verify_domain_identity(Domain="ips.example.com")
    day = today - timedelta(days=1)

    first = run_report(config, factory, store, day)
    again = run_report(config, factory, store, day)

    assert first.deliveries is not None and again.deliveries is not None
    assert [(d.status, d.target, d.kind) for d in first.deliveries] == [
        ("posted", "admin@ips.example.com", "email")
    ]
    assert [d.status for d in again.deliveries] == ["already posted"]
    [sent] = ses_backends[ACCOUNT]["ap-south-1"].sent_messages
    mail = email.message_from_string(sent.raw_data)
    assert mail["To"] == "admin@ips.example.com"
    assert mail["From"] == "sentinel@ips.example.com"
    assert mail["Subject"].startswith(f"[ips] Daily cost, {day:%d %b %Y}: $")
    parts = {p.get_content_type(): p for p in mail.walk()}
    text = parts["text/plain"].get_payload(decode=True).decode()
    assert f"ips: AWS cost for {day:%a %d %b %Y}" in text
    assert "<html" in parts["text/html"].get_payload(decode=True).decode().lower()
    assert parts["image/png"].get_payload(decode=True).startswith(b"\x89PNG")


def test_a_report_to_a_severity_reaches_its_topic_once(
    aws: SessionFactory, bill: CostTable, store: Store, today: date, config_dir: Path
) -> None:
    monitors = config_dir / "monitors" / "cost.yaml"
    text = monitors.read_text().replace(
        "  top_services: 4\n", "  top_services: 4\n  severity: warning\n"
    )
    monitors.write_text(text)
    config = load_config(config_dir)
    sns, sqs = aws.client("sns"), aws.client("sqs")
    topic = sns.create_topic(Name=severity_topic(config, "warning"))["TopicArn"]
    queue = sqs.create_queue(QueueName="finops-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn["Attributes"]["QueueArn"])
    day = today - timedelta(days=1)

    run = run_report(config, aws, store, day)
    run_report(config, aws, store, day)

    assert run.deliveries is not None
    kinds = {d.kind: d.status for d in run.deliveries}
    assert kinds["topic"] == "posted"
    messages = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert len(messages) == 1
    report = parse_report(json.loads(messages[0]["Body"])["Message"])
    assert report is not None
    assert (report.report, report.project) == ("cost", "shop")
    assert report.title.startswith(f"Daily cost, {day:%d %b %Y}: $")
    assert "shop: AWS cost for" in report.text


def test_a_missing_topic_is_named_and_slack_still_gets_the_report(
    aws: SessionFactory, bill: CostTable, store: Store, today: date, config_dir: Path
) -> None:
    monitors = config_dir / "monitors" / "cost.yaml"
    text = monitors.read_text().replace(
        "  top_services: 4\n", "  top_services: 4\n  severity: warning\n"
    )
    monitors.write_text(text)
    config = load_config(config_dir)

    run = run_report(config, aws, store, today - timedelta(days=1), deliver=True)

    assert run.deliveries is not None
    topic = [d for d in run.deliveries if d.kind == "topic"]
    assert [(d.status, d.detail) for d in topic] == [
        ("not configured", "SNS topic shop-warning does not exist (sentinel apply creates it)")
    ]
