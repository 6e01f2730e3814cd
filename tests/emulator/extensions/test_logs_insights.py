"""Logs Insights' stats over Lambda REPORT lines, answered as AWS does; queries must be polled."""

from __future__ import annotations

import time

import botocore.exceptions
import pytest

from sentinel.aws.session import SessionFactory
from sentinel.emulator.demo.serverless import report_line
from sentinel.emulator.extensions.logs_insights import parse_report_stats, report_fields

LINE = (
    "REPORT RequestId: 3604209a-e9a3-11e6-939a-754dd98c7be3\tDuration: 12.34 ms\t"
    "Billed Duration: 13 ms\tMemory Size: 1024 MB\tMax Memory Used: 180 MB\t"
    "Init Duration: 250.71 ms\t"
)


def test_a_report_line_gives_the_fields_logs_insights_discovers() -> None:
    assert report_fields(LINE) == {
        "@type": "REPORT",
        "@requestId": "3604209a-e9a3-11e6-939a-754dd98c7be3",
        "@duration": 12.34,
        "@billedDuration": 13.0,
        "@memorySize": 1_024_000_000,
        "@maxMemoryUsed": 180_000_000,
        "@initDuration": 250.71,
    }
    assert report_fields("START RequestId: abc Version: $LATEST")["@type"] == "START"
    assert report_fields("an application line") == {}


def test_only_the_filter_and_stats_shape_is_taken_over() -> None:
    assert parse_report_stats('filter @type = "REPORT" | stats max(@maxMemoryUsed) as m by @log')
    assert parse_report_stats("fields @timestamp, @message | limit 5") is None
    assert parse_report_stats('filter @type = "REPORT" | stats median(@duration)') is None


def _group(aws: SessionFactory, name: str, used: list[int], start: int) -> None:
    logs = aws.client("logs")
    logs.create_log_group(logGroupName=name)
    logs.create_log_stream(logGroupName=name, logStreamName="s")
    logs.put_log_events(
        logGroupName=name,
        logStreamName="s",
        logEvents=[
            {"timestamp": (start + i) * 1000, "message": report_line(f"r{i}", 20.5, 512, u)}
            for i, u in enumerate(used)
        ]
        + [{"timestamp": (start + len(used)) * 1000, "message": "an application line"}],
    )


@pytest.mark.real_clock  # PutLogEvents refuses events older than 14 days by the real clock
def test_stats_by_log_group_after_a_first_running_answer(aws: SessionFactory) -> None:
    now = int(time.time()) - 600
    _group(aws, "/aws/lambda/a", list(range(101, 201)), now)
    _group(aws, "/aws/lambda/b", [300, 310], now)
    logs = aws.client("logs")
    query = (
        'filter @type = "REPORT" | stats count(*) as n, max(@maxMemoryUsed) as top, '
        "pct(@maxMemoryUsed, 99) as p99, avg(@duration), sum(@billedDuration) as billed by @log"
    )
    query_id = logs.start_query(
        logGroupNames=["/aws/lambda/a", "/aws/lambda/b"],
        startTime=now,
        endTime=now + 300,
        queryString=query,
    )["queryId"]

    first = logs.get_query_results(queryId=query_id)
    second = logs.get_query_results(queryId=query_id)

    assert (first["status"], first["results"]) == ("Running", [])
    assert second["status"] == "Complete"
    rows = [{c["field"]: c["value"] for c in row} for row in second["results"]]
    assert rows == [
        {
            "@log": "123456789012:/aws/lambda/a",
            "n": "100",
            "top": "200000000",
            "p99": "199000000",
            "avg(@duration)": "20.5",
            "billed": "2100",
        },
        {
            "@log": "123456789012:/aws/lambda/b",
            "n": "2",
            "top": "310000000",
            "p99": "310000000",
            "avg(@duration)": "20.5",
            "billed": "42",
        },
    ]
    with pytest.raises(botocore.exceptions.ClientError) as ended:
        logs.stop_query(queryId=query_id)
    assert ended.value.response["Error"]["Code"] == "InvalidParameterException"


def test_bad_start_query_input_is_refused(aws: SessionFactory) -> None:
    logs = aws.client("logs")
    for n in range(51):
        logs.create_log_group(logGroupName=f"/aws/lambda/f{n}")
    query = 'filter @type = "REPORT" | stats count(*)'
    with pytest.raises(botocore.exceptions.ClientError) as backwards:
        logs.start_query(
            logGroupNames=["/aws/lambda/f0"], startTime=200, endTime=100, queryString=query
        )
    with pytest.raises(botocore.exceptions.ClientError) as too_many:
        logs.start_query(
            logGroupNames=[f"/aws/lambda/f{n}" for n in range(51)],
            startTime=100,
            endTime=200,
            queryString=query,
        )
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        logs.start_query(
            logGroupNames=["/aws/lambda/none"], startTime=100, endTime=200, queryString=query
        )
    assert backwards.value.response["Error"]["Code"] == "InvalidParameterException"
    assert too_many.value.response["Error"]["Code"] == "InvalidParameterException"
    assert missing.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_a_running_query_can_be_stopped_once(aws: SessionFactory) -> None:
    logs = aws.client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/f")
    query_id = logs.start_query(
        logGroupNames=["/aws/lambda/f"],
        startTime=100,
        endTime=200,
        queryString='filter @type = "REPORT" | stats count(*)',
    )["queryId"]
    assert logs.stop_query(queryId=query_id)["success"] is True
    assert logs.get_query_results(queryId=query_id)["status"] in ("Running", "Cancelled")
    with pytest.raises(botocore.exceptions.ClientError):
        logs.stop_query(queryId=query_id)


def test_db_clusters_come_in_pages_of_20_to_100(aws: SessionFactory) -> None:
    rds = aws.client("rds")
    for n in range(23):
        rds.create_db_cluster(
            DBClusterIdentifier=f"c{n:02d}",
            Engine="aurora-postgresql",
            MasterUsername="admin1",
            MasterUserPassword="password-not-secret",
        )
    first = rds.describe_db_clusters(MaxRecords=20)
    rest = rds.describe_db_clusters(MaxRecords=20, Marker=first["Marker"])
    assert len(first["DBClusters"]) == 20 and "Marker" not in rest
    assert [c["DBClusterIdentifier"] for c in first["DBClusters"] + rest["DBClusters"]] == [
        f"c{n:02d}" for n in range(23)
    ]
    with pytest.raises(botocore.exceptions.ClientError) as small:
        rds.describe_db_clusters(MaxRecords=5)
    assert small.value.response["Error"]["Code"] == "InvalidParameterValue"
