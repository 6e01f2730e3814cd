"""``sentinel unlock``, and the apply lock as ``sentinel apply`` shows it (``--lock-timeout``)."""

from __future__ import annotations

from typing import Any

import click
from rich.console import Console
from rich.markup import escape

from sentinel import clock
from sentinel.aws.accounts import check_account
from sentinel.cli.options import Workspace, common_options
from sentinel.config.units import format_duration, parse_duration
from sentinel.errors import RefusedError, SentinelError
from sentinel.sync.lock import ApplyLock, LockRecord, apply_lock, timestamp


class LockTimeout(click.ParamType):
    """``0`` (do not wait), or a duration: ``30s``, ``10m``, ``1h``; seconds as a number."""

    name = "DURATION"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> int:
        if isinstance(value, int):
            return value
        text = str(value).strip()
        if text in ("0", "0s"):
            return 0
        try:
            return parse_duration(int(text) if text.isdigit() else text)
        except ValueError as exc:
            self.fail(str(exc), param, ctx)


lock_timeout_option = click.option(
    "--lock-timeout",
    type=LockTimeout(),
    default="0",
    show_default=True,
    help="How long to wait for another apply of the project to release the apply lock, "
    "e.g. 10m; 0 exits 1 at once, naming the holder.",
)


def waiting(held: LockRecord, timeout: int, err: Console) -> None:
    err.print(
        f"[yellow]Waiting[/] up to {format_duration(timeout)} for the apply lock: held by "
        f"{escape(held.describe())}",
        soft_wrap=True,
    )


def report_lock(lock: ApplyLock, err: Console) -> bool:
    """Warn when the lock was lost or could not be released; True when it was lost."""
    if lock.release_error:
        expires = f"; it expires at {timestamp(lock.record.expires)}" if lock.record else ""
        err.print(
            f"[yellow]warning:[/] the apply lock was not released: "
            f"{escape(lock.release_error)}{expires}",
            soft_wrap=True,
        )
    if lock.lost:
        err.print(
            f"[red]warning:[/] {escape(str(lock.lost))}: another apply may have written at the "
            "same time; run plan to see where AWS stands",
            soft_wrap=True,
        )
        return True
    return False


@click.command("unlock")
@common_options
@click.option("--force", is_flag=True, help="Break a lock that is still being refreshed.")
def unlock(ws: Workspace, force: bool) -> None:
    """Break the apply lock of the project, left by an apply that died.

    Shows who holds it. A lock whose holder stopped refreshing it (it expired) is broken at
    once; one still refreshed belongs to an apply that is running, and is broken only with
    --force. Exits 0 when the lock was broken or none was held, 1 when it was refused.
    """
    config = ws.load_config()
    check_account(ws.factory, config)
    lock = apply_lock(ws.factory, config, config.project.regions[0])
    held = lock.read()
    if held is None:
        ws.console.print(f"No apply lock is held for {config.name}.", soft_wrap=True)
        return
    live = not held.expired(clock.now())
    ws.console.print(
        f"The apply lock of {config.name} is held by {escape(held.describe())}.", soft_wrap=True
    )
    if live and not force:
        raise RefusedError(
            f"the lock is live until {timestamp(held.expires)} (its holder refreshes it while "
            "it applies): that apply is probably still running. Wait for it, or pass --force "
            "to break it anyway"
        )
    outcome = lock.break_lock(held, force=force)
    if outcome.now_held is not None:
        raise SentinelError(
            f"the lock changed while it was being broken: it is now held by "
            f"{outcome.now_held.describe()}; run unlock again to break that one"
        )
    if not outcome.broken:
        ws.console.print(
            "Its holder released it meanwhile; no apply lock is held now.", soft_wrap=True
        )
        return
    still = ", which was still refreshing it: if that apply runs on, it will say so" if live else ""
    ws.err.print(
        f"[yellow]warning:[/] broke the apply lock of {config.name} held by "
        f"{escape(held.who)}{still}; another apply can start now",
        soft_wrap=True,
    )
