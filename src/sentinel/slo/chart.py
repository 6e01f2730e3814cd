"""The review's burn-down chart: error budget left over each SLO's window, as PNG bytes."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: the daemon and CI render to PNG bytes

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.ticker import PercentFormatter

from sentinel.slo.review import SloReviewReport

PALETTE = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1"]


def burn_down_chart(review: SloReviewReport, width: float = 10.0, height: float = 4.8) -> bytes:
    """One line per SLO from 100 % at its window's start to the budget left now."""
    figure, axes = plt.subplots(figsize=(width, height), dpi=110)
    try:
        drawn = 0
        for i, entry in enumerate(review.entries):
            points = [
                (t, v)
                for t, v in zip(entry.burn_down.times, entry.burn_down.remaining, strict=True)
                if v == v  # NaN: no traffic yet
            ]
            if not points:
                continue
            times, values = zip(*points, strict=True)
            label = (
                f"{entry.status.name} ({entry.status.objective:g}% / {entry.status.window_label})"
            )
            axes.plot(times, values, color=PALETTE[i % len(PALETTE)], linewidth=1.6, label=label)
            drawn += 1
        if not drawn:
            axes.text(0.5, 0.5, "no SLO data", ha="center", va="center", transform=axes.transAxes)
            axes.set_axis_off()
        else:
            axes.axhline(0, color="#e15759", linewidth=0.8, linestyle="--")
            axes.yaxis.set_major_formatter(PercentFormatter(decimals=0))
            axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
            axes.set_ylabel("error budget left")
            axes.grid(axis="y", color="#e0e0e0", linewidth=0.6)
            axes.legend(loc="lower left", bbox_to_anchor=(0.0, 0.06), fontsize=8, frameon=False)
            for side in ("top", "right"):
                axes.spines[side].set_visible(False)
        axes.set_title(
            f"{review.project}: SLO error budget burn-down to {review.as_of:%d %b %Y %H:%M} UTC",
            loc="left",
            fontsize=11,
        )
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)
