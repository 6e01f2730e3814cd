"""The Lambda functions of one region judged: Compute Optimizer if enrolled, else REPORT lines."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sentinel.aws.session import SessionFactory
from sentinel.inventory import Resource
from sentinel.rightsizing import compute_optimizer
from sentinel.rightsizing.findings import Finding
from sentinel.rightsizing.lambda_logs import SOURCE, read_memory_use
from sentinel.rightsizing.lambda_memory import (
    COMPUTE_OPTIMIZER,
    assess_from_compute_optimizer,
    assess_from_logs,
)
from sentinel.rightsizing.not_enough_data import NotEnoughData
from sentinel.rightsizing.serverless_rules import lambda_rules

LAMBDA = "lambda:function"


@dataclass
class LambdaScan:
    source: str
    findings: list[Finding] = field(default_factory=list)
    not_enough_data: list[NotEnoughData] = field(default_factory=list)
    log_queries: int = 0

    def add(self, judged: Finding | NotEnoughData | None) -> None:
        if isinstance(judged, NotEnoughData):
            self.not_enough_data.append(judged)
        elif judged is not None:
            self.findings.append(judged)


def scan_functions(
    factory: SessionFactory,
    region: str,
    functions: Sequence[Resource],
    start: datetime,
    end: datetime,
    headroom: float,
    lookback: str,
    sleep: Callable[[float], None],
    page_size: int | None = None,
) -> LambdaScan:
    optimizer = factory.client("compute-optimizer", region=region)
    enrolled = compute_optimizer.enrollment(optimizer)
    if enrolled.active:
        found = compute_optimizer.recommendations(optimizer, [f.arn for f in functions], page_size)
        scan = LambdaScan(f"{COMPUTE_OPTIMIZER} ({enrolled.reason})")
        for function in functions:
            recommendation = found.get(compute_optimizer.unqualified(function.arn))
            if recommendation is None:
                scan.add(
                    NotEnoughData.of(
                        function, "Compute Optimizer has no recommendation", COMPUTE_OPTIMIZER
                    )
                )
            else:
                scan.add(assess_from_compute_optimizer(function, recommendation))
        return scan
    scan = LambdaScan(f"{SOURCE} ({enrolled.reason})")
    reading = read_memory_use(
        factory.client("logs", region=region),
        functions,
        start,
        end,
        lambda_rules().percentile,
        sleep=sleep,
        page_size=page_size,
    )
    scan.log_queries = reading.queries
    for function in functions:
        use = reading.uses.get(function.id)
        if use is None:
            reason = reading.missing.get(function.id, "no REPORT line")
            scan.add(NotEnoughData.of(function, reason, SOURCE))
        else:
            scan.add(assess_from_logs(function, use, headroom, lookback))
    return scan
