"""CloudWatch Logs as AWS answers it where moto is lenient.

- PutRetentionPolicy: AWS accepts only the documented retention values (1, 3, 5, 7, 14, 30, ...
  3653 days) and answers any other with InvalidParameterException; moto stores any number.
- PutMetricFilter: AWS replaces the filter of that name on the group (moto appends a second
  one) and refuses a group that does not exist (ResourceNotFoundException).
- DescribeMetricFilters: AWS answers in pages of ``limit`` (at most 50) with a ``nextToken``;
  moto answers everything at once and echoes the token back. AWS uses ``filterNamePrefix``
  only with a ``logGroupName``; moto filters by it without one.
- DeleteMetricFilter: AWS refuses a filter that does not exist; moto says nothing.
- DescribeLogGroups: AWS answers ``logGroupIdentifiers`` (up to 50 names or ARNs) with those
  groups only, and refuses it beside a name prefix or pattern; moto ignores it and lists every
  group.
"""

from __future__ import annotations

import json
from typing import Any

from moto.logs.exceptions import InvalidParameterException, ResourceNotFoundException
from moto.logs.metric_filters import MetricFilters
from moto.logs.models import LogsBackend
from moto.logs.responses import LogsResponse

from sentinel.config.models.log_groups import RETENTION_DAYS

_MARK = "_sentinel_retention"
MAX_FILTERS_PAGE = 50
MAX_IDENTIFIERS = 50  # DescribeLogGroups' logGroupIdentifiers maximum in the service model


def install() -> None:
    original = LogsBackend.put_retention_policy
    if getattr(original, _MARK, False):
        return

    def put_retention_policy(self: Any, log_group_name: str, retention_in_days: Any) -> None:
        if retention_in_days not in RETENTION_DAYS:
            raise InvalidParameterException(
                constraint=f"Member must satisfy enum value set: {list(RETENTION_DAYS)}",
                parameter="retentionInDays",
                value=retention_in_days,
            )
        original(self, log_group_name, retention_in_days)

    setattr(put_retention_policy, _MARK, True)
    LogsBackend.put_retention_policy = put_retention_policy  # type: ignore[method-assign]

    _install_metric_filters()
    _install_group_identifiers()


def _install_group_identifiers() -> None:
    original = LogsResponse.describe_log_groups

    def describe_log_groups(self: Any) -> str:
        identifiers = self._get_param("logGroupIdentifiers")
        if not identifiers:
            return str(original(self))
        if len(identifiers) > MAX_IDENTIFIERS:
            raise InvalidParameterException(
                constraint=f"Member must have length less than or equal to {MAX_IDENTIFIERS}",
                parameter="logGroupIdentifiers",
                value=len(identifiers),
            )
        given = [p for p in ("logGroupNamePrefix", "logGroupNamePattern") if self._get_param(p)]
        if given:
            raise InvalidParameterException(
                msg=f"logGroupIdentifiers cannot be specified with {', '.join(given)}"
            )
        wanted = set(identifiers)
        groups = [
            group.to_describe_dict()
            for name, group in sorted(self.logs_backend.groups.items())
            if name in wanted or group.arn in wanted
        ]
        return json.dumps({"logGroups": groups})

    LogsResponse.describe_log_groups = describe_log_groups  # type: ignore[method-assign]


def _install_metric_filters() -> None:
    original_add = MetricFilters.add_filter

    def add_filter(self: Any, name: str, pattern: str, group: str, transformations: Any) -> None:
        kept = [
            f for f in self.metric_filters if (f["filterName"], f["logGroupName"]) == (name, group)
        ]
        if kept:
            kept[0].update(filterPattern=pattern, metricTransformations=transformations)
            return
        original_add(self, name, pattern, group, transformations)

    MetricFilters.add_filter = add_filter  # type: ignore[method-assign, assignment]
    original_put = LogsBackend.put_metric_filter

    def put_metric_filter(
        self: Any, name: str, pattern: str, group: str, transformations: Any
    ) -> None:
        if group not in self.groups:
            raise ResourceNotFoundException("The specified log group does not exist.")
        original_put(self, name, pattern, group, transformations)

    LogsBackend.put_metric_filter = put_metric_filter  # type: ignore[method-assign, assignment]
    original_delete = LogsBackend.delete_metric_filter

    def delete_metric_filter(
        self: Any, filter_name: Any = None, log_group_name: Any = None
    ) -> None:
        if not any(
            (f["filterName"], f["logGroupName"]) == (filter_name, log_group_name)
            for f in self.filters.metric_filters
        ):
            raise ResourceNotFoundException("The specified resource does not exist.")
        original_delete(self, filter_name, log_group_name)

    LogsBackend.delete_metric_filter = delete_metric_filter  # type: ignore[method-assign]
    original_describe = LogsResponse.describe_metric_filters

    def describe_metric_filters(self: Any) -> str:
        group = self._get_param("logGroupName")
        if group is not None and group not in self.logs_backend.groups:
            raise ResourceNotFoundException("The specified log group does not exist.")
        if group is None and self._get_param("filterNamePrefix") is not None:
            params = json.loads(self.body)
            del params["filterNamePrefix"]
            self.body = json.dumps(params)
        limit = self._get_param("limit", MAX_FILTERS_PAGE)
        if not 1 <= int(limit) <= MAX_FILTERS_PAGE:
            raise InvalidParameterException(
                constraint=f"Member must have value less than or equal to {MAX_FILTERS_PAGE}",
                parameter="limit",
                value=limit,
            )
        answer = json.loads(original_describe(self))
        filters = answer["metricFilters"]
        token = self._get_param("nextToken")
        start = int(token) if token else 0
        page = filters[start : start + int(limit)]
        result: dict[str, Any] = {"metricFilters": page}
        if start + int(limit) < len(filters):
            result["nextToken"] = str(start + int(limit))
        return json.dumps(result)

    LogsResponse.describe_metric_filters = describe_metric_filters  # type: ignore[method-assign]
