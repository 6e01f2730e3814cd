"""--verbose: the AWS calls a command made, and what Cost Explorer requests cost."""

from __future__ import annotations

import contextlib

import botocore.exceptions

from sentinel.aws.session import ApiCallCounter, SessionFactory


def test_cost_explorer_requests_are_priced(aws: SessionFactory) -> None:
    ce = aws.client("ce")
    for _ in range(3):
        # moto may refuse a query on an empty account; the request was made all the same.
        with contextlib.suppress(botocore.exceptions.ClientError):
            ce.get_cost_and_usage(
                TimePeriod={"Start": "2026-11-01", "End": "2026-11-02"},
                Granularity="DAILY",
                Metrics=["UnblendedCost"],
            )
    aws.client("sts").get_caller_identity()

    assert aws.counter.total("cost-explorer", "GetCostAndUsage") == 3
    assert aws.counter.cost_explorer_usd == 0.03
    assert ("sts", "GetCallerIdentity", 1) in aws.counter.rows()


def test_counter_counts_operations_per_service() -> None:
    counter = ApiCallCounter()
    counter.record("cloudwatch", "DescribeAlarms")
    counter.record("cloudwatch", "DescribeAlarms")
    counter.record("sns", "ListTopics")
    assert counter.total() == 3
    assert counter.total("cloudwatch") == 2
    assert counter.rows() == [("cloudwatch", "DescribeAlarms", 2), ("sns", "ListTopics", 1)]
