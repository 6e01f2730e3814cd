"""``sentinel maintenance``: each maintenance window, open now (until when) or opening next."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import click
from rich.markup import escape

from sentinel.cli.moment import at_option, parse_at
from sentinel.cli.options import Workspace, common_options
from sentinel.config.models.routing import MaintenanceWindow
from sentinel.config.units import format_duration
from sentinel.routing.noise import Occurrence, occurrence_at, upcoming_occurrences, window_zone


def schedule_text(window: MaintenanceWindow) -> str:
    if not window.recurring:
        return "dated"
    assert window.duration is not None
    rule = f"every {window.every}" if window.every else f"rrule {window.rrule}"
    return f"{rule}, {format_duration(window.duration)}"


def span(occurrence: Occurrence, tz: ZoneInfo) -> str:
    """``Sun 2026-12-06 02:00 EST - 04:00 EST`` on the window's clock (the end's date when it
    is another day)."""
    start, end = occurrence.start.astimezone(tz), occurrence.end.astimezone(tz)
    until = f"{end:%H:%M %Z}" if end.date() == start.date() else f"{end:%a %m-%d %H:%M %Z}"
    return f"{start:%a %Y-%m-%d %H:%M %Z} - {until}"


def utc_span(occurrence: Occurrence) -> str:
    """``2026-12-06 07:00-09:00`` (the end's date when it is another day)."""
    start, end = occurrence.start.astimezone(UTC), occurrence.end.astimezone(UTC)
    until = f"{end:%H:%M}" if end.date() == start.date() else f"{end:%m-%d %H:%M}"
    return f"{start:%Y-%m-%d %H:%M}-{until}"


def plan_rows(
    window: MaintenanceWindow, at: datetime, tz: ZoneInfo, count: int
) -> list[tuple[str, Occurrence]]:
    """The occurrence open at ``at`` (if any) and the next ``count``, each with its status."""
    rows: list[tuple[str, Occurrence]] = []
    current = occurrence_at(window, at, tz)
    if current is not None:
        rows.append(("active", current))
    rows.extend(("next", o) for o in upcoming_occurrences(window, at, tz, count))
    return rows


def _occurrence_json(status: str, occurrence: Occurrence, tz: ZoneInfo) -> dict[str, str]:
    return {
        "status": status,
        "start": occurrence.start.astimezone(tz).isoformat(),
        "end": occurrence.end.astimezone(tz).isoformat(),
        "start_utc": occurrence.start.astimezone(UTC).isoformat(),
        "end_utc": occurrence.end.astimezone(UTC).isoformat(),
    }


@click.command("maintenance")
@common_options
@at_option
@click.option(
    "--next",
    "count",
    type=click.IntRange(min=1, max=100),
    default=1,
    show_default=True,
    help="How many coming occurrences to list per window.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the windows as JSON.")
def maintenance(ws: Workspace, at: str | None, count: int, as_json: bool) -> None:
    """Maintenance windows of alarms/routing.yaml: open now (or --at a time) and until when, or
    their next occurrences, on each window's clock and in UTC."""
    from rich.table import Table

    config = ws.load_config()
    windows = config.routing.maintenance if config.routing is not None else []
    project_tz = ZoneInfo(config.project.timezone)
    moment = parse_at(at, config.project.timezone)
    if as_json:
        listed = []
        for window in windows:
            tz = window_zone(window, project_tz)
            listed.append(
                {
                    "name": window.name,
                    "alarms": window.alarms,
                    "reason": window.reason,
                    "schedule": schedule_text(window),
                    "timezone": tz.key,
                    "occurrences": [
                        _occurrence_json(status, o, tz)
                        for status, o in plan_rows(window, moment, tz, count)
                    ],
                }
            )
        click.echo(json.dumps({"at": moment.isoformat(), "windows": listed}, indent=2))
        return
    if not windows:
        ws.console.print("No maintenance windows in alarms/routing.yaml.")
        return
    table = Table(
        title=f"Maintenance windows of {config.name} at {moment.astimezone(UTC):%Y-%m-%d %H:%M}"
        " UTC",
        title_justify="left",
    )
    # The schedule goes under the window's name and the reason under its alarms, so the table
    # keeps to five columns on a terminal of 80.
    longest = max(len(w.name) for w in windows)
    table.add_column("window", overflow="fold", min_width=longest)
    table.add_column("status", no_wrap=True)
    table.add_column("window's clock")
    table.add_column("UTC")
    table.add_column("alarms (reason)", overflow="fold")
    for window in windows:
        tz = window_zone(window, project_tz)
        about = escape(f"{window.name}\n{schedule_text(window)}")
        held = escape(", ".join(window.alarms) + (f"\n({window.reason})" if window.reason else ""))
        rows = plan_rows(window, moment, tz, count)
        if not rows:
            table.add_row(about, "ended", "", "", held)
        for index, (status, occurrence) in enumerate(rows):
            first = index == 0
            table.add_row(
                about if first else "",
                status,
                span(occurrence, tz),
                utc_span(occurrence),
                held if first else "",
            )
    ws.console.print(table)
