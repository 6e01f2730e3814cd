"""Reports by email through SES: one mail per address and key, text, HTML and the chart."""

from __future__ import annotations

import email
from collections.abc import Iterator
from pathlib import Path

import pytest
from moto.ses.models import ses_backends

from sentinel.aws.session import SessionFactory
from sentinel.delivery import email as report_email
from sentinel.delivery.email import EmailPost, mail_once
from sentinel.store import Store
from sentinel.store.outbox import Outbox

ACCOUNT, REGION = "123456789012", "us-east-1"
POST = EmailPost(
    "[ips] Daily cost, 01 Dec 2026: $41.20",
    "Yesterday: $41.20\n",
    "<p>Yesterday: <b>$41.20</b></p>",
    b"\x89PNG chart",
    "cost-ips-2026-12-01.png",
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store(f"sqlite:///{tmp_path / 'store.db'}")
    yield opened
    opened.dispose()


def _sent() -> list[email.message.Message]:
    raw = ses_backends[ACCOUNT][REGION].sent_messages
    return [email.message_from_string(m.raw_data) for m in raw]


def _mail(aws: SessionFactory, store: Store, *addresses: str) -> list[str]:
    built: list[str] = []

    def build() -> EmailPost:
        built.append("built")
        return POST

    results = mail_once(
        list(addresses), lambda a: f"cost-report:ips:2026-12-01:{a}", build, store,
        lambda: aws.client("ses"),
    )  # fmt: skip
    return [r.status for r in results] + built


def test_a_report_is_mailed_once_with_its_chart(aws: SessionFactory, store: Store) -> None:
    aws.client("ses").verify_domain_identity(Domain="ips.example.com")

    first = _mail(aws, store, "admin@ips.example.com", "ops@ips.example.com")
    again = _mail(aws, store, "admin@ips.example.com", "ops@ips.example.com")

    assert first == ["posted", "posted", "built"]
    assert again == ["already posted", "already posted"]
    sent = _sent()
    assert [m["To"] for m in sent] == ["admin@ips.example.com", "ops@ips.example.com"]
    message = sent[0]
    assert message["From"] == "sentinel@ips.example.com"
    assert message["Subject"] == "[ips] Daily cost, 01 Dec 2026: $41.20"
    parts = {p.get_content_type(): p for p in message.walk()}
    assert parts["text/plain"].get_payload(decode=True) == b"Yesterday: $41.20\r\n"  # SMTP lines
    assert b"<b>$41.20</b>" in parts["text/html"].get_payload(decode=True)
    chart = parts["image/png"]
    assert chart.get_filename() == "cost-ips-2026-12-01.png"
    assert chart.get_payload(decode=True) == b"\x89PNG chart"


def test_a_refused_mail_stays_queued_and_goes_later(aws: SessionFactory, store: Store) -> None:
    assert _mail(aws, store, "admin@ips.example.com") == ["queued", "built"]
    pending = Outbox(store).pending()
    assert [(d.channel, d.target) for d in pending] == [("email", "admin@ips.example.com")]
    assert "SES: MessageRejected" in (pending[0].last_error or "")

    aws.client("ses").verify_domain_identity(Domain="ips.example.com")
    assert _mail(aws, store, "admin@ips.example.com") == ["posted"]  # not built again
    assert len(_sent()) == 1


def test_a_message_over_ses_s_limit_is_never_sent(
    aws: SessionFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.client("ses").verify_domain_identity(Domain="ips.example.com")
    monkeypatch.setattr(report_email, "RAW_MESSAGE_LIMIT", 200)

    assert _mail(aws, store, "admin@ips.example.com") == ["queued", "built"]
    assert "over SES's 200" in (Outbox(store).pending()[0].last_error or "")
    assert _sent() == []


def test_the_sender_is_the_configured_identity(
    aws: SessionFactory, store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    aws.client("ses").verify_email_identity(EmailAddress="finops@example.org")
    monkeypatch.setenv("SENTINEL_EMAIL_FROM", "finops@example.org")

    assert _mail(aws, store, "admin@ips.example.com")[0] == "posted"
    assert _sent()[0]["From"] == "finops@example.org"
