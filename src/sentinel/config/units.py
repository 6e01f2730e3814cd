"""Human units as the seeds write them: ``5m``, ``500 USD``, ``80%``, ``"> 90"``, ``200ms``.

Each parser raises ``ValueError`` with what was expected; the loader turns that into a
``file:line:col`` message. The Annotated types at the bottom are what the models use.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

_DURATION_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"^\s*(\d+)\s*(s|m|h|d|w)\s*$")
_LATENCY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$")
_MONEY = re.compile(r"^\s*(\$)?\s*(\d[\d,]*(?:\.\d+)?)\s*([A-Z]{3})?\s*$")
_PERCENT = re.compile(r"^\s*(-?\d+(?:\.\d+)?)\s*%\s*$")
_CONDITION = re.compile(r"^\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)\s*(%)?\s*$")

OPERATORS: dict[str, str] = {
    ">": "GreaterThanThreshold",
    ">=": "GreaterThanOrEqualToThreshold",
    "<": "LessThanThreshold",
    "<=": "LessThanOrEqualToThreshold",
}
SYMBOLS = {name: symbol for symbol, name in OPERATORS.items()}
# ``outside band 2``: an anomaly-detection band this many standard deviations wide.
_BAND = re.compile(r"^\s*(outside|above|below)\s+band\s+(\S+)\s*$")
BAND_OPERATORS: dict[str, str] = {
    "outside": "LessThanLowerOrGreaterThanUpperThreshold",
    "above": "GreaterThanUpperThreshold",
    "below": "LessThanLowerThreshold",
}
BAND_WORDS = {name: word for word, name in BAND_OPERATORS.items()}


def parse_duration(value: Any) -> int:
    """``30s``, ``5m``, ``1h``, ``7d``, ``1w`` or a number of seconds -> seconds."""
    if isinstance(value, bool):
        raise ValueError(f"invalid duration {value!r}: expected a number with a unit, like 5m")
    if isinstance(value, int):
        if value <= 0:
            raise ValueError(f"invalid duration {value}: must be positive")
        return value
    if isinstance(value, str):
        match = _DURATION.match(value)
        if match:
            seconds = int(match.group(1)) * _DURATION_UNITS[match.group(2)]
            if seconds <= 0:
                raise ValueError(f"invalid duration {value!r}: must be positive")
            return seconds
    raise ValueError(
        f"invalid duration {value!r}: expected a whole number with unit s, m, h, d or w, like 5m"
    )


def format_duration(seconds: int) -> str:
    for unit in ("w", "d", "h", "m"):
        size = _DURATION_UNITS[unit]
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def parse_latency(value: Any) -> float:
    """``200ms``, ``1.5s`` or a number of seconds -> seconds (as CloudWatch reports latency)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0:
        return float(value)
    if isinstance(value, str):
        match = _LATENCY.match(value)
        if match:
            amount = float(match.group(1))
            if amount <= 0:
                raise ValueError(f"invalid latency {value!r}: must be positive")
            return amount / 1000 if match.group(2) == "ms" else amount
    raise ValueError(f"invalid latency {value!r}: expected a number with unit ms or s, like 200ms")


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str = "USD"

    def __str__(self) -> str:
        return f"{self.amount:,} {self.currency}"


def parse_money(value: Any) -> Money:
    """``500 USD``, ``$1,000``, ``12.50 EUR`` or a bare number (USD) -> Money."""
    if isinstance(value, Money):
        return value
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        if value < 0:
            raise ValueError(f"invalid amount {value}: must not be negative")
        return Money(Decimal(str(value)))
    if isinstance(value, str):
        match = _MONEY.match(value)
        if match and not (match.group(1) and match.group(3) and match.group(3) != "USD"):
            try:
                amount = Decimal(match.group(2).replace(",", ""))
            except InvalidOperation:
                pass
            else:
                return Money(amount, match.group(3) or "USD")
    raise ValueError(f"invalid amount {value!r}: expected a number and a currency, like 500 USD")


def parse_percent(value: Any) -> Decimal:
    """``80%``, ``99.9%`` or a bare number meaning percent -> Decimal percent (80, 99.9)."""
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return Decimal(str(value))
    if isinstance(value, str):
        match = _PERCENT.match(value)
        if match:
            return Decimal(match.group(1))
    raise ValueError(f"invalid percentage {value!r}: expected a number with %, like 80%")


def parse_objective(value: Any) -> Decimal:
    expected = "expected a percentage above 0% and below 100%, like 99.9%"
    try:
        percent = parse_percent(value)
    except ValueError:
        raise ValueError(f"invalid objective {value!r}: {expected}") from None
    if not Decimal(0) < percent < Decimal(100):
        raise ValueError(f"invalid objective {value!r}: {expected}")
    if not isinstance(value, str) and percent < 1:
        # 0.999 is far more likely a ratio than an objective of 0.999 %.
        raise ValueError(
            f"invalid objective {value!r}: a bare number is a percentage; "
            f"write {float(percent * 100):g}% for a ratio of {value}"
        )
    return percent


