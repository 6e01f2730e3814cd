"""CloudWatch statistics over array-backed series."""

from __future__ import annotations

import numpy as np
import pytest

from sentinel.emulator.metric_store import MetricKey, MetricStore, Samples, aggregate

START = 1_700_000_040  # a whole minute


def test_statistics_per_period_from_start_skipping_empty_periods() -> None:
    # Two samples in the first minute, none in the second, one in the third.
    samples = Samples.of_values([START + 10, START + 50, START + 130], [4.0, 2.0, 9.0], "Count")

    points = aggregate(
        samples, START, START + 180, 60, ["Sum", "Average", "Minimum", "Maximum", "SampleCount"]
    )

    assert [p.start for p in points] == [START, START + 120]
    assert points[0].values == {
        "Sum": 6.0,
        "Average": 3.0,
        "Minimum": 2.0,
        "Maximum": 4.0,
        "SampleCount": 2.0,
    }
    assert points[1].values["Sum"] == 9.0


def test_end_is_exclusive_and_start_inclusive() -> None:
    samples = Samples.of_values([START - 1, START, START + 59, START + 60], [1.0, 2.0, 3.0, 4.0])

    points = aggregate(samples, START, START + 60, 60, ["Sum"])

    assert [(p.start, p.values["Sum"]) for p in points] == [(START, 5.0)]


def test_percentiles_by_nearest_rank() -> None:
    values = np.arange(1.0, 101.0)
    samples = Samples.of_values(START + np.arange(100), values[::-1])

    (point,) = aggregate(samples, START, START + 300, 300, ["p50", "p95", "p99.9", "p100"])

    assert point.values == {"p50": 50.0, "p95": 95.0, "p99.9": 100.0, "p100": 100.0}


def test_statistic_sets_average_by_their_sample_counts() -> None:
    samples = Samples(
        timestamps=np.array([START, START + 1]),
        sums=np.array([10.0, 2.0]),
        minimums=np.array([1.0, 2.0]),
        maximums=np.array([5.0, 2.0]),
        counts=np.array([4.0, 1.0]),
    )

    (point,) = aggregate(samples, START, START + 60, 60, ["Average", "SampleCount", "Maximum"])

    assert point.values == {"Average": 12.0 / 5.0, "SampleCount": 5.0, "Maximum": 5.0}


def test_unknown_statistic_is_refused() -> None:
    with pytest.raises(ValueError, match="unsupported statistic"):
        aggregate(Samples.of_values([START], [1.0]), START, START + 60, 60, ["Median"])


def test_a_metric_is_its_exact_set_of_dimensions_in_any_order() -> None:
    one = MetricKey.of("AWS/ECS", "CPUUtilization", {"ClusterName": "c", "ServiceName": "s"})
    same = MetricKey.of(
        "AWS/ECS",
        "CPUUtilization",
        [{"Name": "ServiceName", "Value": "s"}, {"Name": "ClusterName", "Value": "c"}],
    )
    fewer = MetricKey.of("AWS/ECS", "CPUUtilization", {"ClusterName": "c"})

    assert one == same
    assert one != fewer


def test_store_merges_samples_in_time_order() -> None:
    store = MetricStore()
    key = MetricKey.of("Custom", "Jobs", {})
    store.put(key, Samples.of_values([START + 120, START + 60], [3.0, 2.0]))
    store.put(key, Samples.of_values([START], [1.0]))

    merged = store.get(key)

    assert merged is not None
    assert merged.timestamps.tolist() == [START, START + 60, START + 120]
    assert merged.sums.tolist() == [1.0, 2.0, 3.0]
    assert (len(store), store.datapoints()) == (1, 3)
