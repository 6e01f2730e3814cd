"""``sentinel inventory``: what Sentinel discovers, per type and Environment tag."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

import click
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sentinel.aws.session import SessionFactory
from sentinel.cli.fanout import (
    account_option,
    exit_code,
    fanned_out,
    parallel_option,
    print_sections,
    read_places,
    sections_json,
)
from sentinel.cli.options import Workspace, common_options
from sentinel.inventory import (
    KNOWN_RESOURCE_TYPES,
    Inventory,
    Resource,
    TypeSummary,
    resource_type,
    summarize,
)
from sentinel.sync.context import SyncContext


def parse_tag_filter(pairs: Iterable[str]) -> dict[str, str | list[str]]:
    """KEY=VALUE pairs -> a tag filter; a key given more than once matches any of its values."""
    values: dict[str, list[str]] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE, got {pair!r}", param_hint="--tag")
        values.setdefault(key, []).append(value)
    return {key: found[0] if len(found) == 1 else found for key, found in values.items()}


@click.command(epilog="Resource types: " + ", ".join(KNOWN_RESOURCE_TYPES))
@click.option(
    "--type",
    "types",
    multiple=True,
    metavar="TYPE",
    help="Only this resource type (repeatable); also lists its resources.",
)
@click.option(
    "--tag",
    "tags",
    multiple=True,
    metavar="KEY=VALUE",
    help="Only resources with this tag (repeatable; one key twice matches either value).",
)
@click.option(
    "--format",
    "output",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
)
@common_options
@account_option
@parallel_option
def inventory(
    ws: Workspace,
    types: tuple[str, ...],
    tags: tuple[str, ...],
    output: str,
    accounts: tuple[str, ...],
    parallel: int,
) -> None:
    """Discover resources: a count per type and Environment, and with --type the resources.

    In a project of several accounts (sentinel.yaml's `accounts:` with roles, or
    `organization:`): in each of its accounts and regions, one section each.
    """
    for name in types:
        resource_type(name)
    tag_filter = parse_tag_filter(tags)
    several = fanned_out(ws, accounts)
    if several is not None:
        config, places = several

        def one(ctx: SyncContext, console: Console) -> tuple[int, Any]:
            return 0, _discover(ctx.factory, [ctx.region], types, tag_filter, output, console)

        sections = read_places(ws, config, places, parallel, one)
        if output == "json":
            ws.console.print_json(
                json.dumps(sections_json(config, places, sections), default=_json_value)
            )
            code = exit_code(ws, places, sections)
        else:
            code = print_sections(ws, places, sections)
        if code:
            sys.exit(code)
        return
    data = _discover(ws.factory, [ws.factory.region], types, tag_filter, output, ws.console)
    if output == "json":
        ws.console.print_json(json.dumps(data, default=_json_value))


def _discover(
    factory: SessionFactory,
    regions: list[str],
    types: tuple[str, ...],
    tag_filter: dict[str, str | list[str]],
    output: str,
    console: Console,
) -> dict[str, Any] | None:
    """The resources found: as JSON data, or printed as tables to ``console`` (None)."""
    found = [
        resource
        for resource in Inventory(factory, regions).all(list(types) or None)
        if resource.matches(tag_filter)
    ]
    summaries = summarize(found)
    listed = found if types else []
    if output == "json":
        return _as_json(regions, summaries, listed)
    _print_tables(console, regions, summaries, listed)
    return None


def _as_json(
    regions: Sequence[str], summaries: Sequence[TypeSummary], resources: Sequence[Resource]
) -> dict[str, Any]:
    return {
        "regions": list(regions),
        "summary": [
            {
                "type": summary.type,
                "count": summary.count,
                "tag": summary.tag_key,
                "by_tag": {k: n for k, n in summary.by_tag.items() if k is not None},
                "without_tag": summary.by_tag.get(None, 0),
            }
            for summary in summaries
        ],
        "resources": [resource.as_dict() for resource in resources],
    }


def _json_value(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return dict(value)
    return str(value)


def _print_tables(
    console: Console,
    regions: Sequence[str],
    summaries: Sequence[TypeSummary],
    resources: Sequence[Resource],
) -> None:
    where = ", ".join(regions)
    if not summaries:
        console.print(f"No resources found in {where}.")
        return
    table = Table(title=f"Resources in {where}", title_justify="left")
    table.add_column("type")
    table.add_column("count", justify="right")
    table.add_column(f"by {summaries[0].tag_key}")
    for summary in summaries:
        split = ", ".join(
            f"{value if value is not None else '(none)'} {count}"
            for value, count in summary.by_tag.items()
        )
        table.add_row(Text(summary.type), str(summary.count), Text(split))
    table.add_row("total", str(sum(s.count for s in summaries)), "", style="bold")
    console.print(table)
    grouped: dict[str, list[Resource]] = {}
    for resource in resources:
        grouped.setdefault(resource.type, []).append(resource)
    for type_name, members in grouped.items():
        regions_shown = len({resource.region for resource in members}) > 1
        listing = Table(title=type_name, title_justify="left")
        columns = ["id", "name", *(["region"] if regions_shown else []), "attributes", "tags"]
        for column in columns:
            listing.add_column(column, overflow="fold")
        for resource in sorted(members, key=lambda r: (r.region, r.id)):
            cells = [
                resource.id,
                resource.name if resource.name != resource.id else "",
                *([resource.region] if regions_shown else []),
                _pairs(resource.attributes),
                _pairs(resource.tags),
            ]
            listing.add_row(*(Text(cell) for cell in cells))
        console.print(listing)


def _pairs(values: Mapping[str, Any]) -> str:
    shown = []
    for key, value in values.items():
        if value is None or value == [] or value == "":
            continue
        if isinstance(value, datetime):
            value = value.strftime("%Y-%m-%d %H:%M")
        elif isinstance(value, list | tuple):
            value = ",".join(str(v) for v in value)
        shown.append(f"{key}={value}")
    return "\n".join(shown)
