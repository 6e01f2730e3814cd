"""A YAML dashboard as a CloudWatch dashboard body: widgets placed on the 24-column grid.

Rows are laid out top to bottom. In a row, widgets with an explicit ``width`` keep it and the
others share the remaining columns equally (the leftmost get the odd columns); a widget is
``height`` tall, else its row's ``height``, else 6. A row with ``for_each`` is repeated once per
discovered resource; a metric widget with ``for_each`` repeats its lines once per resource.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sentinel.config.models.dashboards import (
    AlarmStatusWidget,
    Dashboard,
    LogsWidget,
    MetricLine,
    MetricWidget,
    RawWidget,
    Row,
    TextWidget,
)
from sentinel.errors import SentinelError
from sentinel.sync.alarm_names import AlarmNames, alarm_arn
from sentinel.sync.templates import expand, fill

if TYPE_CHECKING:
    from sentinel.config.models import ForEach
    from sentinel.inventory import Resource
    from sentinel.sync.context import SyncContext

GRID_COLUMNS = 24
DEFAULT_HEIGHT = 6
TITLE_HEIGHT = 1
DEFAULT_STAT = "Average"
DEFAULT_PERIOD = 300
MAX_ALARMS_PER_WIDGET = 100

# YAML view -> CloudWatch (view, stacked).
METRIC_VIEWS: dict[str, tuple[str, bool]] = {
    "line": ("timeSeries", False),
    "stacked": ("timeSeries", True),
    "number": ("singleValue", False),
    "bar": ("bar", False),
    "pie": ("pie", False),
}
LOG_VIEWS: dict[str, tuple[str, bool]] = {
    "table": ("table", False),
    "line": ("timeSeries", False),
    "bar": ("bar", False),
    "stacked": ("timeSeries", True),
}


class DashboardLayoutError(SentinelError):
    """A dashboard that cannot be drawn: a row wider than the grid, too many alarms."""


@dataclass
class Cell:
    """A widget before it is placed: its type, properties and size (width None: share the row)."""

    type: str
    properties: dict[str, Any]
    width: int | None
    height: int


class DashboardBody:
    """Renders the dashboards of one config in one region.

    ``alarm_names`` is called the first time an alarm status widget needs concrete alarm names
    (expanding templated alarm rules reads the inventory), and then reused.
    """

    def __init__(self, ctx: SyncContext, alarm_names: Callable[[], AlarmNames]) -> None:
        self.ctx = ctx
        self._alarm_names = alarm_names

    def render(self, dashboard: Dashboard, source: str = "") -> dict[str, Any]:
        placed: list[dict[str, Any]] = []
        y = 0
        if dashboard.title:
            header = Cell("text", {"markdown": f"# {dashboard.title}"}, GRID_COLUMNS, TITLE_HEIGHT)
            y = _place_row([header], y, placed, f"{source}: title")
        for number, row in enumerate(dashboard.rows, start=1):
            for resource in self._row_resources(row):
                cells = [self._cell(widget, row, dashboard, resource) for widget in row.widgets]
                y = _place_row(cells, y, placed, f"{source}: row {number}")
        return {"widgets": placed}

    def _row_resources(self, row: Row) -> Sequence[Resource | None]:
        if row.for_each is None:
            return [None]
        return self._expand(row.for_each)

    def _expand(self, for_each: ForEach) -> list[Resource]:
        return expand(for_each, self.ctx.inventory, self.ctx.region)

    def _cell(self, widget: Any, row: Row, dashboard: Dashboard, resource: Resource | None) -> Cell:
        height = widget.height or row.height or DEFAULT_HEIGHT
        if isinstance(widget, MetricWidget):
            return self._metric(widget, dashboard, resource, height)
        if isinstance(widget, TextWidget):
            return Cell("text", {"markdown": fill(widget.markdown, resource)}, widget.width, height)
        if isinstance(widget, AlarmStatusWidget):
            return self._alarm_status(widget, resource, height)
        if isinstance(widget, RawWidget):
            return Cell(widget.widget, dict(widget.properties), widget.width, height)
        assert isinstance(widget, LogsWidget)
        return self._logs(widget, resource, height)

    def _metric(
        self, widget: MetricWidget, dashboard: Dashboard, resource: Resource | None, height: int
    ) -> Cell:
        title = fill(widget.title, resource)
        if widget.for_each is None:
            metrics = [_metric_row(line, resource) for line in widget.metrics]
        else:
            targets = self._expand(widget.for_each)
            if not targets:
                note = f"**{title}**\n\nNo {_describe(widget.for_each)} in {self.ctx.region}."
                return Cell("text", {"markdown": note}, widget.width, height)
            metrics = _lines_per_resource(widget.metrics, targets)
        view, stacked = METRIC_VIEWS[widget.view]
        properties: dict[str, Any] = {
            "title": title,
            "view": view,
            "region": widget.region or self.ctx.region,
            "stat": widget.stat or DEFAULT_STAT,
            "period": widget.period or dashboard.period or DEFAULT_PERIOD,
            "metrics": metrics,
        }
        if stacked:
            properties["stacked"] = True
        if widget.y_axis is not None:
            axis = {
                key: value
                for key, value in (
                    ("min", widget.y_axis.min),
                    ("max", widget.y_axis.max),
                    ("label", widget.y_axis.label),
                )
                if value is not None
            }
            if axis:
                properties["yAxis"] = {"left": axis}
        if widget.annotations:
            properties["annotations"] = {
                "horizontal": [
                    _without_none({"value": a.value, "label": a.label, "color": a.color})
                    for a in widget.annotations
                ]
            }
        return Cell("metric", properties, widget.width, height)

    def _alarm_status(
        self, widget: AlarmStatusWidget, resource: Resource | None, height: int
    ) -> Cell:
        title = fill(widget.title, resource)
        names = self._alarm_names()
        wanted = names.of_severity(widget.severity) if widget.severity else []
        wanted += names.of_rules(widget.alarms)
        alarms = list(dict.fromkeys(wanted))
        if not alarms:
            what = f"severity {widget.severity}" if widget.severity else ", ".join(widget.alarms)
            note = f"**{title}**\n\nNo alarms of {what} in {self.ctx.region}."
            return Cell("text", {"markdown": note}, widget.width, height)
        if len(alarms) > MAX_ALARMS_PER_WIDGET:
            raise DashboardLayoutError(
                f"alarm status widget {title!r} shows {len(alarms)} alarms; CloudWatch allows "
                f"{MAX_ALARMS_PER_WIDGET} per widget: split it by rule"
            )
        properties = {
            "title": title,
            "alarms": [alarm_arn(self.ctx, name) for name in alarms],
            "sortBy": "stateUpdatedTimestamp",
        }
        return Cell("alarm", properties, widget.width, height)

    def _logs(self, widget: LogsWidget, resource: Resource | None, height: int) -> Cell:
        sources = " | ".join(f"SOURCE '{fill(group, resource)}'" for group in widget.log_groups)
        view, stacked = LOG_VIEWS[widget.view]
        properties: dict[str, Any] = {
            "title": fill(widget.title, resource),
            "query": f"{sources} | {fill(widget.query, resource)}",
            "region": widget.region or self.ctx.region,
            "view": view,
        }
        if stacked:
            properties["stacked"] = True
        return Cell("log", properties, widget.width, height)


def _place_row(cells: list[Cell], y: int, placed: list[dict[str, Any]], where: str) -> int:
    """Give each cell its x, width and y; return the y of the next row."""
    fixed = sum(cell.width for cell in cells if cell.width is not None)
    shared = [cell for cell in cells if cell.width is None]
    free = GRID_COLUMNS - fixed
    if free < len(shared) or (not shared and free < 0):
        raise DashboardLayoutError(
            f"{where}: widgets need {fixed} columns"
            + (f" plus {len(shared)} for the widgets without a width" if shared else "")
            + f"; a dashboard row has {GRID_COLUMNS}"
        )
    base, odd = divmod(free, len(shared)) if shared else (0, 0)
    x = 0
    for cell in cells:
        width = cell.width
        if width is None:
            width = base + (1 if odd > 0 else 0)
            odd -= 1
        placed.append(
            {
                "type": cell.type,
                "x": x,
                "y": y,
                "width": width,
                "height": cell.height,
                "properties": cell.properties,
            }
        )
        x += width
    return y + max(cell.height for cell in cells)


def _metric_row(line: MetricLine, resource: Resource | None) -> list[Any]:
    options = _without_none(
        {
            "stat": line.stat,
            "period": line.period,
            "label": fill(line.label, resource) if line.label is not None else None,
            "id": line.id,
            "visible": False if not line.visible else None,
            "color": line.color,
        }
    )
    if line.expression is not None:
        return [{"expression": fill(line.expression, resource), **options}]
    assert line.namespace is not None and line.metric is not None
    row: list[Any] = [line.namespace, line.metric]
    for name, value in line.dimensions.items():
        row += [name, fill(value, resource)]
    if options:
        row.append(options)
    return row


def _lines_per_resource(lines: list[MetricLine], resources: list[Resource]) -> list[list[Any]]:
    """Every line once per resource. With several resources, line ids get the resource's index
    (``errors_0``) so that each expression computes over its own resource's lines, and a fixed
    label gets the resource's name so that the lines can be told apart."""
    ids = [line.id for line in lines if line.id]
    rows = []
    for index, resource in enumerate(resources):
        for line in lines:
            if len(resources) > 1:
                line = _for_resource(line, ids, index, resource)
            rows.append(_metric_row(line, resource))
    return rows


def _for_resource(line: MetricLine, ids: list[str], index: int, resource: Resource) -> MetricLine:
    changes: dict[str, Any] = {}
    if line.id:
        changes["id"] = f"{line.id}_{index}"
    if line.expression and ids:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, ids)) + r")\b")
        changes["expression"] = pattern.sub(lambda m: f"{m.group(1)}_{index}", line.expression)
    if line.label and "{" not in line.label:
        changes["label"] = f"{line.label} {resource.name}"
    return line.model_copy(update=changes)


def _describe(for_each: ForEach) -> str:
    tags = ", ".join(f"{k}={'|'.join(v)}" for k, v in for_each.tags.items())
    return f"{for_each.resource} resource" + (f" tagged {tags}" if tags else "")


def _without_none(values: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in values.items() if value is not None}
