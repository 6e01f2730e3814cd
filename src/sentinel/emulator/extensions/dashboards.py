"""CloudWatch dashboards as AWS has them: tags, and a body checked before it is saved.

moto saves any JSON as a dashboard body and can tag only alarms. AWS checks the body against
the dashboard body structure (widget types, the 24-column grid, required properties such as a
metric widget's ``region``) and rejects it with the problems listed; it takes ``Tags`` on
PutDashboard when the dashboard is created (ignored on later puts), and TagResource,
UntagResource and ListTagsForResource work on dashboard ARNs. ListDashboards pages as AWS does
(1,000 entries a page, ``NextToken``; ``LIST_PAGE_SIZE`` smaller in tests), where moto gives all.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from moto.cloudwatch.exceptions import DashboardInvalidInputError
from moto.cloudwatch.models import CloudWatchBackend
from moto.cloudwatch.responses import CloudWatchResponse
from moto.core.responses import ActionResult

GRID_COLUMNS = 24
MAX_HEIGHT = 1000
MAX_ALARMS = 100
WIDGET_TYPES = ("metric", "text", "log", "alarm", "explorer", "custom")
# Properties a widget of each type must have.
_REQUIRED = {"metric": ("region",), "text": ("markdown",), "log": ("query", "region")}

_moto_tag_resource = CloudWatchBackend.tag_resource
_moto_delete_dashboards = CloudWatchBackend.delete_dashboards


LIST_PAGE_SIZE = 1000  # ListDashboards' page in AWS


def install() -> None:
    CloudWatchResponse.put_dashboard = _respond_put_dashboard  # type: ignore[method-assign]
    CloudWatchResponse.list_dashboards = _list_dashboards  # type: ignore[method-assign]
    CloudWatchBackend.tag_resource = _tag_resource  # type: ignore[method-assign]
    CloudWatchBackend.delete_dashboards = _delete_dashboards  # type: ignore[method-assign]


def _list_dashboards(self: CloudWatchResponse) -> ActionResult:
    prefix = self._get_param("DashboardNamePrefix", "")
    entries = sorted(self.cloudwatch_backend.list_dashboards(prefix), key=lambda d: d.name)
    start = int(self._get_param("NextToken") or 0)
    end = start + LIST_PAGE_SIZE
    result: dict[str, Any] = {"DashboardEntries": entries[start:end]}
    if end < len(entries):
        result["NextToken"] = str(end)
    return ActionResult(result)


def validation_messages(body: Any) -> list[dict[str, str]]:
    """Problems of a dashboard body, as PutDashboard's DashboardValidationMessages list them."""
    if not isinstance(body, Mapping):
        return [_problem("", "Should be object")]
    widgets = body.get("widgets")
    if not isinstance(widgets, list):
        return [_problem("", "Should have required property 'widgets'")]
    problems: list[dict[str, str]] = []
    for index, widget in enumerate(widgets):
        problems += _widget_problems(f"/widgets/{index}", widget)
    return problems


