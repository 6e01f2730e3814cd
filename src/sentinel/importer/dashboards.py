"""Dashboards as rows of widgets: the reverse of sentinel.sync.dashboard_body.

Widgets are grouped into rows by their ``y``; a row must start at column 0 with its widgets
side by side, and the next row start below its tallest widget, as the layout draws them. A
widget with a YAML form (metric, text, alarm status, logs) is written in it; any other, or one
with properties the YAML form lacks, is kept as ``type: raw`` with its properties verbatim.
A layout that rows cannot draw is listed as not represented.
"""

from __future__ import annotations

import json
from typing import Any

from sentinel.importer.alarms import Unrepresentable
from sentinel.importer.names import Names
from sentinel.importer.result import ImportResult
from sentinel.sync.dashboard_body import (
    DEFAULT_HEIGHT,
    DEFAULT_PERIOD,
    DEFAULT_STAT,
    GRID_COLUMNS,
    LOG_VIEWS,
    METRIC_VIEWS,
    TITLE_HEIGHT,
)
from sentinel.sync.dashboard_fields import _IMPLIED, DEFAULT_WIDTH, canonical_metrics, tidy_numbers

_METRIC_KEYS = {
    "title",
    "view",
    "stacked",
    "region",
    "stat",
    "period",
    "metrics",
    "yAxis",
    "annotations",
}
_LINE_OPTIONS = {"stat", "period", "label", "id", "visible", "color"}
_VIEWS = {value: key for key, value in METRIC_VIEWS.items()}
_LOG_VIEWS = {value: key for key, value in LOG_VIEWS.items()}
_PERIODS_OK = (10, 20, 30)


def build_dashboards(
    bodies: dict[str, str],
    region: str,
    alarm_rules: dict[str, list[str]],
    project: str,
    result: ImportResult,
) -> list[dict[str, Any]]:
    names = Names(project)
    dashboards = []
    arn_rules = _rules_by_first_alarm(alarm_rules)
    for aws, text in sorted(bodies.items()):
        try:
            body = json.loads(text)
            dashboard = _dashboard(body, region, arn_rules, alarm_rules)
        except (ValueError, Unrepresentable) as exc:
            result.skip("dashboard", aws, str(exc))
            continue
        name, aws_name = names.for_aws(aws, safe=True)
        entry: dict[str, Any] = {"name": name}
        if aws_name is not None:
            entry["aws_name"] = aws_name
        entry.update(dashboard)
        dashboards.append(entry)
        result.imported["dashboard"] += 1
    return dashboards


def _rules_by_first_alarm(alarm_rules: dict[str, list[str]]) -> dict[str, list[str]]:
    first: dict[str, list[str]] = {}
    for rule, alarms in alarm_rules.items():
        if alarms:
            first.setdefault(alarms[0], []).append(rule)
    return first


def _dashboard(
    body: Any, region: str, arn_rules: dict[str, list[str]], alarm_rules: dict[str, list[str]]
) -> dict[str, Any]:
    if not isinstance(body, dict) or set(body) - {"widgets"}:
        extra = sorted(set(body) - {"widgets"}) if isinstance(body, dict) else []
        raise Unrepresentable(f"dashboard settings {extra} have no YAML form")
    widgets = sorted(body.get("widgets", []), key=lambda w: (w.get("y", 0), w.get("x", 0)))
    if not widgets:
        raise Unrepresentable("a dashboard without widgets has no rows")
    out: dict[str, Any] = {}
    first = widgets[0]
    if (
        first.get("type") == "text"
        and (first.get("x"), first.get("y"), first.get("width"), first.get("height"))
        == (0, 0, GRID_COLUMNS, TITLE_HEIGHT)
        and set(first.get("properties", {})) == {"markdown"}
        and str(first["properties"]["markdown"]).startswith("# ")
        and "\n" not in first["properties"]["markdown"]
    ):
        out["title"] = first["properties"]["markdown"][2:]
        widgets = widgets[1:]
    rows: list[list[dict[str, Any]]] = []
    for widget in widgets:
        if rows and widget.get("y") == rows[-1][0].get("y"):
            rows[-1].append(widget)
        else:
            rows.append([widget])
    y = TITLE_HEIGHT if "title" in out else 0
    written = []
    for row in rows:
        if row[0].get("y") != y:
            raise Unrepresentable(f"a row starts at y={row[0].get('y')}, rows stack from y={y}")
        x = 0
        for widget in row:
            if widget.get("x") != x:
                raise Unrepresentable(f"a widget at x={widget.get('x')} leaves a gap in its row")
            x += int(widget.get("width", DEFAULT_WIDTH))
        if x > GRID_COLUMNS:
            raise Unrepresentable("a row wider than the 24 columns")
        heights = [int(w.get("height", DEFAULT_HEIGHT)) for w in row]
        y += max(heights)
        written.append(_row(row, heights, x, region, arn_rules, alarm_rules))
    if not written:
        raise Unrepresentable("a dashboard with only a title has no rows")
    out["rows"] = written
    return out