@dataclass(frozen=True)
class Condition:
    """A comparison as users write it (``"> 90"``), with CloudWatch's operator name."""

    operator: str
    threshold: float
    percent: bool = False
    # Standard deviations of an anomaly-detection band; None for a plain threshold.
    band: float | None = None

    @property
    def symbol(self) -> str:
        return BAND_WORDS[self.operator] if self.band is not None else SYMBOLS[self.operator]

    def __str__(self) -> str:
        if self.band is not None:
            return f"{self.symbol} band {self.band:g}"
        return f"{self.symbol} {self.threshold:g}{'%' if self.percent else ''}"


def parse_condition(value: Any) -> Condition:
    if isinstance(value, Condition):
        return value
    if isinstance(value, str):
        match = _CONDITION.match(value)
        if match:
            return Condition(
                OPERATORS[match.group(1)], float(match.group(2)), percent=bool(match.group(3))
            )
        band = _BAND.match(value)
        if band:
            return Condition(BAND_OPERATORS[band.group(1)], 0.0, band=_band_width(band.group(2)))
    raise ValueError(
        f"invalid condition {value!r}: expected an operator (>, >=, <, <=) and a number, "
        'or an anomaly band (outside, above or below band 2), like "> 90" (quote it in YAML)'
    )


def _band_width(text: str) -> float:
    """A band's width in standard deviations: a number above 0 (CloudWatch's rule)."""
    try:
        width = float(text)
    except ValueError:
        width = math.nan
    if not math.isfinite(width) or width <= 0:
        raise ValueError(
            f"invalid band width {text!r}: expected a number of standard deviations above 0, "
            'like "outside band 2"'
        )
    return width


@dataclass(frozen=True)
class Threshold:
    """A budget alert threshold: a percentage of the budget or an absolute amount."""

    value: Decimal
    kind: Literal["PERCENTAGE", "ABSOLUTE_VALUE"]

    def __str__(self) -> str:
        return f"{self.value:g}%" if self.kind == "PERCENTAGE" else f"{self.value:,} USD"


def parse_threshold(value: Any) -> Threshold:
    if isinstance(value, Threshold):
        return value
    if isinstance(value, str) and "%" in value:
        return Threshold(parse_percent(value), "PERCENTAGE")
    try:
        return Threshold(parse_money(value).amount, "ABSOLUTE_VALUE")
    except ValueError:
        raise ValueError(
            f"invalid threshold {value!r}: expected a percentage like 80% or an amount like 100 USD"
        ) from None


def _string_schema(pattern: str, *examples: str) -> WithJsonSchema:
    return WithJsonSchema(
        {
            "anyOf": [{"type": "string", "pattern": pattern}, {"type": "number"}],
            "examples": list(examples),
        }
    )


Duration = Annotated[
    int,
    BeforeValidator(parse_duration),
    PlainSerializer(format_duration, return_type=str),
    _string_schema(r"^\d+\s*(s|m|h|d|w)$", "5m", "1h", "30d"),
]
Latency = Annotated[
    float, BeforeValidator(parse_latency), _string_schema(r"^\d+(\.\d+)?\s*(ms|s)$", "200ms")
]
MoneyAmount = Annotated[
    Money,
    BeforeValidator(parse_money),
    PlainSerializer(str, return_type=str),
    _string_schema(r"^\$?\d[\d,]*(\.\d+)?(\s*[A-Z]{3})?$", "500 USD"),
]
Percent = Annotated[
    Decimal,
    BeforeValidator(parse_percent),
    PlainSerializer(lambda p: f"{p}%", return_type=str),
    _string_schema(r"^-?\d+(\.\d+)?\s*%$", "80%"),
]
Objective = Annotated[
    Decimal,
    BeforeValidator(parse_objective),
    PlainSerializer(lambda p: f"{p}%", return_type=str),
    _string_schema(r"^\d+(\.\d+)?\s*%$", "99.9%"),
]
ConditionExpr = Annotated[
    Condition,
    BeforeValidator(parse_condition),
    PlainSerializer(str, return_type=str),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^((>=|<=|>|<)\s*-?\d+(\.\d+)?\s*%?|(outside|above|below) band \S+)$",
            "examples": ["> 90"],
        }
    ),
]
BudgetThreshold = Annotated[
    Threshold,
    BeforeValidator(parse_threshold),
    PlainSerializer(str, return_type=str),
    _string_schema(r"^(\d+(\.\d+)?\s*%|\$?\d[\d,]*(\.\d+)?(\s*[A-Z]{3})?)$", "80%", "100 USD"),
]
