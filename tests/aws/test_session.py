"""Credentials of an assumed role: botocore's fetcher assumes it on first use and refreshes it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from sentinel.aws.session import AccountTarget, SessionFactory
from sentinel.errors import AwsError

MEMBER = "111111111111"
ROLE = f"arn:aws:iam::{MEMBER}:role/sentinel"


@pytest.fixture(autouse=True)
def member_role(aws: SessionFactory) -> Iterator[None]:
    """The role exists in the member account, trusting the calling account."""
    from moto.iam.models import iam_backends

    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "arn:aws:iam::123456789012:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam_backends[MEMBER]["aws"].create_role(
        role_name="sentinel",
        assume_role_policy_document=json.dumps(trust),
        path="/",
        permissions_boundary=None,
        description="",
        tags=[],
        max_session_duration="3600",
    )
    yield


def test_a_client_of_an_assumed_role_works_in_that_account(aws: SessionFactory) -> None:
    member = AccountTarget(account_id=MEMBER, role_arn=ROLE)
    identity = aws.client("sts", account=member).get_caller_identity()
    assert identity["Account"] == MEMBER
    assert identity["Arn"].endswith(":assumed-role/sentinel/sentinel")

    arn = aws.client("sns", account=member).create_topic(Name="alerts")["TopicArn"]
    assert arn == f"arn:aws:sns:us-east-1:{MEMBER}:alerts"
    # The calling account's own state is apart from the member's.
    assert aws.client("sns").list_topics()["Topics"] == []


def test_the_role_is_assumed_on_first_use_and_again_only_when_it_expires(
    aws: SessionFactory,
) -> None:
    member = AccountTarget(account_id=MEMBER, role_arn=ROLE)
    start = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
    with time_machine.travel(start, tick=False) as traveller:
        sns = aws.client("sns", account=member)
        assert aws.counter.total("sts", "AssumeRole") == 0
        sns.list_topics()
        sns.list_topics()
        assert aws.counter.total("sts", "AssumeRole") == 1
        # moto's sessions last an hour; botocore refreshes ahead of the expiry.
        traveller.move_to(start + timedelta(minutes=70))
        sns.list_topics()
        assert aws.counter.total("sts", "AssumeRole") == 2


# AWS answers AccessDenied without a shape of its own in the STS model: moto says so.
@pytest.mark.filterwarnings("ignore:Exception\\(AccessDenied\\):UserWarning")
def test_a_role_that_cannot_be_assumed_is_named(aws: SessionFactory) -> None:
    missing = AccountTarget(account_id=MEMBER, role_arn=f"arn:aws:iam::{MEMBER}:role/absent")
    with pytest.raises(AwsError, match=rf"cannot assume arn:aws:iam::{MEMBER}:role/absent: "):
        aws.client("sns", account=missing).list_topics()


def test_the_role_is_assumed_in_the_base_sessions_region(aws: SessionFactory) -> None:
    """A copy working in another region assumes the role first: STS is still called in the
    region of the factory the copy came from."""
    regions: list[str] = []
    aws.session().events.register(
        "before-call.sts.AssumeRole",
        lambda context, **_: regions.append(context["client_region"]),
    )
    member = aws.for_account(AccountTarget(account_id=MEMBER, role_arn=ROLE))
    member.region = "eu-west-1"

    arn = member.client("sns").create_topic(Name="alerts")["TopicArn"]

    assert arn == f"arn:aws:sns:eu-west-1:{MEMBER}:alerts"
    assert regions == [aws.region] == ["us-east-1"]


def test_timestamps_are_utc_datetimes_in_every_account(aws: SessionFactory) -> None:
    member = AccountTarget(account_id=MEMBER, role_arn=ROLE)
    for account in (AccountTarget(), member):
        cloudwatch = aws.client("cloudwatch", account=account)
        cloudwatch.put_metric_alarm(
            AlarmName="errors",
            Namespace="App",
            MetricName="Errors",
            Statistic="Sum",
            Period=60,
            EvaluationPeriods=1,
            Threshold=1,
            ComparisonOperator="GreaterThanThreshold",
        )
        alarm = cloudwatch.describe_alarms()["MetricAlarms"][0]
        updated = alarm["AlarmConfigurationUpdatedTimestamp"]
        assert updated.utcoffset() == timedelta(0)
        assert abs(updated - datetime.now(UTC)) < timedelta(minutes=5)


@pytest.mark.parametrize(
    "value",
    [
        0,
        1764547200,
        1764547200.125,
        "1764547200",
        "2026-12-01T00:00:00Z",
        "Tue, 01 Dec 2026 00:00:00 GMT",
    ],
)
@pytest.mark.parametrize("zone", ["UTC", "Europe/Berlin", "America/New_York"])
def test_timestamps_parse_as_botocore_parses_them(
    value: object, zone: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The same moment as botocore's, in UTC on a machine in any zone (botocore gives epoch
    seconds the machine's zone)."""
    import time

    import botocore.utils

    from sentinel.aws.response_parsing import parse_timestamp

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    try:
        assert parse_timestamp(value) == botocore.utils.parse_timestamp(value)
        assert parse_timestamp(value).utcoffset() == timedelta(0)
    finally:
        monkeypatch.undo()
        time.tzset()


def test_the_service_models_are_read_once_for_every_account(
    aws: SessionFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    import botocore.loaders

    aws.client("cloudwatch").describe_alarms()
    read: list[str] = []
    original = botocore.loaders.JSONFileLoader.load_file

    def reading(self: object, file_path: str) -> object:
        read.append(file_path)
        return original(self, file_path)  # type: ignore[arg-type]

    monkeypatch.setattr(botocore.loaders.JSONFileLoader, "load_file", reading)
    member = AccountTarget(account_id=MEMBER, role_arn=ROLE)
    aws.client("cloudwatch", account=member).describe_alarms()
    aws.client("cloudwatch", region="eu-west-1", account=member).describe_alarms()

    assert [path for path in read if "cloudwatch" in path or "endpoints" in path] == []
