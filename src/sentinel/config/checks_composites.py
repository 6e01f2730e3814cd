"""Checks of the aggregates in composite rules: ``ALARM(any x)``, ``count(ALARM(x)) >= 2``.

An aggregate needs a templated rule (one alarm per resource) to aggregate, and a form
CloudWatch's rule language has; the rest of the rule is checked as a plain rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel.config.assembly import Assembly, Source
from sentinel.config.composite_aggregates import find_aggregates

if TYPE_CHECKING:
    from sentinel.config.models import AlarmsFile


def check_composites(model: AlarmsFile, source: Source, build: Assembly) -> None:
    for i, composite in enumerate(model.composites):
        spot = source.where("composites", i, "rule")
        for aggregate in find_aggregates(composite.rule):
            written = aggregate.text.strip()
            problem = aggregate.problem()
            if problem:
                build.problem(spot, f"composite {composite.name!r}: {problem}")
                continue
            if not build.refs.require("alarm", aggregate.name, spot, "alarm", f" in {written}"):
                continue
            if aggregate.name not in build.templates:
                plain = f"{aggregate.state}({aggregate.name})"
                build.problem(
                    spot,
                    f"composite {composite.name!r}: {written} aggregates the alarms of a "
                    f"templated rule (for_each), and alarm {aggregate.name!r} is one alarm: "
                    f"write {plain}",
                )
            elif aggregate.name == composite.name:
                build.problem(spot, f"composite {composite.name!r}: {written} uses itself")
