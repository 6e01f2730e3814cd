"""Cost Explorer answers computed from a cost table: GetCostAndUsage, GetDimensionValues, GetTags.

Pure functions from (table, request as the API receives it, today) to the response body, with the
real API's semantics: TimePeriod End exclusive, DAILY and MONTHLY buckets (calendar months clipped
to the period), up to two GroupBy (tag groups keyed ``Key$value``, untagged ``Key$``), amounts as
decimal strings, the last days before today flagged Estimated, and paging by opaque tokens bound
to the request that issued them.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from sentinel.emulator.cost_errors import CostExplorerError
from sentinel.emulator.cost_filter import expression_mask
from sentinel.emulator.cost_table import (
    COST_METRICS,
    COST_UNIT,
    DIMENSION_COLUMNS,
    METRICS,
    CostTable,
    tag_column,
)

# Time periods per page of a grouped GetCostAndUsage answer.
GROUPED_PAGE_SIZE = 5
# Values per page of GetDimensionValues / GetTags when MaxResults is not given.
VALUES_PAGE_SIZE = 1000
# Days before today whose costs are still estimates.
ESTIMATED_DAYS = 2
MAX_GROUP_BY = 2
GRANULARITIES = ("DAILY", "MONTHLY")
_SUPPORTED_GRANULARITY_ERROR = "Granularity must be DAILY or MONTHLY (hourly data is not enabled)"


@dataclass(frozen=True)
class GroupDefinition:
    type: str
    key: str

    def labels(self, frame: pd.DataFrame) -> pd.Series:
        """The group key of every row: the dimension value, or ``Key$value`` for a tag."""
        if self.type == "DIMENSION":
            return frame[DIMENSION_COLUMNS[self.key]].astype(str)
        column = tag_column(self.key)
        if column not in frame.columns:
            return pd.Series([f"{self.key}$"] * len(frame), index=frame.index, dtype=object)
        return f"{self.key}$" + frame[column].fillna("").astype(str)


def get_cost_and_usage(table: CostTable, request: Mapping[str, Any], today: date) -> dict[str, Any]:
    """The GetCostAndUsage response body for ``request`` over ``table``."""
    start, end = _time_period(request)
    granularity = request.get("Granularity")
    if granularity not in GRANULARITIES:
        raise CostExplorerError.validation(_SUPPORTED_GRANULARITY_ERROR)
    metrics = _metrics(request)
    groups = _group_definitions(request)
    periods = time_periods(start, end, str(granularity))
    offset = _page_offset(request)
    if groups:
        page = periods[offset : offset + GROUPED_PAGE_SIZE]
        following = offset + GROUPED_PAGE_SIZE
        next_offset = following if following < len(periods) else None
    else:
        page, next_offset = periods[offset:], None
    if not page:
        raise _invalid_token()

    frame = _rows(table, page[0][0], page[-1][1], request.get("Filter"))
    starts = np.array([np.datetime64(s, "ns") for s, _ in page])
    frame = frame.assign(
        period_index=np.searchsorted(starts, frame["day"].to_numpy(), side="right") - 1
    )
    estimated_from = today - timedelta(days=ESTIMATED_DAYS)

    results = []
    if groups:
        keys = [f"group_{i}" for i in range(len(groups))]
        labelled = frame.assign(**{k: g.labels(frame) for k, g in zip(keys, groups, strict=True)})
        cells = _aggregate(labelled, ["period_index", *keys])
        by_bucket: dict[int, list[dict[str, Any]]] = {}
        for cell in cells.to_dict("records"):
            by_bucket.setdefault(int(cell["period_index"]), []).append(
                {"Keys": [cell[k] for k in keys], "Metrics": _metric_values(cell, metrics)}
            )
        for i, (period_start, period_end) in enumerate(page):
            results.append(
                _result(period_start, period_end, {}, by_bucket.get(i, []), estimated_from)
            )
    else:
        cells = _aggregate(frame, ["period_index"]).set_index("period_index")
        for i, (period_start, period_end) in enumerate(page):
            cell = cells.loc[i].to_dict() if i in cells.index else None
            results.append(
                _result(period_start, period_end, _metric_values(cell, metrics), [], estimated_from)
            )

    response: dict[str, Any] = {
        "ResultsByTime": results,
        "DimensionValueAttributes": _account_attributes(table, groups, results),
    }
    if groups:
        response["GroupDefinitions"] = [{"Type": g.type, "Key": g.key} for g in groups]
    if next_offset is not None:
        response["NextPageToken"] = _page_token(request, next_offset)
    return response


def get_dimension_values(table: CostTable, request: Mapping[str, Any]) -> dict[str, Any]:
    """The GetDimensionValues response body: values of one dimension with cost in the period."""
    start, end = _time_period(request)
    dimension = request.get("Dimension")
    column = DIMENSION_COLUMNS.get(str(dimension))
    if column is None:
        allowed = ", ".join(DIMENSION_COLUMNS)
        raise CostExplorerError.validation(
            f"Dimension {dimension} is not allowed. Allowed dimension(s): {allowed}"
        )
    if request.get("Context", "COST_AND_USAGE") != "COST_AND_USAGE":
        # No reservations or savings plans exist in the emulated account.
        return {"DimensionValues": [], "ReturnSize": 0, "TotalSize": 0}
    frame = _rows(table, start, end, request.get("Filter"))
    values = _ranked_values(frame, frame[column].astype(str), request)
    names = table.account_names()
    page, token = _values_page(values, request)
    entries = [
        {
            "Value": value,
            "Attributes": (
                {"description": names.get(value, "")} if dimension == "LINKED_ACCOUNT" else {}
            ),
        }
        for value in page
    ]
    response: dict[str, Any] = {
        "DimensionValues": entries,
        "ReturnSize": len(entries),
        "TotalSize": len(values),
    }
    if token:
        response["NextPageToken"] = token
    return response


def get_tags(table: CostTable, request: Mapping[str, Any]) -> dict[str, Any]:
    """The GetTags response body: tag keys, or the values of ``TagKey``, seen in the period."""
    start, end = _time_period(request)
    frame = _rows(table, start, end, request.get("Filter"))
    tag_key = request.get("TagKey")
    if tag_key:
        column = tag_column(str(tag_key))
        if column not in frame.columns:
            values: list[str] = []
        else:
            tagged = frame[frame[column].notna()]
            values = _ranked_values(tagged, tagged[column].astype(str), request)
    else:
        values = [
            key
            for key in table.tag_keys
            if frame[tag_column(key)].notna().any() and _searched(key, request)
        ]
    page, token = _values_page(values, request)
    response: dict[str, Any] = {"Tags": page, "ReturnSize": len(page), "TotalSize": len(values)}
    if token:
        response["NextPageToken"] = token
    return response


def format_amount(value: float) -> str:
    """An amount as Cost Explorer writes it: a decimal string, no exponent, no trailing zeros."""
    text = f"{value:.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _time_period(request: Mapping[str, Any]) -> tuple[date, date]:
    period = request.get("TimePeriod") or {}
    try:
        start = date.fromisoformat(str(period["Start"]))
        end = date.fromisoformat(str(period["End"]))
    except (KeyError, ValueError) as exc:
        raise CostExplorerError.validation("TimePeriod needs Start and End as YYYY-MM-DD") from exc
    if end <= start:
        raise CostExplorerError.validation(
            "Start date (and hour) should be before end date (and hour)"
        )
    return start, end


def _metrics(request: Mapping[str, Any]) -> list[str]:
    metrics = list(request.get("Metrics") or [])
    if not metrics:
        raise CostExplorerError.validation("Metrics is required")
    unknown = [m for m in metrics if m not in METRICS]
    if unknown:
        raise CostExplorerError.validation(
            f"Unsupported metric(s) {', '.join(unknown)}. Valid metrics: {', '.join(METRICS)}"
        )
    return metrics


def _group_definitions(request: Mapping[str, Any]) -> list[GroupDefinition]:
    raw = list(request.get("GroupBy") or [])
    if len(raw) > MAX_GROUP_BY:
        raise CostExplorerError.validation("You can only group by up to two different groups")
    groups = []
    for item in raw:
        kind, key = item.get("Type"), item.get("Key")
        if kind == "DIMENSION":
            if key not in DIMENSION_COLUMNS:
                allowed = ", ".join(DIMENSION_COLUMNS)
                raise CostExplorerError.validation(
                    f"Group Definition dimension {key} is invalid. Valid values are {allowed}"
                )
        elif kind == "TAG":
            if not key:
                raise CostExplorerError.validation("A TAG group needs a Key")
        else:
            raise CostExplorerError.validation(
                f"Group Definition type {kind} is invalid. Valid values are DIMENSION, TAG"
            )
        groups.append(GroupDefinition(str(kind), str(key)))
    if len(set(groups)) != len(groups):
        raise CostExplorerError.validation("Duplicate group definitions are not allowed")
    return groups


def time_periods(start: date, end: date, granularity: str) -> list[tuple[date, date]]:
    """The DAILY or MONTHLY periods from ``start`` to ``end`` (exclusive), the last one cut."""
    periods = []
    cursor = start
    while cursor < end:
        if granularity == "DAILY":
            boundary = cursor + timedelta(days=1)
        else:
            boundary = (cursor.replace(day=1) + timedelta(days=32)).replace(day=1)
        periods.append((cursor, min(boundary, end)))
        cursor = periods[-1][1]
    return periods


def _rows(
    table: CostTable, start: date, end: date, expression: Mapping[str, Any] | None
) -> pd.DataFrame:
    frame = table.frame
    days = frame["day"].to_numpy()
    lo, hi = np.searchsorted(days, [np.datetime64(start, "ns"), np.datetime64(end, "ns")])
    frame = frame.iloc[lo:hi]
    if expression:
        frame = frame[expression_mask(frame, expression)]
    return frame


def _aggregate(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return (
        frame.groupby(keys, sort=True)
        .agg(
            cost=("cost", "sum"),
            usage_quantity=("usage_quantity", "sum"),
            units=("usage_unit", "nunique"),
            usage_unit=("usage_unit", "first"),
        )
        .reset_index()
    )


def _metric_values(cell: Mapping[str, Any] | None, metrics: list[str]) -> dict[str, dict[str, str]]:
    values = {}
    for metric in metrics:
        if metric in COST_METRICS:
            amount = float(cell["cost"]) if cell else 0.0
            values[metric] = {"Amount": format_amount(amount), "Unit": COST_UNIT}
        else:
            amount = float(cell["usage_quantity"]) if cell else 0.0
            unit = str(cell["usage_unit"]) if cell and int(cell["units"]) == 1 else "N/A"
            values[metric] = {"Amount": format_amount(amount), "Unit": unit}
    return values


def _result(
    start: date,
    end: date,
    total: dict[str, Any],
    groups: list[dict[str, Any]],
    estimated_from: date,
) -> dict[str, Any]:
    return {
        "TimePeriod": {"Start": start.isoformat(), "End": end.isoformat()},
        "Total": total,
        "Groups": groups,
        "Estimated": end > estimated_from,
    }


def _account_attributes(
    table: CostTable, groups: list[GroupDefinition], results: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    positions = [
        i for i, g in enumerate(groups) if g.type == "DIMENSION" and g.key == "LINKED_ACCOUNT"
    ]
    if not positions:
        return []
    accounts = sorted(
        {group["Keys"][positions[0]] for result in results for group in result["Groups"]}
    )
    names = table.account_names()
    return [{"Value": a, "Attributes": {"description": names.get(a, "")}} for a in accounts]


def _searched(value: str, request: Mapping[str, Any]) -> bool:
    search = request.get("SearchString")
    return not search or str(search).lower() in value.lower()


def _ranked_values(frame: pd.DataFrame, labels: pd.Series, request: Mapping[str, Any]) -> list[str]:
    sort_by = list(request.get("SortBy") or [])
    if not sort_by:
        return sorted(v for v in set(labels) if _searched(v, request))
    if len(sort_by) > 1:
        raise CostExplorerError.validation("SortBy supports one sort definition")
    key, order = sort_by[0].get("Key"), sort_by[0].get("SortOrder", "ASCENDING")
    if key not in METRICS:
        raise CostExplorerError.validation(f"SortBy Key must be one of {', '.join(METRICS)}")
    column = "cost" if key in COST_METRICS else "usage_quantity"
    totals = frame[column].groupby(labels).sum()
    totals = totals[[_searched(v, request) for v in totals.index]]
    ranked = totals.sort_values(ascending=order != "DESCENDING", kind="stable")
    return [str(v) for v in ranked.index]


def _values_page(values: list[str], request: Mapping[str, Any]) -> tuple[list[str], str | None]:
    size = int(request.get("MaxResults") or VALUES_PAGE_SIZE)
    offset = _page_offset(request)
    page = values[offset : offset + size]
    token = _page_token(request, offset + size) if offset + size < len(values) else None
    return page, token


def _fingerprint(request: Mapping[str, Any]) -> str:
    body = {k: v for k, v in request.items() if k != "NextPageToken"}
    canonical = json.dumps(body, sort_keys=True, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()[:16]


def _page_token(request: Mapping[str, Any], offset: int) -> str:
    payload = json.dumps({"o": offset, "r": _fingerprint(request)}).encode()
    return base64.urlsafe_b64encode(payload).decode()


def _page_offset(request: Mapping[str, Any]) -> int:
    token = request.get("NextPageToken")
    if not token:
        return 0
    try:
        payload = json.loads(base64.urlsafe_b64decode(str(token).encode()))
        offset, fingerprint = int(payload["o"]), str(payload["r"])
    except (ValueError, KeyError, TypeError) as exc:
        raise _invalid_token() from exc
    if fingerprint != _fingerprint(request):
        raise CostExplorerError(
            "RequestChangedException",
            "Your request parameters changed between pages. Submit a new request.",
        )
    return offset


def _invalid_token() -> CostExplorerError:
    return CostExplorerError("InvalidNextTokenException", "The NextPageToken is invalid")
