"""Load a config directory into one ``Config``: every error at once, each with file:line:col."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sentinel.config.files import FILE_KINDS, PROJECT_FILE, config_files
from sentinel.config.models import (
    AlarmRule,
    AlarmsFile,
    AnomalyDetection,
    Budget,
    BudgetsFile,
    CompositeAlarm,
    CostReport,
    Dashboard,
    DashboardsFile,
    ForEach,
    MonitorsFile,
    Project,
    RightSizing,
    Routing,
    Slo,
    SloReview,
    Tagging,
)
from sentinel.config.models.dashboards import AlarmStatusWidget, MetricWidget
from sentinel.config.problems import problems_from_validation
from sentinel.config.references import References, Where, check_placeholder, placeholders
from sentinel.config.units import format_duration
from sentinel.config.yaml_source import Position, YamlMap, YamlSyntaxError, locate, parse_yaml
from sentinel.errors import ConfigError, ConfigProblem


@dataclass
class Config:
    """A whole, valid configuration: what the engines act on."""

    root: Path
    project: Project
    routing: Routing | None = None
    alarms: list[AlarmRule] = field(default_factory=list)
    composites: list[CompositeAlarm] = field(default_factory=list)
    dashboards: list[Dashboard] = field(default_factory=list)
    budgets: list[Budget] = field(default_factory=list)
    tagging: Tagging | None = None
    slos: list[Slo] = field(default_factory=list)
    cost_report: CostReport | None = None
    anomaly_detection: AnomalyDetection | None = None
    rightsizing: RightSizing | None = None
    slo_review: SloReview | None = None
    sources: dict[tuple[str, str], str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.project.project

    def source(self, kind: str, name: str) -> str:
        """``file:line`` where a named item is defined, for messages at plan time."""
        return self.sources.get((kind, name), str(self.root))


def load_config(root: str | Path, known_resource_types: Iterable[str] | None = None) -> Config:
    """Read and validate every file; raise ``ConfigError`` with all problems found."""
    root = Path(root)
    problems: list[ConfigProblem] = []
    if not root.is_dir():
        raise ConfigError([ConfigProblem(str(root), 1, 1, "config directory does not exist")])
    files = config_files(root)
    if not any(kind == "project" for kind, _ in files):
        where = _display(root / PROJECT_FILE, root)
        message = (
            "no sentinel.yaml: this directory holds no Sentinel configuration"
            if not files
            else "missing sentinel.yaml: it names the project (project: NAME)"
        )
        problems.append(ConfigProblem(where, 1, 1, message))

    parsed: list[tuple[str, str, Any, BaseModel]] = []
    broken: set[str] = set()
    for kind, path in files:
        display = _display(path, root)
        data, model, file_problems = _read(kind, path, display)
        problems.extend(file_problems)
        if model is not None:
            parsed.append((kind, display, data, model))
        else:
            broken.add(kind)

    config, more = _assemble(root, parsed, known_resource_types, broken)
    problems.extend(more)
    if problems or config is None:
        raise ConfigError(problems)
    return config


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(kind: str, path: Path, display: str) -> tuple[Any, BaseModel | None, list[ConfigProblem]]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        return None, None, [ConfigProblem(display, 1, 1, f"cannot read file: {exc}")]
    try:
        data = parse_yaml(text)
    except YamlSyntaxError as exc:
        return (
            None,
            None,
            [ConfigProblem(display, exc.position.line, exc.position.column, str(exc))],
        )
    model_class = FILE_KINDS[kind]
    if data is None:
        if kind == "project":
            return None, None, [ConfigProblem(display, 1, 1, "empty file: expected project: NAME")]
        data = YamlMap()
        data.position, data.key_positions, data.value_positions = Position(1, 1), {}, {}
    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else repr(data)
        return (
            data,
            None,
            [
                ConfigProblem(
                    display,
                    1,
                    1,
                    f"expected a mapping (key: value lines) at the top of the file, got {got}",
                )
            ],
        )
    try:
        return data, model_class.model_validate(data), []
    except ValidationError as exc:
        return data, None, problems_from_validation(exc, model_class, data, display)


def _assemble(
    root: Path,
    parsed: list[tuple[str, str, Any, BaseModel]],
    known_resource_types: Iterable[str] | None,
    broken: set[str],
) -> tuple[Config | None, list[ConfigProblem]]:
    # Names defined in a file that failed to load are unknown, not missing: no second error.
    defines = {"routing": "severity", "alarms": "alarm"}
    refs = References(incomplete={defines[kind] for kind in broken if kind in defines})
    project = next((m for k, _, _, m in parsed if k == "project"), None)
    # An invalid sentinel.yaml is reported already; the other files are still checked.
    valid_project = isinstance(project, Project)
    config = Config(
        root=root, project=project if isinstance(project, Project) else Project(project="unnamed")
    )
    if known_resource_types is None:
        from sentinel.inventory import KNOWN_RESOURCE_TYPES

        known_resource_types = KNOWN_RESOURCE_TYPES
    known_types = list(known_resource_types)

    def where(file: str, data: Any, *loc: str | int) -> Where:
        return Where(file, locate(data, tuple(loc)))

    def at_key(file: str, data: Any, *loc: str | int) -> Where:
        return Where(file, locate(data, tuple(loc), at_key=True))

    def check_for_each(fe: ForEach | None, file: str, data: Any, *loc: str | int) -> None:
        if fe is not None:
            refs.require_resource_type(
                fe.resource, where(file, data, *loc, "for_each", "resource"), known_types
            )

    def check_template(
        values: dict[str, str], templated: bool, owner: str, file: str, data: Any, *loc: str | int
    ) -> None:
        for key, value in values.items():
            for token in placeholders(value):
                spot = where(file, data, *loc, key)
                message = check_placeholder(token)
                if message:
                    refs.problems.append(spot.problem(message))
                elif not templated:
                    refs.problems.append(
                        spot.problem(f"placeholder {{{token}}} needs `for_each` on the {owner}")
                    )

    def collect(
        items: list[Any],
        into: list[Any],
        namespace: str,
        label: str,
        file: str,
        data: Any,
        section: str,
    ) -> None:
        """Define each item's name (duplicates are errors), remember where, and keep it."""
        for i, item in enumerate(items):
            spot = where(file, data, section, i, "name")
            refs.define(namespace, item.name, spot, label)
            config.sources[(namespace, item.name)] = str(spot)
            into.append(item)

    # First pass: everything that defines names.
    singletons: dict[str, Where] = {}
    for _kind, file, data, model in parsed:
        if isinstance(model, Routing):
            if config.routing is not None:
                refs.problems.append(
                    where(file, data).problem(
                        "a second routing file: severities are defined once, in alarms/routing.yaml"
                    )
                )
                continue
            config.routing = model
            for name in model.severities:
                refs.define(
                    "severity", name, Where(file, data.key_positions["severities"]), "severity"
                )
        elif isinstance(model, AlarmsFile):
            collect(model.alarms, config.alarms, "alarm", "alarm", file, data, "alarms")
            collect(model.composites, config.composites, "alarm", "alarm", file, data, "composites")
        elif isinstance(model, DashboardsFile):
            collect(
                model.dashboards,
                config.dashboards,
                "dashboard",
                "dashboard",
                file,
                data,
                "dashboards",
            )
        elif isinstance(model, BudgetsFile):
            collect(model.budgets, config.budgets, "budget", "budget", file, data, "budgets")
            if model.tagging is not None:
                _set_once(
                    config,
                    "tagging",
                    model.tagging,
                    at_key(file, data, "tagging"),
                    singletons,
                    refs,
                )
        elif isinstance(model, MonitorsFile):
            collect(model.slos, config.slos, "slo", "SLO", file, data, "slos")
            for attribute in ("cost_report", "anomaly_detection", "rightsizing", "slo_review"):
                value = getattr(model, attribute)
                if value is not None:
                    _set_once(
                        config, attribute, value, at_key(file, data, attribute), singletons, refs
                    )

    # Second pass: everything that refers to names.
    templated_alarms = {r.name for r in config.alarms if r.for_each is not None}
    for _kind, file, data, model in parsed:
        if isinstance(model, AlarmsFile):
            for i, rule in enumerate(model.alarms):
                refs.require_severity(rule.severity, where(file, data, "alarms", i, "severity"))
                check_for_each(rule.for_each, file, data, "alarms", i)
                check_template(
                    rule.dimensions,
                    rule.for_each is not None,
                    "alarm",
                    file,
                    data,
                    "alarms",
                    i,
                    "dimensions",
                )
                for key, metric in rule.metrics.items():
                    check_template(
                        metric.dimensions,
                        rule.for_each is not None,
                        "alarm",
                        file,
                        data,
                        "alarms",
                        i,
                        "metrics",
                        key,
                        "dimensions",
                    )
                if valid_project or (rule.period and rule.for_ is not None):
                    in_rule = functools.partial(where, file, data, "alarms", i)
                    _check_evaluation(rule, config.project, refs, in_rule)
            for i, composite in enumerate(model.composites):
                refs.require_severity(
                    composite.severity, where(file, data, "composites", i, "severity")
                )
                spot = where(file, data, "composites", i, "rule")
                for name in refs.check_composite_rule(composite.rule, spot):
                    if (
                        refs.require("alarm", name, spot, "alarm", " in rule")
                        and name in templated_alarms
                    ):
                        refs.problems.append(
                            spot.problem(
                                f"alarm {name!r} is a template (for_each): a composite rule "
                                "needs one alarm, not one per resource"
                            )
                        )
        elif isinstance(model, DashboardsFile):
            for d, dashboard in enumerate(model.dashboards):
                for r, row in enumerate(dashboard.rows):
                    check_for_each(row.for_each, file, data, "dashboards", d, "rows", r)
                    for w, widget in enumerate(row.widgets):
                        loc = ("dashboards", d, "rows", r, "widgets", w)
                        if isinstance(widget, AlarmStatusWidget):
                            if widget.severity:
                                refs.require_severity(
                                    widget.severity, where(file, data, *loc, "severity")
                                )
                            for a, name in enumerate(widget.alarms):
                                refs.require(
                                    "alarm", name, where(file, data, *loc, "alarms", a), "alarm"
                                )
                        elif isinstance(widget, MetricWidget):
                            check_for_each(widget.for_each, file, data, *loc)
                            templated = widget.for_each is not None or row.for_each is not None
                            for m, line in enumerate(widget.metrics):
                                check_template(
                                    line.dimensions,
                                    templated,
                                    "widget or its row",
                                    file,
                                    data,
                                    *loc,
                                    "metrics",
                                    m,
                                    "dimensions",
                                )
        elif isinstance(model, BudgetsFile):
            for b, budget in enumerate(model.budgets):
                for n, name in enumerate(budget.notify):
                    refs.require_subscriber(name, where(file, data, "budgets", b, "notify", n))
                for a, alert in enumerate(budget.alerts):
                    for n, name in enumerate(alert.notify):
                        refs.require_subscriber(
                            name, where(file, data, "budgets", b, "alerts", a, "notify", n)
                        )
            if model.tagging is not None:
                seen: set[str] = set()
                for t, tag_rule in enumerate(model.tagging.required):
                    spot = where(file, data, "tagging", "required", t, "key")
                    if tag_rule.key in seen:
                        refs.problems.append(
                            spot.problem(f"duplicate tag rule for key {tag_rule.key!r}")
                        )
                    seen.add(tag_rule.key)
                    for r, resource in enumerate(tag_rule.resources):
                        refs.require_resource_type(
                            resource,
                            where(file, data, "tagging", "required", t, "resources", r),
                            known_types,
                        )
                for r, resource in enumerate(model.tagging.resources):
                    refs.require_resource_type(
                        resource, where(file, data, "tagging", "resources", r), known_types
                    )
        elif isinstance(model, MonitorsFile):
            for s, slo in enumerate(model.slos):
                if slo.alerting is not None:
                    for key in ("page", "ticket"):
                        severity = getattr(slo.alerting, key)
                        if severity:
                            refs.require_severity(
                                severity, where(file, data, "slos", s, "alerting", key)
                            )
            if model.anomaly_detection and model.anomaly_detection.severity:
                refs.require_severity(
                    model.anomaly_detection.severity,
                    where(file, data, "anomaly_detection", "severity"),
                )
        elif isinstance(model, Routing):
            for w, window in enumerate(model.maintenance):
                for a, pattern in enumerate(window.alarms):
                    if not any(ch in pattern for ch in "*?[") and pattern not in refs.defined(
                        "alarm"
                    ):
                        refs.require(
                            "alarm",
                            pattern,
                            where(file, data, "maintenance", w, "alarms", a),
                            "alarm",
                        )
    return (config if valid_project else None), refs.problems


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


def _set_once(
    config: Config,
    attribute: str,
    value: Any,
    spot: Where,
    singletons: dict[str, Where],
    refs: References,
) -> None:
    if attribute in singletons:
        refs.problems.append(
            spot.problem(f"{attribute} is defined twice (first at {singletons[attribute]})")
        )
        return
    singletons[attribute] = spot
    setattr(config, attribute, value)
