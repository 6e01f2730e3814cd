"""Tags of many resources at once, through the Resource Groups Tagging API.

GetResources takes up to 100 ARNs of any service per request, and a page of its answer can
hold fewer resources than were asked for: every read follows ``PaginationToken`` to the end
(botocore's paginator), so a resource is never taken for untagged because it was on page two.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ARNS_PER_REQUEST = 100  # GetResources' limit of ResourceARNList


def tags_of(client: Any, arns: Iterable[str]) -> dict[str, dict[str, str]]:
    """The tags of each ARN; an ARN absent from the answer has none (or no longer exists)."""
    wanted = list(dict.fromkeys(arns))
    found: dict[str, dict[str, str]] = {}
    paginator = client.get_paginator("get_resources")
    for start in range(0, len(wanted), ARNS_PER_REQUEST):
        batch = wanted[start : start + ARNS_PER_REQUEST]
        for page in paginator.paginate(ResourceARNList=batch):
            for mapping in page.get("ResourceTagMappingList", []):
                tags = {t["Key"]: t["Value"] for t in mapping.get("Tags", [])}
                found[mapping["ResourceARN"]] = tags
    return found
