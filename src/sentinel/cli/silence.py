"""``sentinel silence add|list|expire``: mute alarms for a while, in the router's store.

Every router replica on the store honours a silence: the alerts it matches are recorded and
held, and when it ends an alarm still in ALARM is delivered once (``sentinel.routing.silences``).
"""

from __future__ import annotations

import getpass
import json
import os
from datetime import UTC, datetime, timedelta
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import click
from rich.markup import escape

from sentinel import clock
from sentinel.cli.options import Workspace, common_options
from sentinel.errors import SentinelError

if TYPE_CHECKING:
    from sentinel.config.loader import Config
    from sentinel.config.models import AlarmRule, CompositeAlarm
    from sentinel.routing.silences import Silence
    from sentinel.routing.state import RouterState
    from sentinel.store import Store

STORE_OPTION = click.option(
    "--store",
    default=None,
    help="SQLAlchemy URL of the router state (default: $SENTINEL_STORE, else sentinel.yaml's).",
)


def _config(ws: Workspace) -> Config | None:
    """The configuration of -C's directory; None when it holds none (no sentinel.yaml)."""
    from sentinel.config.files import PROJECT_FILE

    if not (ws.config_dir / PROJECT_FILE).is_file():
        return None
    return ws.load_config()


def _store(ws: Workspace, store: str | None, config: Config | None) -> Store:
    from sentinel.config.loader import STORE_ENV
    from sentinel.store import Store, store_url

    if store is not None:
        return Store(store_url(store, ws.config_dir.resolve()))
    if config is not None:
        return Store(store_url(config.project.store, config.root))
    if os.environ.get(STORE_ENV):
        return Store(store_url(os.environ[STORE_ENV], ws.config_dir.resolve()))
    raise SentinelError(
        f"no store: give --store, set ${STORE_ENV}, or run in a directory with sentinel.yaml"
    )


def _state(store: Store) -> RouterState:
    from sentinel.routing.state import RouterState

    return RouterState(store)


def defined_alarm_names(config: Config) -> set[str]:
    """The names the configuration's alarms are known by: rule names, and AWS names."""
    from sentinel.naming import prefix

    names: set[str] = set()
    items: list[AlarmRule | CompositeAlarm] = [*config.alarms, *config.composites]
    for item in items:
        names.update((item.name, prefix(config.name) + item.name))
        if item.aws_name:
            names.add(item.aws_name)
    return names


def _until(value: str, timezone: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SentinelError(
            f"--until {value!r}: expected an ISO time like 2026-03-30T09:00"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))


def _end(
    start: datetime, duration: str | None, until: str | None, timezone: str
) -> tuple[datetime | None, list[str]]:
    from sentinel.config.units import parse_duration

    if duration is not None and until is not None:
        return None, ["give --for or --until, not both"]
    if duration is not None:
        try:
            return start + timedelta(seconds=parse_duration(duration)), []
        except ValueError as exc:
            return None, [f"--for: {exc}"]
    if until is not None:
        try:
            return _until(until, timezone), []
        except SentinelError as exc:
            return None, [str(exc)]
    return None, []


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%Y-%m-%d %H:%M} UTC"


def _status(silence: Silence, at: datetime) -> str:
    if silence.active(at):
        return "active"
    return "expired" if silence.expired_at is not None else "ended"


@click.group("silence")
def silence() -> None:
    """Mute alarms for a while (as Alertmanager's silences): alerts are recorded, not sent."""


