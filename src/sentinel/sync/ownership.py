"""Who owns a resource: its ``sentinel:project`` tag, read for many ARNs at once.

The Resource Groups Tagging API answers for up to 100 ARNs of any service per call, so the
owners of the few resources a plan would change cost one call per hundred, not one each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sentinel.naming import PROJECT_TAG

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext
    from sentinel.sync.model import State

ARNS_PER_CALL = 100


def project_tags(ctx: SyncContext, arns: Iterable[str]) -> dict[str, str | None]:
    """The ``sentinel:project`` tag of each ARN; None when the resource has no such tag."""
    wanted = list(dict.fromkeys(arns))
    owners: dict[str, str | None] = dict.fromkeys(wanted)
    tagging = ctx.client("resourcegroupstaggingapi")
    for start in range(0, len(wanted), ARNS_PER_CALL):
        batch = wanted[start : start + ARNS_PER_CALL]
        response = tagging.get_resources(ResourceARNList=batch)
        for mapping in response.get("ResourceTagMappingList", []):
            arn = mapping.get("ResourceARN")
            if arn in owners:
                tags = {t["Key"]: t["Value"] for t in mapping.get("Tags", [])}
                owners[arn] = tags.get(PROJECT_TAG)
    return owners


def owners_by_key(ctx: SyncContext, states: Sequence[State]) -> dict[str, str | None]:
    """``Kind.owners`` for kinds whose actual states carry their ARN."""
    tags = project_tags(ctx, [s.arn for s in states if s.arn])
    return {s.key: tags.get(s.arn) if s.arn else None for s in states}
