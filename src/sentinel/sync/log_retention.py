"""How long CloudWatch Logs keeps each configured log group's events (``log_groups:``).

A log group is usually made by what writes to it (ECS, Lambda), not by Sentinel, so the kind
manages a group's *retention*, never the group itself: a delete removes the retention policy
(the events then never expire) and the group stays. Only groups that exist and match a
``log_groups`` pattern, or that the config names exactly, are touched; an exact name that does
not exist is created with the project's tags.

Ownership: the ``sentinel:project`` tag on the log group (TagResource with the group's ARN,
without the ``:*`` that DescribeLogGroups' ``arn`` ends with), read through the Tagging API: the
project's groups the config no longer matches are listed by that tag, and the owners of all
are read 100 ARNs a request. An untagged group may get a
retention at least as long as its own (nothing is lost); a shorter one deletes events, so it
needs ``adopt: true`` on the entry, and otherwise the plan shows a conflict naming both
retentions. Setting the retention tags the group, so removing the entry later removes the
retention Sentinel set. A group matched by two entries is an error: two retentions for one
group would depend on the order of the files.
"""

from __future__ import annotations

import fnmatch
from typing import TYPE_CHECKING, Any

from sentinel.config.models.log_groups import LogGroups, is_pattern, literal_prefix
from sentinel.errors import ConfigError
from sentinel.naming import PROJECT_TAG
from sentinel.sync.kind import Kind
from sentinel.sync.model import State
from sentinel.sync.ownership import owners_by_key

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "log retention"
FIELD = "retention_days"
PAGE = 50  # DescribeLogGroups' maximum limit
IDENTIFIERS = 50  # DescribeLogGroups' logGroupIdentifiers maximum
_GROUP_ARN = ":log-group:"


def log_group_arn(ctx: SyncContext, name: str) -> str:
    return ctx.arn("logs", f"log-group:{name}")


def list_log_groups(ctx: SyncContext, **selection: Any) -> dict[str, dict[str, Any]]:
    """The log groups ``selection`` picks (a name prefix, or up to 50 names), name ->
    DescribeLogGroups entry, all pages."""
    paginator = ctx.client("logs").get_paginator("describe_log_groups")
    groups: dict[str, dict[str, Any]] = {}
    for page in paginator.paginate(**selection, PaginationConfig={"PageSize": PAGE}):
        for group in page.get("logGroups", []):
            groups[group["logGroupName"]] = group
    return groups


def named_log_groups(ctx: SyncContext, names: list[str]) -> dict[str, dict[str, Any]]:
    """The groups of these names that exist, 50 names a request."""
    found: dict[str, dict[str, Any]] = {}
    for start in range(0, len(names), IDENTIFIERS):
        found |= list_log_groups(ctx, logGroupIdentifiers=names[start : start + IDENTIFIERS])
    return found


def tagged_log_groups(ctx: SyncContext) -> list[str]:
    """The names of the log groups tagged as the project's (the Tagging API's pages)."""
    paginator = ctx.client("resourcegroupstaggingapi").get_paginator("get_resources")
    pages = paginator.paginate(
        TagFilters=[{"Key": PROJECT_TAG, "Values": [ctx.project]}],
        # The service's whole type family, with the ARN telling log groups apart: "logs" is a
        # filter AWS and the emulator read alike (moto names the type "logs:loggroup").
        ResourceTypeFilters=["logs"],
    )
    return [
        mapping["ResourceARN"].partition(_GROUP_ARN)[2]
        for page in pages
        for mapping in page.get("ResourceTagMappingList", [])
        if _GROUP_ARN in mapping["ResourceARN"]
    ]


def _configured(ctx: SyncContext) -> dict[str, dict[str, Any]]:
    """The groups under the literal prefixes of the config's patterns, and its exact names."""
    prefixes = sorted(
        {
            literal_prefix(group)
            for entry in ctx.config.log_groups
            for group in entry.groups
            if is_pattern(group)
        }
    )
    # A prefix inside another is listed with it: "/ecs/" covers "/ecs/p2p-".
    kept = [p for p in prefixes if not any(p != q and p.startswith(q) for q in prefixes)]
    found: dict[str, dict[str, Any]] = {}
    for prefix in kept:
        found |= list_log_groups(ctx, logGroupNamePrefix=prefix)
    exact = [g for e in ctx.config.log_groups for g in e.groups if not is_pattern(g)]
    return found | named_log_groups(ctx, [n for n in dict.fromkeys(exact) if n not in found])


def _matches(entry: LogGroups, name: str) -> bool:
    return any(
        fnmatch.fnmatchcase(name, group) if is_pattern(group) else name == group
        for group in entry.groups
    )


