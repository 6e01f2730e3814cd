"""The report's chart: 30 days of daily cost stacked by top services, and the forecast."""

from __future__ import annotations

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")  # no display: the daemon and CI render to PNG bytes

import matplotlib.dates as mdates
import matplotlib.pyplot as plt
from matplotlib.ticker import FuncFormatter

from sentinel.cost.report import ChartData

PALETTE = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#86bcb6", "#d37295",
]  # fmt: skip
OTHER_COLOR = "#c7c7c7"
FORECAST_COLOR = "#9aa5b1"


def render_chart(chart: ChartData, title: str, width: float = 10.0, height: float = 4.8) -> bytes:
    """PNG bytes of the chart (an empty frame with a note when there is no data)."""
    figure, axes = plt.subplots(figsize=(width, height), dpi=110)
    try:
        if not chart.days:
            axes.text(0.5, 0.5, "no cost data", ha="center", va="center", transform=axes.transAxes)
            axes.set_axis_off()
        else:
            _bars(axes, chart)
        axes.set_title(title, loc="left", fontsize=11)
        figure.tight_layout()
        buffer = io.BytesIO()
        figure.savefig(buffer, format="png")
        return buffer.getvalue()
    finally:
        plt.close(figure)


def _bars(axes: plt.Axes, chart: ChartData) -> None:
    days = [mdates.date2num(d) for d in chart.days]
    bottom = [0.0] * len(days)
    for i, (service, values) in enumerate(chart.services.items()):
        color = OTHER_COLOR if service == "Other" else PALETTE[i % len(PALETTE)]
        axes.bar(days, values, bottom=bottom, width=0.8, color=color, label=_short(service))
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if chart.forecast:
        forecast_days: list[date] = sorted(chart.forecast)
        axes.bar(
            [mdates.date2num(d) for d in forecast_days],
            [chart.forecast[d] for d in forecast_days],
            width=0.8,
            color="none",
            edgecolor=FORECAST_COLOR,
            hatch="///",
            linewidth=0.8,
            label="forecast",
        )
    axes.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
    axes.xaxis.set_major_formatter(mdates.DateFormatter("%d %b"))
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: f"${v:,.0f}"))
    axes.grid(axis="y", color="#e5e5e5", linewidth=0.6)
    axes.set_axisbelow(True)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)


def _short(service: str, limit: int = 28) -> str:
    for prefix in ("Amazon ", "AWS "):
        if service.startswith(prefix) and len(service) > limit:
            service = service[len(prefix) :]
    return service if len(service) <= limit else service[: limit - 1] + "…"
