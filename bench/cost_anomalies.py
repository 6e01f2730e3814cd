"""Anomaly scan of 1,000 cost series x 400 days: wall time and peak memory.

Synthetic daily series with weekly seasonality, trend and 4 % noise, at levels from $5 to $5,000
a day, with 20 anomalies injected into the last 100 days. The scan computes every series'
baseline for every day (the detector's vectorised path) and reports anomalies of the last 300
days (spikes and drops); the check is that the 20 injected ones are found (the false positives
are counted).

    python -m bench cost_anomalies
"""

from __future__ import annotations

import time
import tracemalloc
from datetime import date, timedelta

import numpy as np
import pandas as pd

from sentinel.cost.detection import DetectionSettings, detect
from sentinel.cost.groupings import SERVICE, SeriesKey

SERIES = 1000
DAYS = 400
INJECTED = 20
WEEKLY = np.array([1.07, 1.08, 1.08, 1.07, 1.05, 0.84, 0.81])
START = date(2025, 1, 6)


def series_matrix(seed: int = 42) -> tuple[pd.DataFrame, set[tuple[int, int]]]:
    rng = np.random.default_rng(seed)
    t = np.arange(DAYS)
    levels = np.exp(rng.uniform(np.log(5), np.log(5000), SERIES))[:, None]
    trend = 1 + rng.uniform(-0.0005, 0.002, SERIES)[:, None] * t[None, :]
    weekly = np.where(rng.random(SERIES)[:, None] < 0.5, WEEKLY[t % 7][None, :], 1.0)
    values = levels * trend * weekly * (1 + 0.04 * rng.standard_normal((SERIES, DAYS)))
    injected = set()
    for row in rng.choice(SERIES, INJECTED, replace=False):
        day = int(rng.integers(DAYS - 100, DAYS))
        values[row, day] += max(200.0, 1.0 * float(levels[row, 0]))
        injected.add((int(row), day))
    index = pd.date_range(START, periods=DAYS, freq="D")
    return pd.DataFrame(values.T, index=index, columns=[f"s{i}" for i in range(SERIES)]), injected


def scan(matrix: pd.DataFrame) -> list:
    keys = [SeriesKey(SERVICE, c) for c in matrix.columns]
    last = START + timedelta(days=DAYS - 1)
    return detect(matrix, keys, DetectionSettings(), last - timedelta(days=299), last)


def main() -> int:
    matrix, injected = series_matrix()
    scan(matrix.iloc[:, :10])  # warm imports
    started, cpu = time.perf_counter(), time.process_time()
    found = scan(matrix)
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    tracemalloc.start()
    scan(matrix)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    hits = {(int(a.series.value[1:]), (a.start - START).days) for a in found}
    print(f"series x days           {SERIES} x {DAYS} ({SERIES * DAYS:,} values)")
    print(f"scan wall time          {wall:.2f} s")
    # On a shared machine the processor time varies less than the wall time.
    print(f"scan processor time     {cpu:.2f} s")
    print(
        f"peak memory (traced)    {peak / 2**20:.0f} MiB "
        f"(input matrix {matrix.values.nbytes / 2**20:.1f} MiB)"
    )
    print(
        f"anomalies found         {len(found)} (injected {INJECTED}, found {len(hits & injected)})"
    )
    print(f"false positives         {len(hits - injected)}")
    return 0 if injected <= hits else 1


if __name__ == "__main__":
    raise SystemExit(main())