class LogRetention(Kind):
    name = KIND
    label = "CloudWatch Logs retention"
    reads = ("logs:DescribeLogGroups", "tag:GetResources")
    writes = (
        "logs:CreateLogGroup",
        "logs:PutRetentionPolicy",
        "logs:DeleteRetentionPolicy",
        "logs:TagResource",
        "logs:UntagResource",
    )

    def desired(self, ctx: SyncContext) -> list[State]:
        existing = _configured(ctx) if ctx.config.log_groups else {}
        claimed: dict[str, LogGroups] = {}
        problems = []
        states: dict[str, State] = {}
        for entry in ctx.config.log_groups:
            source = ctx.config.source("log group", entry.name)
            names = [n for n in existing if _matches(entry, n)]
            names += [g for g in entry.groups if not is_pattern(g) and g not in existing]
            for name in dict.fromkeys(names):
                if name in claimed:
                    spot = ctx.config.positions[("log group", entry.name)]
                    problems.append(
                        spot.problem(
                            f"log group {name!r} is matched by log_groups {claimed[name].name!r} "
                            f"and {entry.name!r}: a group has one retention"
                        )
                    )
                    continue
                claimed[name] = entry
                payload = {
                    "name": name,
                    "days": entry.retention,
                    "adopt": entry.adopt,
                    "exists": name in existing,
                    "tags": dict(sorted(ctx.tags.items())),
                }
                states[name] = State(
                    KIND,
                    name,
                    {FIELD: entry.retention},
                    source=source,
                    payload=payload,
                    arn=log_group_arn(ctx, name),
                )
        if problems:
            raise ConfigError(problems)
        return list(states.values())

    def actual(self, ctx: SyncContext) -> list[State]:
        """The configured groups, and the project's groups with a retention the config no
        longer matches (found by the project tag: another's groups are never read)."""
        groups = _configured(ctx) if ctx.config.log_groups else {}
        gone = [name for name in dict.fromkeys(tagged_log_groups(ctx)) if name not in groups]
        for name, group in named_log_groups(ctx, gone).items():
            if group.get("retentionInDays") is not None:
                groups[name] = group
        return [
            State(
                KIND,
                name,
                {FIELD: group.get("retentionInDays")},
                arn=log_group_arn(ctx, name),
            )
            for name, group in groups.items()
        ]

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        """The project tag; an untagged group counts as the project's when the config only
        lengthens its retention (or adopts it): the update then tags it."""
        wanted = _wanted(ctx, [state.key for state in states])
        owners = owners_by_key(ctx, states)
        for state in states:
            owner = owners[state.key]
            entry = wanted.get(state.key)
            if owner is None and entry is not None:
                have = state.fields.get(FIELD)
                # No retention is "never expire": any number shortens it.
                lengthens = have is not None and entry.retention >= have
                if entry.adopt or lengthens:
                    owner = ctx.project
            owners[state.key] = owner
        return owners

    def refusal(self, ctx: SyncContext, desired: State, actual: State) -> str | None:
        have, want = actual.fields.get(FIELD), desired.fields.get(FIELD)
        kept = "never expires" if have is None else f"keeps {have} days"
        return (
            f"log group {desired.key!r} {kept}, not managed by Sentinel; the config's {want} "
            "days would delete older events: Sentinel will not shorten it without "
            "`adopt: true` on its log_groups entry"
        )

    def create(self, ctx: SyncContext, state: State) -> None:
        logs = ctx.client("logs")
        if not state.payload["exists"]:
            logs.create_log_group(logGroupName=state.key, tags=state.payload["tags"])
        logs.put_retention_policy(logGroupName=state.key, retentionInDays=state.payload["days"])

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        logs = ctx.client("logs")
        logs.put_retention_policy(logGroupName=desired.key, retentionInDays=desired.payload["days"])
        logs.tag_resource(resourceArn=desired.arn, tags=desired.payload["tags"])

    def adopt(self, ctx: SyncContext, state: State) -> None:
        arn = state.arn or log_group_arn(ctx, state.key)
        ctx.client("logs").tag_resource(resourceArn=arn, tags=dict(sorted(ctx.tags.items())))

    def delete(self, ctx: SyncContext, state: State) -> None:
        """The retention goes, and with it the claim; the group and its events stay."""
        logs = ctx.client("logs")
        try:
            logs.delete_retention_policy(logGroupName=state.key)
        except logs.exceptions.ResourceNotFoundException:
            return
        arn = state.arn or log_group_arn(ctx, state.key)
        logs.untag_resource(resourceArn=arn, tagKeys=[PROJECT_TAG])


def _wanted(ctx: SyncContext, names: list[str]) -> dict[str, LogGroups]:
    """Group name -> its entry, for the groups the config matches (first entry wins here; two
    are refused by ``desired``)."""
    found: dict[str, LogGroups] = {}
    for entry in ctx.config.log_groups:
        for name in names + [g for g in entry.groups if not is_pattern(g)]:
            if _matches(entry, name):
                found.setdefault(name, entry)
    return found
