"""Compute Optimizer's Lambda recommendations, used when the account has opted in.

GetEnrollmentStatus says whether it has (``Active``); an account that has not, or a caller
not allowed to ask, or an endpoint that does not offer the service, falls back to the REPORT
lines, and the report says why. GetLambdaFunctionRecommendations is paged (``nextToken``, up
to 1,000 a page); a function has one recommendation per version, and the newest refreshed of
its unqualified ARN or ``$LATEST`` is kept.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import botocore.exceptions

MAX_RESULTS = 1000  # GetLambdaFunctionRecommendations' maxResults maximum


@dataclass(frozen=True)
class Enrollment:
    active: bool
    reason: str


def enrollment(client: Any) -> Enrollment:
    try:
        answer = client.get_enrollment_status()
    except (botocore.exceptions.ClientError, botocore.exceptions.BotoCoreError) as error:
        return Enrollment(False, f"Compute Optimizer not readable ({_short(error)})")
    status = str(answer.get("status", "Inactive"))
    if status != "Active":
        return Enrollment(False, f"Compute Optimizer enrollment {status}")
    return Enrollment(True, "Compute Optimizer enrollment Active")


def _short(error: Exception) -> str:
    if isinstance(error, botocore.exceptions.ClientError):
        code = str(error.response.get("Error", {}).get("Code") or "")
        if not code or code.isdigit():  # no AWS error: the endpoint does not offer the service
            status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or code
            return f"HTTP {status} from the endpoint"
        return code
    return type(error).__name__


def unqualified(arn: str) -> str:
    """``arn:aws:lambda:r:a:function:name:$LATEST`` -> ``arn:aws:lambda:r:a:function:name``."""
    return ":".join(arn.split(":")[:7])


def recommendations(
    client: Any, function_arns: Sequence[str], page_size: int | None = None
) -> dict[str, dict[str, Any]]:
    """The newest recommendation of each function of ``function_arns``, by unqualified ARN."""
    wanted = {unqualified(a) for a in function_arns}
    size = min(page_size or MAX_RESULTS, MAX_RESULTS)
    paginator = client.get_paginator("get_lambda_function_recommendations")
    found: dict[str, dict[str, Any]] = {}
    for page in paginator.paginate(PaginationConfig={"PageSize": size}):
        for item in page.get("lambdaFunctionRecommendations", []):
            arn = unqualified(str(item.get("functionArn", "")))
            if arn not in wanted or item.get("functionVersion") not in (None, "$LATEST"):
                continue
            kept = found.get(arn)
            if kept is None or _refreshed(item) >= _refreshed(kept):
                found[arn] = item
    return found


def _refreshed(item: dict[str, Any]) -> float:
    stamp = item.get("lastRefreshTimestamp")
    return stamp.timestamp() if stamp is not None else 0.0
