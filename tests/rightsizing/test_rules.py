"""The rules on their edges: Trusted Advisor's idle check, idle databases, sustained CPU."""

from __future__ import annotations

import numpy as np
import pytest

from sentinel.rightsizing.rules import (
    fits,
    idle_days,
    is_idle_database,
    is_idle_instance,
    is_under_provisioned,
    rules,
)

MB = 1_000_000
NaN = float("nan")


def days(cpu: list[float], network: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return np.array(cpu, dtype=float), np.array(network, dtype=float)


def busy_days(count: int) -> list[float]:
    return [55.0] * count


def test_the_rule_is_the_trusted_advisor_check() -> None:
    rule = rules()
    assert (rule.idle_cpu_percent, rule.idle_network_bytes) == (10.0, 5 * MB)
    assert (rule.idle_days, rule.idle_of_last_days) == (4, 14)


def test_exactly_four_quiet_days_of_fourteen_is_idle_three_is_not() -> None:
    cpu, network = days(busy_days(10) + [2.0] * 4, [50 * MB] * 10 + [1 * MB] * 4)
    found = idle_days(cpu, network)
    assert (found.idle, found.measured, found.of_days) == (4, 14, 14)
    assert is_idle_instance(found)

    cpu, network = days(busy_days(11) + [2.0] * 3, [50 * MB] * 11 + [1 * MB] * 3)
    assert idle_days(cpu, network).idle == 3
    assert not is_idle_instance(idle_days(cpu, network))


def test_exactly_ten_percent_cpu_is_a_quiet_day_just_above_is_not() -> None:
    quiet = idle_days(*days(busy_days(10) + [10.0] * 4, [50 * MB] * 10 + [MB] * 4))
    assert quiet.idle == 4 and is_idle_instance(quiet)
    busy = idle_days(*days(busy_days(10) + [10.0] * 3 + [10.01], [50 * MB] * 10 + [MB] * 4))
    assert busy.idle == 3 and not is_idle_instance(busy)


def test_exactly_five_megabytes_is_a_quiet_day_one_byte_more_is_not() -> None:
    quiet = idle_days(*days(busy_days(10) + [1.0] * 4, [50 * MB] * 10 + [5 * MB] * 4))
    assert quiet.idle == 4 and is_idle_instance(quiet)
    busy = idle_days(*days(busy_days(10) + [1.0] * 4, [50 * MB] * 10 + [5 * MB] * 3 + [5 * MB + 1]))
    assert busy.idle == 3 and not is_idle_instance(busy)


def test_both_conditions_on_the_same_day() -> None:
    # Four days of low CPU with traffic and four days of no traffic with CPU: no quiet day.
    cpu, network = days(busy_days(6) + [1.0] * 4 + [40.0] * 4, [MB] * 6 + [80 * MB] * 4 + [MB] * 4)
    assert idle_days(cpu, network).idle == 0


def test_only_the_last_fourteen_days_count_and_stopped_days_are_not_quiet() -> None:
    # 32 days of lookback: the quiet days before the last 14 do not count.
    cpu = [1.0] * 18 + busy_days(14)
    network = [MB] * 18 + [50 * MB] * 14
    assert idle_days(*days(cpu, network)).idle == 0
    # A stopped instance reports nothing: no CPU datapoint is no quiet day.
    stopped = idle_days(*days(busy_days(4) + [NaN] * 6 + [1.0] * 4, [NaN] * 10 + [MB] * 4))
    assert (stopped.idle, stopped.measured) == (4, 8)


def test_a_database_without_connections_for_seven_days_is_idle() -> None:
    assert is_idle_database(np.array([12.0] * 7 + [0.0] * 7))
    assert not is_idle_database(np.array([0.0] * 6 + [1.0] + [0.0] * 6 + [1.0]))
    assert not is_idle_database(np.array([0.0] * 6))  # six days of data are not seven
    assert not is_idle_database(np.array([0.0] * 6 + [NaN]))


def test_sustained_cpu_is_a_tenth_of_the_hours_above_ninety() -> None:
    hours = np.full(336, 50.0)
    hours[:33] = 95.0  # 9.8 %
    assert not is_under_provisioned(hours)
    hours[:34] = 95.0  # 10.1 %
    assert is_under_provisioned(hours)
    hours[:34] = 90.0  # at 90 % is not above it
    assert not is_under_provisioned(hours)


@pytest.mark.parametrize(
    ("peak", "current", "smaller", "headroom", "expected"),
    [
        (40.0, 4, 2, 20.0, True),  # 80 % on the smaller size: exactly the 20 % headroom kept
        (40.1, 4, 2, 20.0, False),
        (8.0, 4, 2, 20.0, True),
        (35.0, 2, 1, 30.0, True),
        (35.1, 2, 1, 30.0, False),
    ],
)
def test_a_peak_fits_when_the_headroom_stays_free(
    peak: float, current: float, smaller: float, headroom: float, expected: bool
) -> None:
    assert fits(peak, current, smaller, headroom) is expected
