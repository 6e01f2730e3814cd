"""Lambda memory from Compute Optimizer when the account is enrolled, REPORT lines otherwise.

moto has no Compute Optimizer (botocore speaks CBOR to it), so its answers come from botocore's
Stubber, which checks every request against the service model; the functions and their REPORT
lines are in the emulator.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from botocore.stub import Stubber

from sentinel.aws.session import SessionFactory
from sentinel.rightsizing.findings import FindingKind
from sentinel.rightsizing.scan import rightsize

from .serverless import NOW, make_function, write_reports


def recommendation(arn: str, finding: str, reasons: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "functionArn": arn,
        "functionVersion": "$LATEST",
        "currentMemorySize": 1024,
        "numberOfInvocations": 52_000,
        "lookbackPeriodInDays": 14.0,
        "lastRefreshTimestamp": datetime(2026, 2, 28, tzinfo=UTC),
        "finding": finding,
        "findingReasonCodes": reasons,
        "utilizationMetrics": [
            {"name": "Memory", "statistic": "Maximum", "value": 212.0},
            {"name": "Duration", "statistic": "Average", "value": 340.0},
        ],
        **extra,
    }


def test_enrolled_account_uses_compute_optimizer_over_two_pages(aws: SessionFactory) -> None:
    over = make_function(aws, "api", 1024)
    under = make_function(aws, "jobs", 1024)
    new = make_function(aws, "new", 1024)
    optimizer = aws.client("compute-optimizer")
    with Stubber(optimizer) as stub:
        stub.add_response("get_enrollment_status", {"status": "Active"})
        stub.add_response(
            "get_lambda_function_recommendations",
            {
                "lambdaFunctionRecommendations": [
                    recommendation(
                        over,
                        "NotOptimized",
                        ["MemoryOverprovisioned"],
                        memorySizeRecommendationOptions=[
                            {
                                "rank": 1,
                                "memorySize": 320,
                                "savingsOpportunity": {
                                    "savingsOpportunityPercentage": 60.0,
                                    "estimatedMonthlySavings": {"currency": "USD", "value": 41.3},
                                },
                            }
                        ],
                    ),
                    recommendation(
                        "arn:aws:lambda:us-east-1:123456789012:function:other", "Optimized", []
                    ),
                ],
                "nextToken": "page-2",
            },
            {"maxResults": 2},
        )
        stub.add_response(
            "get_lambda_function_recommendations",
            {
                "lambdaFunctionRecommendations": [
                    recommendation(
                        under,
                        "NotOptimized",
                        ["MemoryUnderprovisioned"],
                        memorySizeRecommendationOptions=[{"rank": 1, "memorySize": 1536}],
                    ),
                    recommendation(new, "Unavailable", ["InsufficientData"]),
                ]
            },
            {"maxResults": 2, "nextToken": "page-2"},
        )
        report = rightsize(aws, ["us-east-1"], now=NOW, page_size=2, sleep=lambda s: None)
        stub.assert_no_pending_responses()
    by_name = {f.name: f for f in report.findings}
    api, jobs = by_name["api"], by_name["jobs"]
    assert (api.kind, api.recommended, api.monthly_saving) == (FindingKind.OVER, "320 MB", 41.3)
    assert api.source == "Compute Optimizer"
    assert api.evidence == (
        "Compute Optimizer over 14 days: memory max 212 MB of 1024 MB, 52,000 invocations, "
        "duration average 340 ms"
    )
    assert (jobs.kind, jobs.recommended, jobs.monthly_saving) == (
        FindingKind.UNDER,
        "1536 MB",
        None,
    )
    assert [(n.name, n.reason) for n in report.not_enough_data] == [
        ("new", "Compute Optimizer: InsufficientData")
    ]
    assert report.lambda_sources == {
        "us-east-1": "Compute Optimizer (Compute Optimizer enrollment Active)"
    }
    assert report.log_queries == 0


def test_not_enrolled_falls_back_to_report_lines(aws: SessionFactory) -> None:
    make_function(aws, "api", 1024)
    write_reports(aws, "/aws/lambda/api", 1024, [150] * 120, 100.0)
    with Stubber(aws.client("compute-optimizer")) as stub:
        stub.add_response("get_enrollment_status", {"status": "Inactive"})
        report = rightsize(aws, ["us-east-1"], now=NOW, sleep=lambda s: None)
    [api] = report.findings
    assert (api.recommended, api.source) == ("192 MB", "Logs Insights (REPORT lines)")
    assert report.lambda_sources == {
        "us-east-1": "Logs Insights (REPORT lines) (Compute Optimizer enrollment Inactive)"
    }


def test_a_caller_not_allowed_to_ask_falls_back_and_says_so(aws: SessionFactory) -> None:
    make_function(aws, "api", 1024)
    write_reports(aws, "/aws/lambda/api", 1024, [150] * 120, 100.0)
    with Stubber(aws.client("compute-optimizer")) as stub:
        stub.add_client_error(
            "get_enrollment_status", "AccessDeniedException", http_status_code=403
        )
        report = rightsize(aws, ["us-east-1"], now=NOW, sleep=lambda s: None)
    assert [f.name for f in report.findings] == ["api"]
    assert report.lambda_sources["us-east-1"] == (
        "Logs Insights (REPORT lines) (Compute Optimizer not readable (AccessDeniedException))"
    )
