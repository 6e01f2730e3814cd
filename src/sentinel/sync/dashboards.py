"""CloudWatch dashboards, named ``<project>-<dashboard>`` and tagged with the project.

Ownership: a dashboard is the project's when its name has the project prefix and its
``sentinel:project`` tag (set by PutDashboard's ``Tags`` at creation, kept by TagResource) names
the project. A dashboard made by hand under the same prefix, or another project's dashboard
whose name happens to share the prefix, is read but never updated or deleted.
"""

from __future__ import annotations

import json
from functools import cache
from typing import TYPE_CHECKING, Any

import botocore.exceptions

from sentinel.naming import PROJECT_TAG, dashboard_name_of
from sentinel.sync.alarm_names import AlarmNames
from sentinel.sync.dashboard_body import DashboardBody
from sentinel.sync.dashboard_fields import body_fields, tidy_numbers
from sentinel.sync.kind import Kind
from sentinel.sync.model import State
from sentinel.sync.ownership import tag_list

if TYPE_CHECKING:
    from sentinel.sync.context import SyncContext

KIND = "dashboard"


def dashboard_arn(ctx: SyncContext, name: str) -> str:
    # Dashboards are global: their ARNs carry no region.
    return ctx.arn("cloudwatch", f"dashboard/{name}", regional=False)


def desired_bodies(ctx: SyncContext) -> dict[str, tuple[dict[str, Any], str]]:
    """Dashboard name -> (the body Sentinel writes, where it is defined), in config order."""
    renderer = DashboardBody(ctx, cache(lambda: AlarmNames.of(ctx)))
    bodies = {}
    for dashboard in ctx.config.dashboards:
        source = ctx.config.source("dashboard", dashboard.name)
        body = tidy_numbers(renderer.render(dashboard, source))
        bodies[dashboard_name_of(ctx.project, dashboard)] = (body, source)
    return bodies


class Dashboards(Kind):
    name = KIND
    label = "CloudWatch dashboards"

    def desired(self, ctx: SyncContext) -> list[State]:
        states = []
        for name, (body, source) in desired_bodies(ctx).items():
            payload = {
                "DashboardName": name,
                "DashboardBody": json.dumps(body, separators=(",", ":")),
                "Tags": [{"Key": k, "Value": v} for k, v in sorted(ctx.tags.items())],
            }
            states.append(
                State(
                    KIND,
                    name,
                    body_fields(body, ctx.region),
                    source=source,
                    payload=payload,
                    arn=dashboard_arn(ctx, name),
                )
            )
        return states

    def actual(self, ctx: SyncContext) -> list[State]:
        """The dashboards of the project prefix (listed in pages), then those the config names
        outside it (``aws_name``): ListDashboards has no filter by names, and each dashboard's
        body is one GetDashboard anyway, so a named one costs that call and no more."""
        cloudwatch = ctx.client("cloudwatch")
        names: list[str] = []
        paginator = cloudwatch.get_paginator("list_dashboards")
        for page in paginator.paginate(DashboardNamePrefix=ctx.prefix):
            names.extend(entry["DashboardName"] for entry in page.get("DashboardEntries", []))
        names += [
            dashboard_name_of(ctx.project, dashboard)
            for dashboard in ctx.config.dashboards
            if not dashboard_name_of(ctx.project, dashboard).startswith(ctx.prefix)
        ]
        states = []
        for name in dict.fromkeys(names):
            try:
                found = cloudwatch.get_dashboard(DashboardName=name)
            except cloudwatch.exceptions.ResourceNotFound:
                continue  # deleted between the listing and the read, or not made yet
            states.append(
                State(
                    KIND,
                    name,
                    body_fields(found.get("DashboardBody", ""), ctx.region),
                    arn=found.get("DashboardArn") or dashboard_arn(ctx, name),
                )
            )
        return states

    def owners(self, ctx: SyncContext, states: list[State]) -> dict[str, str | None]:
        cloudwatch = ctx.client("cloudwatch")
        owners: dict[str, str | None] = {}
        for state in states:
            arn = state.arn or dashboard_arn(ctx, state.key)
            try:
                tags = cloudwatch.list_tags_for_resource(ResourceARN=arn).get("Tags", [])
            except cloudwatch.exceptions.ResourceNotFoundException:
                tags = []
            owners[state.key] = {t["Key"]: t["Value"] for t in tags}.get(PROJECT_TAG)
        return owners

    def create(self, ctx: SyncContext, state: State) -> None:
        ctx.client("cloudwatch").put_dashboard(**state.payload)

    def update(self, ctx: SyncContext, desired: State, actual: State) -> None:
        cloudwatch = ctx.client("cloudwatch")
        payload = dict(desired.payload)
        tags = payload.pop("Tags")
        cloudwatch.put_dashboard(**payload)
        # PutDashboard ignores Tags on an existing dashboard: the project's tags go separately.
        cloudwatch.tag_resource(ResourceARN=actual.arn or desired.arn, Tags=tags)

    def adopt(self, ctx: SyncContext, state: State) -> None:
        arn = state.arn or dashboard_arn(ctx, state.key)
        ctx.client("cloudwatch").tag_resource(ResourceARN=arn, Tags=tag_list(ctx.tags))

    def delete(self, ctx: SyncContext, state: State) -> None:
        try:
            ctx.client("cloudwatch").delete_dashboards(DashboardNames=[state.key])
        except botocore.exceptions.ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ResourceNotFound":
                raise
