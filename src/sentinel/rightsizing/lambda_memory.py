"""Judging a Lambda function's memory: from its REPORT lines, or Compute Optimizer's finding.

From the logs: the memory wanted keeps the headroom free above the high percentile (p99 by
default) of the invocations' Max Memory Used, rounded up to the rules' step and kept within
Lambda's 128-10,240 MB. A function that reached its memory size is under-provisioned whatever
its percentile says. The monthly cost is the billed GB-seconds of the lookback, brought to a
month, at the architecture's rate; the same durations are assumed at the new size (CPU scales
with memory, so a CPU-bound function may run longer on less).

From Compute Optimizer: its finding, first-ranked memory option and estimated monthly saving.
"""

from __future__ import annotations

import math
from typing import Any

from sentinel.inventory import Resource
from sentinel.rightsizing import prices
from sentinel.rightsizing.findings import Finding, FindingKind
from sentinel.rightsizing.lambda_logs import SOURCE, MemoryUse
from sentinel.rightsizing.not_enough_data import NotEnoughData
from sentinel.rightsizing.rules import rules
from sentinel.rightsizing.serverless_rules import lambda_rules

COMPUTE_OPTIMIZER = "Compute Optimizer"
MB_PER_GB = 1024  # Lambda bills memory in GB of 1,024 MB (128 MB = 0.125 GB)


def architecture(function: Resource) -> str:
    found = function.attributes.get("architectures") or ["x86_64"]
    return str(found[0])


def memory_wanted(used_mb: float, headroom: float) -> int:
    """The smallest size on the rules' step holding ``used_mb`` with ``headroom`` % free."""
    rule = lambda_rules()
    needed = used_mb / (1 - headroom / 100.0)
    size = math.ceil(needed / rule.step_mb) * rule.step_mb
    return int(min(max(size, rule.min_mb), rule.max_mb))


def _finding(function: Resource, kind: FindingKind, **fields: Any) -> Finding:
    return Finding(
        resource_type=function.type,
        resource_id=function.id,
        name=function.name,
        region=function.region,
        kind=kind,
        **fields,
    )


def assess_from_logs(
    function: Resource, use: MemoryUse, headroom: float, lookback: str
) -> Finding | NotEnoughData | None:
    rule = lambda_rules()
    memory = int(function.attributes.get("memory_size") or use.memory_mb or 0)
    if use.invocations < rule.min_invocations:
        return NotEnoughData.of(
            function,
            f"{use.invocations} invocations in the {lookback}, {rule.min_invocations} needed",
            SOURCE,
        )
    if not memory:
        return None
    arch = architecture(function)
    wanted = memory_wanted(use.high_used_mb, headroom)
    full = use.max_used_mb >= memory
    if full:
        wanted = max(wanted, min(memory + rule.step_mb, rule.max_mb))
    if wanted == memory:
        return None
    kind = FindingKind.UNDER if wanted > memory else FindingKind.OVER
    rate = prices.lambda_gb_second(function.region, arch)
    gb_seconds = use.billed_seconds * rules().hours_per_month / use.hours

    def monthly(size_mb: int) -> float | None:
        return None if rate is None else round(gb_seconds * size_mb / MB_PER_GB * rate, 2)

    percentile = f"p{rule.percentile:g}"
    evidence = (
        f"{percentile} of Max Memory Used {use.high_used_mb:.0f} MB (max {use.max_used_mb:.0f} "
        f"MB) of {memory} MB over {use.invocations:,} invocations; {wanted} MB keeps "
        f"{headroom:g}% headroom"
    )
    notes: list[str] = []
    if full:
        notes.append("reached its memory size: out-of-memory failures likely")
    if kind is FindingKind.OVER:
        notes.append("CPU scales with memory: check the duration after the change")
    return _finding(
        function,
        kind,
        current=f"{memory} MB {arch}",
        recommended=f"{wanted} MB",
        monthly_cost=monthly(memory),
        recommended_cost=monthly(wanted),
        evidence=evidence,
        notes=tuple(notes),
        source=SOURCE,
    )


def _metric(recommendation: dict[str, Any], name: str, statistic: str) -> float | None:
    for metric in recommendation.get("utilizationMetrics", []):
        if metric.get("name") == name and metric.get("statistic") == statistic:
            return float(metric["value"])
    return None


def assess_from_compute_optimizer(
    function: Resource, recommendation: dict[str, Any]
) -> Finding | NotEnoughData | None:
    finding = recommendation.get("finding")
    reasons = list(recommendation.get("findingReasonCodes", []))
    if finding == "Unavailable":
        why = ", ".join(reasons) or "no recommendation"
        return NotEnoughData.of(function, f"Compute Optimizer: {why}", COMPUTE_OPTIMIZER)
    if finding != "NotOptimized":
        return None
    options = sorted(
        recommendation.get("memorySizeRecommendationOptions", []), key=lambda o: o.get("rank", 0)
    )
    if not options:
        return None
    best = options[0]
    memory = int(recommendation.get("currentMemorySize") or function.attributes["memory_size"])
    wanted = int(best["memorySize"])
    kind = FindingKind.UNDER if "MemoryUnderprovisioned" in reasons else FindingKind.OVER
    saving = (best.get("savingsOpportunity") or {}).get("estimatedMonthlySavings") or {}
    stated = float(saving["value"]) if kind is FindingKind.OVER and "value" in saving else None
    used = _metric(recommendation, "Memory", "Maximum")
    duration = _metric(recommendation, "Duration", "Average")
    parts = [f"memory max {used:.0f} MB of {memory} MB" if used is not None else None]
    parts.append(f"{int(recommendation.get('numberOfInvocations', 0)):,} invocations")
    parts.append(f"duration average {duration:.0f} ms" if duration is not None else None)
    days = recommendation.get("lookbackPeriodInDays")
    evidence = f"Compute Optimizer over {days:g} days: " if days else "Compute Optimizer: "
    evidence += ", ".join(p for p in parts if p)
    return _finding(
        function,
        kind,
        current=f"{memory} MB {architecture(function)}",
        recommended=f"{wanted} MB",
        monthly_cost=None,
        recommended_cost=None,
        evidence=evidence,
        notes=tuple(r for r in reasons if not r.startswith("Memory")),
        source=COMPUTE_OPTIMIZER,
        stated_saving=stated,
    )
