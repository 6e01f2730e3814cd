"""Dashboard bodies in the one shape the plan compares, so that equal dashboards compare equal.

A body written by Sentinel and the same body after a round trip through the console differ in
ways that mean nothing: key order, ``100.0`` for ``100``, the ``"."`` shorthand of repeated
metric fields, defaults the console writes out (``"view": "timeSeries"``, ``"stacked": false``),
a metric's dimensions in another order, a widget with no region (the dashboard's). Each widget
becomes one field, ``widgets[3]``, whose leaves the diff shows as ``widgets[3].properties.title``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sentinel.sync.dashboard_body import DEFAULT_HEIGHT, DEFAULT_PERIOD, DEFAULT_STAT

DEFAULT_WIDTH = 6
INVALID_BODY = "body"

# property -> value that means the same as leaving it out, per widget type.
_IMPLIED: dict[str, dict[str, Any]] = {
    "metric": {
        "stacked": False,
        "liveData": False,
        "setPeriodToTimeRange": False,
        "legend": {"position": "bottom"},
        "annotations": {},
        "yAxis": {},
    },
    "log": {"stacked": False},
    "text": {"background": "solid"},
    "alarm": {},
}
_FILLED: dict[str, dict[str, Any]] = {
    "metric": {"view": "timeSeries", "stat": DEFAULT_STAT, "period": DEFAULT_PERIOD},
    "log": {"view": "table"},
}


def tidy_numbers(value: Any) -> Any:
    """``100.0`` -> ``100`` everywhere in a JSON value; booleans stay booleans."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, Mapping):
        return {key: tidy_numbers(item) for key, item in value.items()}
    if isinstance(value, list):
        return [tidy_numbers(item) for item in value]
    return value


def body_fields(body: str | Mapping[str, Any], region: str) -> dict[str, Any]:
    """The comparable fields of a dashboard body (a JSON string or parsed)."""
    if isinstance(body, str):
        try:
            body = json.loads(body)
        except ValueError:
            return {INVALID_BODY: "(not valid JSON)"}
    if not isinstance(body, Mapping):
        return {INVALID_BODY: "(not a JSON object)"}
    fields: dict[str, Any] = {}
    widgets = body.get("widgets", [])
    for index, widget in enumerate(widgets if isinstance(widgets, list) else []):
        fields[f"widgets[{index}]"] = _widget(widget, region)
    for key in sorted(body):
        if key != "widgets":
            fields[key] = tidy_numbers(body[key])
    return fields


def _widget(widget: Any, region: str) -> Any:
    if not isinstance(widget, Mapping):
        return tidy_numbers(widget)
    kind = widget.get("type")
    shape = {
        "type": kind,
        "x": widget.get("x"),
        "y": widget.get("y"),
        "width": widget.get("width", DEFAULT_WIDTH),
        "height": widget.get("height", DEFAULT_HEIGHT),
    }
    properties = widget.get("properties", {})
    if isinstance(properties, Mapping):
        shape["properties"] = _properties(str(kind), properties, region)
    else:
        shape["properties"] = properties
    extra = {k: widget[k] for k in sorted(widget) if k not in shape}
    return tidy_numbers({**shape, **extra})


def _properties(kind: str, properties: Mapping[str, Any], region: str) -> dict[str, Any]:
    implied = _IMPLIED.get(kind, {})
    normal: dict[str, Any] = {}
    for key, value in properties.items():
        if key in implied and tidy_numbers(value) == implied[key]:
            continue
        normal[key] = value
    if kind in ("metric", "log"):
        normal.setdefault("region", region)
    for key, value in _FILLED.get(kind, {}).items():
        normal.setdefault(key, value)
    if kind == "metric" and isinstance(normal.get("metrics"), list):
        normal["metrics"] = canonical_metrics(normal["metrics"])
    if kind == "metric" and isinstance(normal.get("yAxis"), Mapping):
        axes = {side: axis for side, axis in normal["yAxis"].items() if axis}
        if axes:
            normal["yAxis"] = axes
        else:
            del normal["yAxis"]
    # Sorted, the title first: the order a reader of the plan looks for.
    return {key: normal[key] for key in sorted(normal, key=lambda k: (k != "title", k))}


def canonical_metrics(rows: list[Any]) -> list[Any]:
    """Expand ``"."`` (same as the row above), sort each metric's dimensions and options."""
    canonical: list[Any] = []
    previous: list[Any] = []
    for row in rows:
        if not isinstance(row, list):
            canonical.append(row)
            continue
        options = row[-1] if row and isinstance(row[-1], Mapping) else None
        fields = list(row[:-1] if options is not None else row)
        for position, value in enumerate(fields):
            if value == "." and position < len(previous):
                fields[position] = previous[position]
        if fields:
            previous = fields
        canonical.append(_canonical_metric(fields, options))
    return canonical


def _canonical_metric(fields: list[Any], options: Mapping[str, Any] | None) -> list[Any]:
    head, pairs = fields[:2], fields[2:]
    dimensions = sorted(zip(pairs[0::2], pairs[1::2], strict=False), key=lambda p: str(p[0]))
    row = [*head, *(item for pair in dimensions for item in pair)]
    if len(pairs) % 2:
        row.append(pairs[-1])
    kept = {k: v for k, v in sorted((options or {}).items()) if (k, v) != ("visible", True)}
    if kept:
        row.append(kept)
    return row