def _widget_problems(path: str, widget: Any) -> list[dict[str, str]]:
    if not isinstance(widget, Mapping):
        return [_problem(path, "Should be object")]
    kind = widget.get("type")
    if kind not in WIDGET_TYPES:
        return [_problem(f"{path}/type", f"Should be equal to one of {list(WIDGET_TYPES)}")]
    problems = []
    width, height, x = widget.get("width", 6), widget.get("height", 6), widget.get("x")
    if not _integer_between(width, 1, GRID_COLUMNS):
        problems.append(_problem(f"{path}/width", f"Should be an integer from 1 to {GRID_COLUMNS}"))
    if not _integer_between(height, 1, MAX_HEIGHT):
        problems.append(_problem(f"{path}/height", f"Should be an integer from 1 to {MAX_HEIGHT}"))
    if x is not None and not _integer_between(x, 0, GRID_COLUMNS - 1):
        problems.append(_problem(f"{path}/x", f"Should be an integer from 0 to {GRID_COLUMNS - 1}"))
    elif isinstance(x, int) and isinstance(width, int) and x + width > GRID_COLUMNS:
        problems.append(_problem(path, f"Should fit the {GRID_COLUMNS}-column grid (x + width)"))
    if "y" in widget and not _integer_between(widget["y"], 0, None):
        problems.append(_problem(f"{path}/y", "Should be a non-negative integer"))
    properties = widget.get("properties")
    if not isinstance(properties, Mapping):
        return [*problems, _problem(path, "Should have required property 'properties'")]
    for name in _REQUIRED.get(str(kind), ()):
        if name not in properties:
            problems.append(
                _problem(f"{path}/properties", f"Should have required property '{name}'")
            )
    if kind == "metric" and "query" not in properties and "expression" not in properties:
        problems += _metric_problems(f"{path}/properties/metrics", properties.get("metrics"))
    if kind == "alarm":
        alarms = properties.get("alarms")
        if not isinstance(alarms, list) or not 1 <= len(alarms) <= MAX_ALARMS:
            problems.append(
                _problem(f"{path}/properties/alarms", f"Should have 1 to {MAX_ALARMS} items")
            )
    return problems


def _metric_problems(path: str, metrics: Any) -> list[dict[str, str]]:
    if not isinstance(metrics, list) or not metrics:
        return [_problem(path, "Should NOT have fewer than 1 items")]
    problems = []
    for index, row in enumerate(metrics):
        if not isinstance(row, list) or not row:
            problems.append(_problem(f"{path}/{index}", "Should be a non-empty array"))
            continue
        fields = row[:-1] if isinstance(row[-1], Mapping) else row
        if not all(isinstance(value, str) for value in fields):
            problems.append(_problem(f"{path}/{index}", "Should be strings and one options object"))
        elif not fields and "expression" not in row[-1]:
            problems.append(_problem(f"{path}/{index}", "Should name a metric or an expression"))
    return problems


def _integer_between(value: Any, low: int, high: int | None) -> bool:
    if not isinstance(value, int) or isinstance(value, bool):
        return False
    return low <= value and (high is None or value <= high)


def _problem(path: str, message: str) -> dict[str, str]:
    return {"DataPath": path, "Message": message}


def _respond_put_dashboard(self: CloudWatchResponse) -> ActionResult:
    name = self._get_param("DashboardName")
    text = self._get_param("DashboardBody")
    try:
        body = json.loads(text)
    except ValueError:
        raise DashboardInvalidInputError("Body is invalid JSON") from None
    problems = validation_messages(body)
    if problems:
        listed = "; ".join(f"{p['DataPath'] or '/'}: {p['Message']}" for p in problems)
        raise DashboardInvalidInputError(
            f"The dashboard body is invalid, there are {len(problems)} validation errors: {listed}"
        )
    backend = self.cloudwatch_backend
    created = name not in backend.dashboards
    dashboard = backend.put_dashboard(name, text)
    if created:
        tags = self._get_param("Tags", [])
        if tags:
            backend.tagger.tag_resource(dashboard.arn, tags)
    return ActionResult({"DashboardValidationMessages": []})


def _tag_resource(self: CloudWatchBackend, arn: str, tags: dict[str, str]) -> None:
    if any(dashboard.arn == arn for dashboard in self.dashboards.values()):
        self.tagger.tag_resource(arn, self.tagger.convert_dict_to_tags_input(tags))
        return
    _moto_tag_resource(self, arn, tags)


def _delete_dashboards(self: CloudWatchBackend, dashboards: list[str]) -> str | None:
    arns = [self.dashboards[name].arn for name in dashboards if name in self.dashboards]
    error = _moto_delete_dashboards(self, dashboards)
    if error is None:
        for arn in arns:
            self.tagger.delete_all_tags_for_resource(arn)
    return error
