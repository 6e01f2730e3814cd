"""Who owns a resource: its ``sentinel:project`` tag, read for many ARNs at once.

The Resource Groups Tagging API answers for up to 100 ARNs of any service per request, so the
owners of the few resources a plan would change cost one request per hundred (and page), not
one each.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from sentinel.aws.tagging import tags_of
from sentinel.naming import PROJECT_TAG

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext
    from sentinel.sync.model import State


def project_tags(ctx: SyncContext, arns: Iterable[str]) -> dict[str, str | None]:
    """The ``sentinel:project`` tag of each ARN; None when the resource has no such tag. While
    a plan runs, an ARN's tag is read once (a subscription's owner is its topic's, read by
    the topics kind already)."""
    wanted = list(dict.fromkeys(arns))
    memo = ctx.plan_memo("project_tags")
    known: dict[str, str | None] = memo if memo is not None else {}
    missing = [arn for arn in wanted if arn not in known]
    tags = tags_of(ctx.client("resourcegroupstaggingapi"), missing) if missing else {}
    found = {arn: tags.get(arn, {}).get(PROJECT_TAG) for arn in missing}
    known.update(found)
    return {arn: found[arn] if arn in found else known[arn] for arn in wanted}


def tag_list(tags: dict[str, str]) -> list[dict[str, str]]:
    """Tags as most tag calls take them: ``[{"Key": k, "Value": v}]``, sorted by key."""
    return [{"Key": key, "Value": value} for key, value in sorted(tags.items())]


def owners_by_key(ctx: SyncContext, states: Sequence[State]) -> dict[str, str | None]:
    """``Kind.owners`` for kinds whose actual states carry their ARN."""
    tags = project_tags(ctx, [s.arn for s in states if s.arn])
    return {s.key: tags.get(s.arn) if s.arn else None for s in states}