def _row(
    row: list[dict[str, Any]],
    heights: list[int],
    width: int,
    region: str,
    arn_rules: dict[str, list[str]],
    alarm_rules: dict[str, list[str]],
) -> dict[str, Any]:
    widths = [int(w.get("width", DEFAULT_WIDTH)) for w in row]
    shared = width == GRID_COLUMNS and widths == _shares(len(row))
    same_height = len(set(heights)) == 1
    out: dict[str, Any] = {}
    if same_height and heights[0] != DEFAULT_HEIGHT:
        out["height"] = heights[0]
    widgets = []
    for widget, w, h in zip(row, widths, heights, strict=True):
        entry = _widget(widget, region, arn_rules, alarm_rules)
        if not shared:
            entry["width"] = w
        if not same_height and h != DEFAULT_HEIGHT:
            entry["height"] = h
        widgets.append(entry)
    out["widgets"] = widgets
    return out


def _shares(count: int) -> list[int]:
    base, odd = divmod(GRID_COLUMNS, count)
    return [base + (1 if i < odd else 0) for i in range(count)]


def _widget(
    widget: dict[str, Any],
    region: str,
    arn_rules: dict[str, list[str]],
    alarm_rules: dict[str, list[str]],
) -> dict[str, Any]:
    kind = widget.get("type")
    properties = dict(widget.get("properties") or {})
    extra = set(widget) - {"type", "x", "y", "width", "height", "properties"}
    converted = None
    if not extra:
        implied = _IMPLIED.get(str(kind), {})
        properties = {
            k: v
            for k, v in properties.items()
            if not (k in implied and tidy_numbers(v) == implied[k])
        }
        convert = {"metric": _metric, "text": _text, "log": _log}.get(str(kind))
        if convert is not None:
            converted = convert(properties, region)
        elif kind == "alarm":
            converted = _alarms(properties, arn_rules, alarm_rules)
    if converted is not None:
        return converted
    if extra:
        raise Unrepresentable(f"widget fields {sorted(extra)} have no YAML form")
    return {"type": "raw", "widget": kind, "properties": widget.get("properties") or {}}


def _metric(properties: dict[str, Any], region: str) -> dict[str, Any] | None:
    if set(properties) - _METRIC_KEYS or not isinstance(properties.get("title"), str):
        return None
    view = _VIEWS.get((properties.get("view", "timeSeries"), bool(properties.get("stacked"))))
    if view is None:
        return None
    out: dict[str, Any] = {"type": "metric", "title": properties["title"]}
    if view != "line":
        out["view"] = view
    lines = []
    for row in canonical_metrics(list(properties.get("metrics") or [])):
        line = _line(row)
        if line is None:
            return None
        lines.append(line)
    if not lines:
        return None
    out["metrics"] = lines
    stat = properties.get("stat", DEFAULT_STAT)
    if stat != DEFAULT_STAT:
        out["stat"] = stat
    period = properties.get("period", DEFAULT_PERIOD)
    if not _period_ok(period):
        return None
    if period != DEFAULT_PERIOD:
        out["period"] = f"{period}s" if period % 60 else f"{period // 60}m"
    if properties.get("region", region) != region:
        out["region"] = properties["region"]
    axis = properties.get("yAxis")
    if axis:
        if set(axis) - {"left"} or set(axis.get("left", {})) - {"min", "max", "label"}:
            return None
        out["y_axis"] = dict(axis["left"])
    annotations = properties.get("annotations")
    if annotations:
        horizontal = annotations.get("horizontal")
        if set(annotations) - {"horizontal"} or not isinstance(horizontal, list):
            return None
        if any(set(a) - {"value", "label", "color"} or "value" not in a for a in horizontal):
            return None
        out["annotations"] = horizontal
    return out


