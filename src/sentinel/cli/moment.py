"""``--at``: the moment a command answers for (``sentinel oncall``, ``sentinel maintenance``).

A module of its own so that a command asking "when" does not import the router with it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import click

from sentinel import clock
from sentinel.errors import SentinelError

F = TypeVar("F", bound=Callable[..., Any])


def at_option(func: F) -> F:
    option = click.option(
        "--at", "at", default=None, help="A time (ISO, e.g. 2026-03-30T09:00; default now)."
    )
    return option(func)


def parse_at(value: str | None, timezone: str) -> datetime:
    """``--at``'s moment: now, or an ISO time (on ``timezone``'s clock when it has no offset)."""
    if value is None or value == "now":
        return clock.now()
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise SentinelError(
            f"--at {value!r}: expected an ISO time like 2026-03-30T09:00 or now"
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=ZoneInfo(timezone))
