"""Amounts as people read them: ``$1,234.56``, ``+$12.30``, ``+12.3%``; ``n/a`` when unknown."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
UNKNOWN = "n/a"


def usd(amount: Decimal | float | None) -> str:
    if amount is None:
        return UNKNOWN
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"-${-value:,}" if value < 0 else f"${value:,}"


def signed_usd(amount: Decimal | float | None) -> str:
    if amount is None:
        return UNKNOWN
    value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_UP)
    return f"+${value:,}" if value >= 0 else f"-${-value:,}"


def signed_percent(percent: float | None) -> str:
    if percent is None:
        return UNKNOWN
    if percent == float("inf"):
        return "new"
    return f"{percent:+.1f}%"


def percent(value: float | None) -> str:
    return UNKNOWN if value is None else f"{value:.0f}%"