def _period_ok(period: Any) -> bool:
    return isinstance(period, int) and period > 0 and (period in _PERIODS_OK or period % 60 == 0)


def _line(row: Any) -> dict[str, Any] | None:
    if not isinstance(row, list) or not row:
        return None
    options = row[-1] if isinstance(row[-1], dict) else {}
    fields = row[:-1] if isinstance(row[-1], dict) else row
    line: dict[str, Any] = {}
    if not fields:
        if "expression" not in options or set(options) - _LINE_OPTIONS - {"expression"}:
            return None
        line["expression"] = options["expression"]
    else:
        if set(options) - _LINE_OPTIONS or len(fields) < 2 or len(fields) % 2:
            return None
        if not all(isinstance(f, str) for f in fields):
            return None
        line["namespace"], line["metric"] = fields[0], fields[1]
        dimensions = dict(zip(fields[2::2], fields[3::2], strict=True))
        if dimensions:
            line["dimensions"] = dimensions
    for key in ("stat", "period", "label", "id", "color"):
        if key in options:
            line[key] = options[key]
    if "period" in line:
        if not _period_ok(line["period"]):
            return None
        p = line["period"]
        line["period"] = f"{p}s" if p % 60 else f"{p // 60}m"
    if options.get("visible") is False:
        line["visible"] = False
    return line


def _text(properties: dict[str, Any], region: str) -> dict[str, Any] | None:
    if set(properties) != {"markdown"} or not isinstance(properties["markdown"], str):
        return None
    return {"type": "text", "markdown": properties["markdown"]}


def _log(properties: dict[str, Any], region: str) -> dict[str, Any] | None:
    if set(properties) - {"title", "query", "region", "view", "stacked"}:
        return None
    view = _LOG_VIEWS.get((properties.get("view", "table"), bool(properties.get("stacked"))))
    query = properties.get("query")
    if view is None or not isinstance(query, str) or not isinstance(properties.get("title"), str):
        return None
    parts = query.split(" | ")
    groups = []
    while parts and parts[0].startswith("SOURCE '") and parts[0].endswith("'"):
        groups.append(parts.pop(0)[len("SOURCE '") : -1])
    rest = " | ".join(parts)
    if not groups or not rest:
        return None
    out: dict[str, Any] = {
        "type": "logs",
        "title": properties["title"],
        "query": rest,
        "log_groups": groups,
    }
    if view != "table":
        out["view"] = view
    if properties.get("region", region) != region:
        out["region"] = properties["region"]
    return out


def _alarms(
    properties: dict[str, Any], arn_rules: dict[str, list[str]], alarm_rules: dict[str, list[str]]
) -> dict[str, Any] | None:
    if set(properties) != {"title", "alarms", "sortBy"}:
        return None
    if properties["sortBy"] != "stateUpdatedTimestamp":
        return None
    names = [str(arn).rsplit(":alarm:", 1)[-1] for arn in properties["alarms"]]
    rules: list[str] = []
    at = 0
    while at < len(names):
        for rule in arn_rules.get(names[at], []):
            alarms = alarm_rules[rule]
            if names[at : at + len(alarms)] == alarms and rule not in rules:
                rules.append(rule)
                at += len(alarms)
                break
        else:
            return None
    if not rules:
        return None
    return {"type": "alarms", "title": properties["title"], "alarms": rules}
