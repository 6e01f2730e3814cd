"""Lambda memory right-sizing from REPORT lines (Logs Insights on the emulator), with figures."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.inventory import Resource
from sentinel.rightsizing.findings import FindingKind
from sentinel.rightsizing.lambda_logs import QUERY_TIMEOUT, read_memory_use
from sentinel.rightsizing.lambda_memory import memory_wanted
from sentinel.rightsizing.render import rightsizing_message, to_json
from sentinel.rightsizing.scan import lookback_window, rightsize

from .serverless import NOW, make_function, write_reports

START, END = lookback_window("14d", NOW)


def function(name: str, memory: int = 128, log_group: str | None = None) -> Resource:
    attributes: dict[str, object] = {"memory_size": memory, "architectures": ["x86_64"]}
    if log_group:
        attributes["log_group"] = log_group
    return Resource(
        type="lambda:function",
        id=name,
        arn=f"arn:aws:lambda:us-east-1:123456789012:function:{name}",
        region="us-east-1",
        account="123456789012",
        attributes=attributes,
    )


def test_memory_wanted_keeps_the_headroom_on_64_mb_steps_within_lambda_limits() -> None:
    assert memory_wanted(197, 20) == 256  # 246.25 MB needed
    assert memory_wanted(204.8, 20) == 256  # exactly 256 MB needed
    assert memory_wanted(205, 20) == 320
    assert memory_wanted(10, 20) == 128  # Lambda's smallest size
    assert memory_wanted(9000, 20) == 10240  # and its largest


@pytest.fixture
def report(aws: SessionFactory) -> object:
    make_function(aws, "api", 1024)
    # 200 invocations of 15 minutes, using 100..199 MB twice each: p99 (nearest rank, the
    # 198th) is 198 MB.
    used = [100 + i // 2 for i in range(200)]
    write_reports(aws, "/aws/lambda/api", 1024, used, 900_000.0)
    make_function(aws, "thumbs", 128, "arm64")
    write_reports(aws, "/aws/lambda/thumbs", 128, [100] * 140 + [128] * 10, 1000.0)
    make_function(aws, "rare", 512)
    write_reports(aws, "/aws/lambda/rare", 512, [60] * 99, 100.0)
    make_function(aws, "never", 256)
    waits: list[float] = []
    found = rightsize(aws, ["us-east-1"], now=NOW, sleep=waits.append)
    return found, waits


def test_over_provisioned_function_with_its_monthly_costs(report: object) -> None:
    found, _ = report  # type: ignore[misc]
    api = {f.name: f for f in found.findings}["api"]
    assert api.kind is FindingKind.OVER
    assert (api.current, api.recommended) == ("1024 MB x86_64", "256 MB")
    # 200 x 900 s billed over 14 days (336 h), brought to 730 h: 391,071 GB-s at 1 GB.
    assert api.monthly_cost == 6.52
    assert api.recommended_cost == 1.63
    assert api.monthly_saving == 4.89
    assert api.evidence == (
        "p99 of Max Memory Used 198 MB (max 199 MB) of 1024 MB over 200 invocations; "
        "256 MB keeps 20% headroom"
    )
    assert api.source == "Logs Insights (REPORT lines)"


def test_a_function_that_reached_its_memory_is_under_provisioned(report: object) -> None:
    found, _ = report  # type: ignore[misc]
    thumbs = {f.name: f for f in found.findings}["thumbs"]
    assert thumbs.kind is FindingKind.UNDER
    assert (thumbs.current, thumbs.recommended) == ("128 MB arm64", "192 MB")
    assert thumbs.notes == ("reached its memory size: out-of-memory failures likely",)
    # 150 s billed in 14 days at arm64's rate: more memory costs more.
    assert thumbs.monthly_saving is not None and thumbs.monthly_saving <= 0


def test_too_few_invocations_and_no_log_group_are_not_enough_data(report: object) -> None:
    found, waits = report  # type: ignore[misc]
    reasons = {n.name: n.reason for n in found.not_enough_data}
    assert reasons == {
        "rare": "99 invocations in the 14d, 100 needed",
        "never": "no log group /aws/lambda/never (never invoked?)",
    }
    assert {f.name for f in found.findings} == {"api", "thumbs"}
    # One query for the three groups; the emulator answers Running once, so one wait.
    assert found.log_queries == 1
    assert waits == [1.0]
    assert found.lambda_sources["us-east-1"].startswith("Logs Insights (REPORT lines)")


def test_json_and_slack_carry_the_source_and_the_functions_without_data(report: object) -> None:
    found, _ = report  # type: ignore[misc]
    import json

    data = json.loads(to_json(found))
    api = next(f for f in data["findings"] if f["name"] == "api")
    assert api["source"] == "Logs Insights (REPORT lines)"
    assert [n["name"] for n in data["not_enough_data"]] == ["never", "rare"]
    assert data["logs_insights_queries"] == 1
    message = rightsizing_message(found, "acme")
    text = message["blocks"][1]["text"]["text"]
    assert "*api* (lambda:function) over-provisioned: 1024 MB x86_64 → 256 MB" in text
    assert "Not enough data: never, rare" in text


def test_retention_shorter_than_the_lookback_scales_the_month(aws: SessionFactory) -> None:
    write_reports(aws, "/aws/lambda/kept", 256, [50] * 120, 1000.0, retention=7)
    reading = read_memory_use(aws.client("logs"), [function("kept", 256)], START, END, 99)
    use = reading.uses["kept"]
    assert use.hours == 7 * 24
    assert (use.invocations, use.max_used_mb, use.billed_seconds) == (120, 50.0, 120.0)


def test_log_groups_are_listed_in_small_pages_and_queried_50_at_a_time(
    aws: SessionFactory,
) -> None:
    names = [f"fn{i:02d}" for i in range(51)]
    for name in names:
        write_reports(aws, f"/aws/lambda/{name}", 128, [64] * 2, 10.0)
    waits: list[float] = []
    reading = read_memory_use(
        aws.client("logs"),
        [function(n) for n in names],
        START,
        END,
        99,
        sleep=waits.append,
        page_size=5,
    )
    assert sorted(reading.uses) == names
    assert reading.queries == 2
    assert aws.counter.total("cloudwatch-logs", "StartQuery") == 2
    assert aws.counter.total("cloudwatch-logs", "DescribeLogGroups") == 11  # 51 groups, 5 a page
    assert waits == [1.0, 1.0]


def test_a_function_logging_elsewhere_is_read_from_its_own_group(aws: SessionFactory) -> None:
    write_reports(aws, "/shared/functions", 512, [300] * 3, 10.0)
    reading = read_memory_use(
        aws.client("logs"),
        [function("shared", 512, log_group="/shared/functions")],
        START,
        END,
        99,
        sleep=lambda seconds: None,
    )
    assert reading.uses["shared"].max_used_mb == 300.0


def test_a_query_that_does_not_finish_in_time_is_stopped(aws: SessionFactory) -> None:
    write_reports(aws, "/aws/lambda/slow", 128, [64] * 2, 10.0)
    reading = read_memory_use(
        aws.client("logs"), [function("slow")], START, END, 99, sleep=lambda s: None, timeout=0
    )
    assert reading.uses == {}
    assert reading.missing == {"slow": "Logs Insights query still running after 0 s: stopped"}
    assert aws.counter.total("cloudwatch-logs", "StopQuery") == 1
    assert QUERY_TIMEOUT == 120.0


def test_lines_outside_the_lookback_do_not_count(aws: SessionFactory) -> None:
    before = int(datetime(2026, 2, 1, tzinfo=UTC).timestamp())
    write_reports(aws, "/aws/lambda/old", 128, [120] * 5, 10.0, end=before)
    reading = read_memory_use(
        aws.client("logs"), [function("old")], START, END, 99, sleep=lambda s: None
    )
    assert reading.missing == {"old": "no REPORT line in /aws/lambda/old over the lookback"}


def test_the_table_names_the_functions_without_data_and_the_source(report: object) -> None:
    from rich.console import Console

    from sentinel.rightsizing.render import render_table

    found, _ = report  # type: ignore[misc]
    console = Console(record=True, width=200)
    render_table(found, console)
    text = console.export_text()
    assert "not enough data: rare (lambda:function): 99 invocations in the 14d, 100 needed" in text
    assert (
        "Lambda memory in us-east-1: Logs Insights (REPORT lines) (Compute Optimizer not "
        "readable (HTTP 404 from the endpoint)), 1 Logs Insights query." in text
    )


def test_a_query_logs_insights_will_not_start_leaves_its_functions_without_data(
    aws: SessionFactory,
) -> None:
    from botocore.stub import Stubber

    logs = aws.client("logs")
    with Stubber(logs) as stub:
        stub.add_response(
            "describe_log_groups",
            {"logGroups": [{"logGroupName": "/aws/lambda/f"}]},
            {"logGroupNamePrefix": "/aws/lambda/", "limit": 50},
        )
        stub.add_client_error("start_query", "LimitExceededException")
        reading = read_memory_use(logs, [function("f")], START, END, 99, sleep=lambda s: None)
    assert reading.missing == {"f": "Logs Insights query not started (LimitExceededException)"}


def test_a_throttled_poll_leaves_that_batch_without_data_and_the_scan_goes_on(
    aws: SessionFactory,
) -> None:
    import botocore.exceptions

    names = [f"fn{i:02d}" for i in range(51)]  # two queries: 50 groups, then 1
    for name in names:
        write_reports(aws, f"/aws/lambda/{name}", 128, [64] * 2, 10.0)
    logs = aws.client("logs")
    polls: list[str] = []

    def throttle_first(params: dict[str, object], **kwargs: object) -> None:
        polls.append(str(params["queryId"]))
        if len(set(polls)) == 1:
            error = {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}
            raise botocore.exceptions.ClientError(error, "GetQueryResults")  # type: ignore[arg-type]

    logs.meta.events.register("provide-client-params.logs.GetQueryResults", throttle_first)
    reading = read_memory_use(
        logs, [function(n) for n in names], START, END, 99, sleep=lambda s: None
    )
    assert sorted(reading.uses) == ["fn50"]
    assert reading.missing == {
        n: "Logs Insights query not read (ThrottlingException)" for n in names[:50]
    }
    assert reading.queries == 2


def test_a_query_that_ended_before_its_stop_leaves_its_functions_without_data(
    aws: SessionFactory,
) -> None:
    import botocore.exceptions

    write_reports(aws, "/aws/lambda/slow", 128, [64] * 2, 10.0)
    logs = aws.client("logs")

    def finished(params: dict[str, object], **kwargs: object) -> None:
        error = {"Error": {"Code": "InvalidParameterException", "Message": "query finished"}}
        raise botocore.exceptions.ClientError(error, "StopQuery")  # type: ignore[arg-type]

    logs.meta.events.register("provide-client-params.logs.StopQuery", finished)
    reading = read_memory_use(
        logs, [function("slow")], START, END, 99, sleep=lambda s: None, timeout=0
    )
    assert reading.missing == {"slow": "Logs Insights query not read (InvalidParameterException)"}
