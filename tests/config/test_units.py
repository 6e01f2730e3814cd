"""Human units: each parser's accepted forms, refusals and the words of its messages."""

from __future__ import annotations

from decimal import Decimal

import pytest

from sentinel.config.units import (
    Money,
    Threshold,
    format_duration,
    parse_condition,
    parse_duration,
    parse_latency,
    parse_money,
    parse_objective,
    parse_percent,
    parse_threshold,
)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("30s", 30),
        ("5m", 300),
        ("1h", 3600),
        ("7d", 604800),
        ("1w", 604800),
        (" 15 m ", 900),
        (60, 60),
    ],
)
def test_duration(value: object, seconds: int) -> None:
    assert parse_duration(value) == seconds


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("0.5s", "expected a whole number with unit s, m, h, d or w"),
        ("1.5h", "expected a whole number"),
        ("5 minutes", "invalid duration '5 minutes'"),
        ("5", "expected a whole number with unit"),
        ("0m", "must be positive"),
        (0, "must be positive"),
        (-5, "must be positive"),
        (True, "expected a number with a unit"),
        (2.5, "invalid duration 2.5"),
        (None, "invalid duration None"),
        ("5M", "invalid duration '5M'"),
    ],
)
def test_duration_refused(value: object, words: str) -> None:
    with pytest.raises(ValueError, match="invalid duration") as caught:
        parse_duration(value)
    assert words in str(caught.value)


@pytest.mark.parametrize(
    ("seconds", "text"), [(30, "30s"), (90, "90s"), (300, "5m"), (3600, "1h"), (86400, "1d")]
)
def test_format_duration_round_trips(seconds: int, text: str) -> None:
    assert format_duration(seconds) == text
    assert parse_duration(text) == seconds


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("200ms", 0.2), ("0.5s", 0.5), ("1.5 s", 1.5), ("1s", 1.0), (0.25, 0.25), (2, 2.0)],
)
def test_latency(value: object, seconds: float) -> None:
    assert parse_latency(value) == pytest.approx(seconds)


@pytest.mark.parametrize("value", ["200 millis", "200", "0ms", "0s", "-1s", 0, -0.5, True, "1m"])
def test_latency_refused(value: object) -> None:
    with pytest.raises(ValueError, match="invalid latency"):
        parse_latency(value)


def test_latency_of_zero_says_it_must_be_positive() -> None:
    with pytest.raises(ValueError, match=r"^invalid latency '0ms': must be positive$"):
        parse_latency("0ms")


@pytest.mark.parametrize(
    ("value", "money"),
    [
        ("500 USD", Money(Decimal("500"), "USD")),
        ("$1,000", Money(Decimal("1000"), "USD")),
        ("$1,000.50", Money(Decimal("1000.50"), "USD")),
        ("12.50 EUR", Money(Decimal("12.50"), "EUR")),
        ("$ 20 USD", Money(Decimal("20"), "USD")),
        ("0", Money(Decimal("0"), "USD")),
        (250, Money(Decimal("250"), "USD")),
        (99.5, Money(Decimal("99.5"), "USD")),
    ],
)
def test_money(value: object, money: Money) -> None:
    assert parse_money(value) == money


@pytest.mark.parametrize(
    "value", ["$500 EUR", "five hundred", "500 usd", "-10 USD", "", True, None]
)
def test_money_refused(value: object) -> None:
    with pytest.raises(ValueError, match="expected a number and a currency, like 500 USD"):
        parse_money(value)


def test_negative_money_says_so() -> None:
    with pytest.raises(ValueError, match=r"^invalid amount -10: must not be negative$"):
        parse_money(-10)


def test_money_prints_with_thousands() -> None:
    assert str(parse_money("$1,000")) == "1,000 USD"


@pytest.mark.parametrize(
    ("value", "percent"),
    [
        ("80%", Decimal("80")),
        ("99.9%", Decimal("99.9")),
        (" 5 % ", Decimal("5")),
        (80, Decimal("80")),
    ],
)
def test_percent(value: object, percent: Decimal) -> None:
    assert parse_percent(value) == percent


@pytest.mark.parametrize("value", ["80", "%80", "80 percent", "eighty%", True, None])
def test_percent_refused(value: object) -> None:
    with pytest.raises(ValueError, match="expected a number with %, like 80%"):
        parse_percent(value)


@pytest.mark.parametrize(
    ("value", "objective"),
    [
        ("99.9%", Decimal("99.9")),
        ("95%", Decimal("95")),
        (99.95, Decimal("99.95")),
        ("0.5%", Decimal("0.5")),
    ],
)
def test_objective(value: object, objective: Decimal) -> None:
    assert parse_objective(value) == objective


@pytest.mark.parametrize("value", ["100%", "0%", "150%", "-1%", 100, 0, "three nines"])
def test_objective_out_of_range(value: object) -> None:
    with pytest.raises(
        ValueError, match=r"expected a percentage above 0% and below 100%, like 99\.9%"
    ):
        parse_objective(value)


def test_objective_written_as_a_ratio_is_refused_with_the_percentage() -> None:
    with pytest.raises(ValueError, match=r"write 99\.9% for a ratio of 0\.999$"):
        parse_objective(0.999)


@pytest.mark.parametrize(
    ("value", "operator", "threshold"),
    [
        ("> 90", "GreaterThanThreshold", 90.0),
        (">= 1", "GreaterThanOrEqualToThreshold", 1.0),
        ("< 10.5", "LessThanThreshold", 10.5),
        ("<=-3", "LessThanOrEqualToThreshold", -3.0),
        ("> 80%", "GreaterThanThreshold", 80.0),
    ],
)
def test_condition(value: str, operator: str, threshold: float) -> None:
    condition = parse_condition(value)
    assert (condition.operator, condition.threshold) == (operator, threshold)
    assert condition.symbol == value.strip()[: len(condition.symbol)]


def test_condition_prints_as_written() -> None:
    assert str(parse_condition(">= 1")) == ">= 1"
    assert str(parse_condition("> 0.5")) == "> 0.5"


@pytest.mark.parametrize("value", ["=> 90", "== 1", "90", 90, "> ninety", ">", "!= 0", None])
def test_condition_refused_with_the_quoting_hint(value: object) -> None:
    with pytest.raises(ValueError, match=r'like "> 90" \(quote it in YAML\)$'):
        parse_condition(value)


@pytest.mark.parametrize(
    ("value", "threshold"),
    [
        ("80%", Threshold(Decimal("80"), "PERCENTAGE")),
        ("100 USD", Threshold(Decimal("100"), "ABSOLUTE_VALUE")),
        ("$1,000", Threshold(Decimal("1000"), "ABSOLUTE_VALUE")),
        (120, Threshold(Decimal("120"), "ABSOLUTE_VALUE")),
    ],
)
def test_budget_threshold(value: object, threshold: Threshold) -> None:
    assert parse_threshold(value) == threshold


def test_budget_threshold_prints_its_kind() -> None:
    assert str(parse_threshold("80%")) == "80%"
    assert str(parse_threshold("$1,000")) == "1,000 USD"


@pytest.mark.parametrize("value", ["80 pct", "lots", None])
def test_budget_threshold_refused(value: object) -> None:
    with pytest.raises(
        ValueError, match="expected a percentage like 80% or an amount like 100 USD"
    ):
        parse_threshold(value)


def test_budget_threshold_with_a_percent_sign_is_read_as_a_percentage() -> None:
    with pytest.raises(ValueError, match=r"^invalid percentage 'x%': expected a number with %"):
        parse_threshold("x%")