@silence.command("add")
@common_options
@STORE_OPTION
@click.option(
    "--alarm",
    "pattern",
    required=True,
    help="The alarms to silence: a glob over alarm and rule names (db-*, shop-api-?-errors).",
)
@click.option("--for", "duration", default=None, help="How long: 30m, 2h, 1d (at most 30d).")
@click.option("--until", default=None, help="Or until when (ISO; sentinel.yaml's timezone).")
@click.option("--reason", required=True, help="Why (shown in `sentinel silence list`).")
@click.option("--by", default=None, help="Who silences (default: $USER).")
def add(
    ws: Workspace,
    store: str | None,
    pattern: str,
    duration: str | None,
    until: str | None,
    reason: str,
    by: str | None,
) -> None:
    """Silence the alarms matching --alarm, from now --for a while or --until a time.

    Matching alerts are recorded and held; when the silence ends (or is expired), an alarm still
    in ALARM is delivered once, and one that went back to OK is not.
    """
    from sentinel.routing.silences import refusal

    config = _config(ws)
    timezone = config.project.timezone if config is not None else "UTC"
    start = clock.now().replace(microsecond=0)
    end, problems = _end(start, duration, until, timezone)
    # All at once: with a bad --for/--until, what else is wrong (--alarm, --reason) too.
    problems += [p for p in refusal(pattern, reason, start, end) if not problems or p[:2] == "--"]
    if problems:
        for problem in problems:
            click.echo(f"error: {problem}", err=True)
        raise SentinelError(f"silence not added ({len(problems)} problem(s))")
    assert end is not None
    if config is not None and not any(
        fnmatchcase(name, pattern) for name in defined_alarm_names(config)
    ):
        ws.err.print(
            f"warning: --alarm {pattern!r} matches no alarm of {config.name}'s configuration; "
            "silenced anyway (it may name alarms made elsewhere)",
            markup=False,
            soft_wrap=True,
        )
    opened = _store(ws, store, config)
    try:
        added = _state(opened).add_silence(pattern, start, end, by or _user(), reason)
    finally:
        opened.dispose()
    ws.console.print(
        f"Silence {added.id} added: {pattern} until {_when(added.ends_at)} "
        f"(by {added.created_by}: {reason})",
        markup=False,
        soft_wrap=True,
    )


def _user() -> str:
    try:
        return os.environ.get("USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def _json(silence: Silence, at: datetime) -> dict[str, object]:
    return {
        "id": silence.id,
        "alarm": silence.pattern,
        "status": _status(silence, at),
        "start": silence.starts_at.isoformat(),
        "end": silence.ends_at.isoformat(),
        "by": silence.created_by,
        "reason": silence.reason,
        "suppressed": silence.suppressed,
    }


@silence.command("list")
@common_options
@STORE_OPTION
@click.option("--all", "everything", is_flag=True, help="Also list silences that have ended.")
@click.option("--json", "as_json", is_flag=True, help="Print the silences as JSON.")
def list_silences(ws: Workspace, store: str | None, everything: bool, as_json: bool) -> None:
    """The active silences (with --all, the ended ones too) and how many alerts each held."""
    from rich.table import Table

    opened = _store(ws, store, _config(ws))
    now = clock.now()
    try:
        found = _state(opened).silences(now, everything)
    finally:
        opened.dispose()
    if as_json:
        click.echo(json.dumps([_json(s, now) for s in found], indent=2))
        return
    if not found:
        ws.console.print("No silences." if everything else "No active silences.")
        return
    table = Table(title=f"Silences at {_when(now)}", title_justify="left")
    for column in ("id", "alarm", "start (UTC)", "end (UTC)", "by", "reason", "suppressed"):
        right = column == "suppressed"
        table.add_column(column, overflow="fold", justify="right" if right else "left")
    if everything:
        table.add_column("status")
    for item in found:
        row = [
            str(item.id),
            escape(item.pattern),
            f"{item.starts_at:%m-%d %H:%M}",
            f"{item.ends_at:%m-%d %H:%M}",
            escape(item.created_by),
            escape(item.reason),
            str(item.suppressed),
        ]
        if everything:
            row.append(_status(item, now))
        table.add_row(*row)
    ws.console.print(table)


@silence.command("expire")
@common_options
@STORE_OPTION
@click.argument("number", metavar="ID", type=int)
def expire(ws: Workspace, store: str | None, number: int) -> None:
    """End silence ID now: the alerts it held are delivered (those still in ALARM), once."""
    opened = _store(ws, store, _config(ws))
    now = clock.now()
    try:
        state = _state(opened)
        found = state.silence(number)
        if found is None:
            raise SentinelError(f"no silence {number}: `sentinel silence list --all` lists them")
        if not found.active(now):
            ws.console.print(f"Silence {number} had already ended at {_when(found.ends_at)}.")
            return
        released = state.expire_silence(number, now)
    finally:
        opened.dispose()
    ws.console.print(
        f"Silence {number} expired at {_when(now)} ({found.pattern}); "
        f"{len(released)} held alarm(s) released to the router.",
        markup=False,
        soft_wrap=True,
    )
