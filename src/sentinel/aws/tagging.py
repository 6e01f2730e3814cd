"""Tags of many resources at once, through the Resource Groups Tagging API.

GetResources takes up to 100 ARNs of any service per request (``ResourceARNList``) and answers
them in one response: AWS refuses the pagination parameters beside an ARN list (the service
model's documentation of the parameter), so each batch is one request. Listings by tag or
resource type (no ARN list) are paged, and every reader of those follows ``PaginationToken``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

ARNS_PER_REQUEST = 100  # GetResources' limit of ResourceARNList


def tags_of(client: Any, arns: Iterable[str]) -> dict[str, dict[str, str]]:
    """The tags of each ARN; an ARN absent from the answer has none (or no longer exists)."""
    wanted = list(dict.fromkeys(arns))
    found: dict[str, dict[str, str]] = {}
    for start in range(0, len(wanted), ARNS_PER_REQUEST):
        batch = wanted[start : start + ARNS_PER_REQUEST]
        # AWS answers an ARN list in one response and refuses a PaginationToken beside it.
        page = client.get_resources(ResourceARNList=batch)
        for mapping in page.get("ResourceTagMappingList", []):
            tags = {t["Key"]: t["Value"] for t in mapping.get("Tags", [])}
            found[mapping["ResourceARN"]] = tags
    return found
