"""Burn-rate windows: the SRE Workbook's table, read from ``sentinel/data/burn_rate_windows.yaml``.

A window's burn-rate factor is how many times faster than "exactly on budget" the budget must
burn for ``budget`` of it to be spent within the long window:
``factor = budget share x SLO period / long window``. It depends on the SLO's period, so it is
computed here, never written in the table.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from importlib import resources
from typing import Literal

import yaml

from sentinel.config.units import format_duration, parse_duration, parse_percent

WINDOWS_FILE = "burn_rate_windows.yaml"
Alert = Literal["page", "ticket"]


@dataclass(frozen=True)
class BurnRateWindow:
    """One row: alert ``alert`` when ``budget`` (a share, 0.02) burns within ``long`` seconds."""

    alert: Alert
    budget: Decimal
    long: int
    short: int

    @property
    def long_label(self) -> str:
        return format_duration(self.long)

    @property
    def short_label(self) -> str:
        return format_duration(self.short)

    def factor(self, slo_period: int) -> float:
        """The burn rate spending ``budget`` of a ``slo_period``-second SLO period in ``long``."""
        return float(self.budget * Decimal(slo_period) / Decimal(self.long))


@cache
def burn_rate_windows() -> tuple[BurnRateWindow, ...]:
    """The rows of the windows table, in file order (fastest burn first)."""
    text = resources.files("sentinel").joinpath("data", WINDOWS_FILE).read_text("utf-8")
    rows = yaml.safe_load(text)["windows"]
    windows = []
    for row in rows:
        alert = row["alert"]
        if alert not in ("page", "ticket"):
            raise ValueError(f"{WINDOWS_FILE}: alert must be page or ticket, not {alert!r}")
        windows.append(
            BurnRateWindow(
                alert=alert,
                budget=parse_percent(row["budget"]) / 100,
                long=parse_duration(row["long"]),
                short=parse_duration(row["short"]),
            )
        )
    return tuple(windows)


def status_windows() -> tuple[int, ...]:
    """The windows ``slo status`` reports burn rates over: the table's long windows (1h ... 3d)."""
    return tuple(sorted({w.long for w in burn_rate_windows()}))
