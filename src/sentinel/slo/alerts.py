"""Burn-rate alarms of an SLO: multi-window, multi-burn-rate, as CloudWatch alarm parameters.

For each row of the windows table whose alert (page or ticket) the SLO routes, three alarms:
the long window and the short window, each a metric-math alarm whose period is the window and
whose expression is the burn rate ``(bad / total) / (1 - objective)``, and a composite alarm
``ALARM(long) AND ALARM(short)`` carrying the severity's actions. The long window's expression
is 0 below ``min_requests``, so an idle service's single failure never pages.

A period-based percentile SLO (``percentile: p95``) burns minutes, not requests: each window is
an "M of N" alarm on the percentile, firing when more periods than the burn rate allows were
over the threshold (CloudWatch evaluates at most a day of sub-hour periods, so windows longer
than a day count hours).

Names live under ``<project>/slo/``: they start with the project's name yet never with
``<project>-``, the prefix the alarm kinds read as their own rules' alarms.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sentinel.config.models.base import MetricRef
from sentinel.config.models.monitors import Slo
from sentinel.config.units import format_duration, parse_duration
from sentinel.naming import ALARM_NAME_LIMIT
from sentinel.slo.sli import PERCENTILE_PERIOD, count_stat, rank_stat
from sentinel.slo.windows import burn_rate_windows

TREAT_MISSING = "notBreaching"  # no traffic is no burn
MAX_SUBHOUR_RANGE = 86_400  # CloudWatch: periods under an hour evaluate at most one day
HOUR = 3600


def burn_rate_prefix(project: str) -> str:
    return f"{project}/slo/"


def burn_rate_name(project: str, *parts: str) -> str:
    name = burn_rate_prefix(project) + "/".join(parts)
    if len(name) <= ALARM_NAME_LIMIT:
        return name
    digest = hashlib.sha256(name.encode()).hexdigest()[:10]
    return f"{name[: ALARM_NAME_LIMIT - len(digest) - 1]}-{digest}"


@dataclass(frozen=True)
class BurnRateAlarm:
    """One alarm to write: PutMetricAlarm or (``composite``) PutCompositeAlarm parameters."""

    name: str
    composite: bool
    params: dict[str, Any] = field(hash=False)


def burn_rate_alarms(
    project: str,
    slo: Slo,
    actions: Mapping[str, Mapping[str, list[str]]],
    tags: Mapping[str, str],
) -> list[BurnRateAlarm]:
    """The SLO's alarms, each window's two metric alarms before the composite joining them.

    ``actions`` maps a severity to its ``alarm_actions``/``ok_actions``/
    ``insufficient_data_actions``; ``tags`` go on every alarm.
    """
    alerting = slo.alerting
    if alerting is None:
        return []
    severities = {"page": alerting.page, "ticket": alerting.ticket}
    tag_list = [{"Key": k, "Value": v} for k, v in sorted(tags.items())]
    period = parse_duration(slo.window)
    alarms: list[BurnRateAlarm] = []
    for row in burn_rate_windows():
        severity = severities[row.alert]
        if severity is None:
            continue
        factor = row.factor(period)
        share = f"{float(row.budget) * 100:g}%"
        base = f"{row.alert}-{row.long_label}"
        long_name = burn_rate_name(project, slo.name, base, "long")
        short_name = burn_rate_name(project, slo.name, base, "short")
        for name, role, window, guard in (
            (long_name, "long", row.long, alerting.min_requests),
            (short_name, "short", row.short, 0),
        ):
            params = _window_alarm(slo, name, window, factor, guard)
            params["AlarmDescription"] = (
                f"SLO {slo.name}: burn rate over {format_duration(window)} at or above {factor:g} "
                f"({share} of the {slo.window} error budget in {row.long_label}). The {role} "
                f"window of the {base} alert, which its composite routes to {severity}."
            )
            params["Tags"] = tag_list
            alarms.append(BurnRateAlarm(name, False, params))
        routed = actions.get(severity, {})
        composite: dict[str, Any] = {
            "AlarmName": burn_rate_name(project, slo.name, base),
            "AlarmDescription": (
                f"SLO {slo.name} ({slo.objective}% over {slo.window}): "
                f"{share} of the error budget burned within {row.long_label} "
                f"(burn rate {factor:g}x over {row.long_label} and {row.short_label})"
            ),
            "AlarmRule": f'ALARM("{long_name}") AND ALARM("{short_name}")',
            "ActionsEnabled": True,
            "AlarmActions": list(routed.get("alarm_actions", [])),
            "OKActions": list(routed.get("ok_actions", [])),
            "InsufficientDataActions": list(routed.get("insufficient_data_actions", [])),
            "Tags": tag_list,
        }
        alarms.append(BurnRateAlarm(str(composite["AlarmName"]), True, composite))
    return alarms


def _window_alarm(
    slo: Slo, name: str, window: int, factor: float, min_requests: int
) -> dict[str, Any]:
    common: dict[str, Any] = {
        "AlarmName": name,
        "ActionsEnabled": True,
        "AlarmActions": [],
        "OKActions": [],
        "InsufficientDataActions": [],
        "TreatMissingData": TREAT_MISSING,
    }
    if slo.latency is not None and slo.latency.percentile:
        return {**common, **_bad_periods_alarm(slo, window, factor)}
    metrics, bad_ratio, total = _burn_rate_inputs(slo, window)
    budget = 1.0 - float(slo.objective) / 100.0
    burn = f"({bad_ratio}) / {budget:g}"
    expression = f"IF({total} >= {min_requests}, {burn}, 0)" if min_requests > 0 else burn
    metrics.insert(
        0,
        {
            "Id": "burn",
            "Expression": expression,
            "Label": f"{slo.name} burn rate over {format_duration(window)}",
            "ReturnData": True,
        },
    )
    return {
        **common,
        "Metrics": metrics,
        "EvaluationPeriods": 1,
        "DatapointsToAlarm": 1,
        "Threshold": round(factor, 6),
        "ComparisonOperator": "GreaterThanOrEqualToThreshold",
    }


def _stat(query_id: str, ref: MetricRef, stat: str, period: int) -> dict[str, Any]:
    return {
        "Id": query_id,
        "MetricStat": {
            "Metric": {
                "Namespace": ref.namespace,
                "MetricName": ref.metric,
                "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(ref.dimensions.items())],
            },
            "Period": period,
            "Stat": stat,
        },
        "ReturnData": False,
    }


def _burn_rate_inputs(slo: Slo, window: int) -> tuple[list[dict[str, Any]], str, str]:
    """(metric queries, bad-ratio expression, total query id) with every period = ``window``."""
    if slo.availability is not None:
        sli = slo.availability
        total = _stat("total", sli.total, count_stat(sli.total), window)
        if sli.errors is not None:
            errors = _stat("errors", sli.errors, count_stat(sli.errors), window)
            # No 5xx datapoint in a period means no 5xx.
            return [errors, total], "FILL(errors, 0) / total", "total"
        assert sli.good is not None
        good = _stat("good", sli.good, count_stat(sli.good), window)
        return [good, total], "(total - FILL(good, 0)) / total", "total"
    latency = slo.latency
    assert latency is not None
    rank = _stat("fast", latency.metric, rank_stat(latency.metric_threshold), window)
    if latency.total is not None:
        total = _stat("total", latency.total, count_stat(latency.total), window)
    else:
        total = _stat("total", latency.metric, "SampleCount", window)
    return [rank, total], "(100 - fast) / 100", "total"


def _bad_periods_alarm(slo: Slo, window: int, factor: float) -> dict[str, Any]:
    """M of N periods over the threshold, with M the bad periods the burn rate allows."""
    latency = slo.latency
    assert latency is not None and latency.percentile
    period = latency.metric.period or PERCENTILE_PERIOD
    if window > MAX_SUBHOUR_RANGE and period < HOUR:
        period = HOUR
    period = min(period, window)
    periods = max(1, window // period)
    budget = 1.0 - float(slo.objective) / 100.0
    allowed = max(1, math.ceil(round(factor * budget * periods, 9)))
    ref = latency.metric
    return {
        "Namespace": ref.namespace,
        "MetricName": ref.metric,
        "Dimensions": [{"Name": k, "Value": v} for k, v in sorted(ref.dimensions.items())],
        "ExtendedStatistic": latency.percentile,
        "Period": period,
        "EvaluationPeriods": periods,
        "DatapointsToAlarm": min(allowed, periods),
        "Threshold": latency.metric_threshold,
        "ComparisonOperator": "GreaterThanThreshold",
    }
