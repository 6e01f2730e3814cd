"""``alarms/*.yaml``: alarm rules, composite alarms and event rules."""

from __future__ import annotations

import functools
from collections.abc import Callable

from sentinel.config.assembly import Assembly, Source
from sentinel.config.checks_composites import check_composites
from sentinel.config.checks_events import check_events
from sentinel.config.composite_aggregates import without_aggregates
from sentinel.config.kinds.base import FileKind
from sentinel.config.models import AlarmRule, AlarmsFile, CompositeAlarm, Project
from sentinel.config.references import References, Where
from sentinel.config.units import format_duration


class AlarmsFileKind(FileKind[AlarmsFile]):
    name = "alarms"
    model = AlarmsFile
    pattern = "alarms/*.yaml"
    defines = ("alarm",)

    def define(self, model: AlarmsFile, source: Source, build: Assembly) -> None:
        build.collect(model.alarms, build.config.alarms, "alarm", "alarm", source, "alarms")
        build.collect(
            model.composites, build.config.composites, "alarm", "alarm", source, "composites"
        )
        build.collect(model.events, build.config.events, "event", "event rule", source, "events")

    def check(self, model: AlarmsFile, source: Source, build: Assembly) -> None:
        for i, composite in enumerate(model.composites):
            owner = f"composite {composite.name!r}"
            build.check_tags(composite.tags, owner, source, "composites", i)
            templated = composite.for_each is not None
            build.check_aws_name(composite.aws_name, owner, templated, source, "composites", i)
        for i, rule in enumerate(model.alarms):
            _check_rule(rule, source, build, i)
        for i, composite in enumerate(model.composites):
            _check_composite(composite, source, build, i)
        check_composites(model, source, build)
        check_events(model, source, build)


def _check_rule(rule: AlarmRule, source: Source, build: Assembly, i: int) -> None:
    owner = f"alarm {rule.name!r}"
    templated = rule.for_each is not None
    build.check_tags(rule.tags, owner, source, "alarms", i)
    build.check_aws_name(rule.aws_name, owner, templated, source, "alarms", i)
    if rule.severity is not None:
        build.refs.require_severity(rule.severity, source.where("alarms", i, "severity"))
    build.check_for_each(rule.for_each, source, "alarms", i)
    build.check_template(rule.dimensions, templated, "alarm", source, "alarms", i, "dimensions")
    for key, metric in rule.metrics.items():
        build.check_template(
            metric.dimensions,
            templated,
            "alarm",
            source,
            "alarms",
            i,
            "metrics",
            key,
            "dimensions",
        )
    if build.valid_project or (rule.period and rule.for_ is not None):
        in_rule = functools.partial(source.where, "alarms", i)
        _check_evaluation(rule, build.config.project, build.refs, in_rule)


def _check_composite(composite: CompositeAlarm, source: Source, build: Assembly, i: int) -> None:
    build.refs.require_severity(composite.severity, source.where("composites", i, "severity"))
    build.check_for_each(composite.for_each, source, "composites", i)
    spot = source.where("composites", i, "rule")
    for name in build.refs.check_composite_rule(without_aggregates(composite.rule), spot):
        if not build.refs.require("alarm", name, spot, "alarm", " in rule"):
            continue
        template = build.templates.get(name)
        if template is None or template == composite.for_each:
            continue
        if composite.for_each is None:
            problem = (
                f"alarm {name!r} is a template (for_each): a composite rule needs "
                "one alarm, not one per resource: give the composite the same "
                "for_each to have one composite per resource, or aggregate them: "
                f"ALARM(any {name}), ALARM(all {name}) or count(ALARM({name})) >= 2"
            )
        else:
            problem = (
                f"alarm {name!r} is a template with another for_each: a templated "
                "composite uses the alarms of its own resource, so it needs the "
                "same for_each as they have"
            )
        build.problem(spot, problem)


def _check_evaluation(
    rule: AlarmRule, project: Project, refs: References, spot: Callable[..., Where]
) -> None:
    """``for`` is a whole number of periods, and datapoints_to_alarm fits in it."""
    period = rule.period or project.defaults.alarms.period
    window = rule.for_ if rule.for_ is not None else project.defaults.alarms.for_
    defaulted = [
        f"`{key}`" for key, own in (("for", rule.for_), ("period", rule.period)) if not own
    ]
    if window is None:
        defaulted = [key for key in defaulted if key != "`for`"]
    # Say where a value the rule does not set comes from.
    origin = f"; {' and '.join(defaulted)} from `defaults.alarms`" if defaulted else ""
    if window is not None and window % period:
        refs.problems.append(
            spot("for").problem(
                f"`for` ({format_duration(window)}) of alarm {rule.name!r} must be a whole "
                f"number of periods ({format_duration(period)}){origin}"
            )
        )
        return
    periods = (window // period) if window else 1
    if rule.datapoints_to_alarm is not None and rule.datapoints_to_alarm > periods:
        why = (
            f"for {format_duration(window)} / period {format_duration(period)}"
            if window
            else "no `for`: one period"
        )
        refs.problems.append(
            spot("datapoints_to_alarm").problem(
                f"datapoints_to_alarm ({rule.datapoints_to_alarm}) of alarm {rule.name!r} "
                f"exceeds its evaluation periods ({periods}: {why}){origin if window else ''}"
            )
        )
    # PutMetricAlarm: period x evaluation periods <= 7 days, and <= 1 day for periods under 1h.
    limit = 7 * 86400 if period >= 3600 else 86400
    if periods * period > limit:
        refs.problems.append(
            spot("for").problem(
                f"alarm {rule.name!r} evaluates over {format_duration(periods * period)}: "
                "CloudWatch allows at most 7 days, and 1 day with a period under 1h" + origin
            )
        )
