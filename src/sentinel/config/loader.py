"""Load a config directory into one ``Config``: every error at once, each with file:line:col."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sentinel.config.checks_logs import check_log_groups
from sentinel.config.files import FILE_KINDS, PROJECT_FILE, config_files, skipped_files
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
    MetricRef,
    MonitorsFile,
    Project,
    RightSizing,
    Routing,
    Slo,
    SloReview,
    Tagging,
)
from sentinel.config.models.dashboards import AlarmStatusWidget, MetricWidget
from sentinel.config.models.log_groups import LogGroups
from sentinel.config.problems import problems_from_validation
from sentinel.config.references import References, Where, check_placeholder, placeholders
from sentinel.config.resource_tags import reserved_key_problem, tag_problems
from sentinel.config.self_monitoring import heartbeat_rules
from sentinel.config.units import format_duration
from sentinel.config.unused import unheard_budget_alerts, unused_routing
from sentinel.config.yaml_source import Position, YamlMap, YamlSyntaxError, locate, parse_yaml
from sentinel.errors import ConfigError, ConfigProblem, ConfigWarning
from sentinel.gc_pause import gc_paused

# A config file larger than this is refused before it is read: 10,000 alarm rules take ~2 MB.
MAX_FILE_BYTES = 5_000_000
# Replaces sentinel.yaml's store: a container gets its database URL (password and all) from a
# secret in the environment, never from a file baked into the image or mounted beside the config.
STORE_ENV = "SENTINEL_STORE"


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
    log_groups: list[LogGroups] = field(default_factory=list)
    sources: dict[tuple[str, str], str] = field(default_factory=dict)
    # Valid settings that do nothing and files that are not read; shown, never fatal.
    warnings: list[ConfigWarning] = field(default_factory=list)
    positions: dict[tuple[str, str], Where] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.project.project

    def source(self, kind: str, name: str) -> str:
        """``file:line`` where a named item is defined, for messages at plan time."""
        return self.sources.get((kind, name), str(self.root))


@gc_paused()
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

    warnings = [
        ConfigWarning(_display(skipped.path, root), 1, 1, f"not read: {skipped.reason}")
        for skipped in skipped_files(root)
    ]
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
    warnings.extend(_unused(parsed))
    if problems or config is None:
        raise ConfigError(problems, warnings)
    config.warnings = sorted(warnings)
    if os.environ.get(STORE_ENV):
        config.project = config.project.model_copy(update={"store": os.environ[STORE_ENV]})
    return config


def _unused(parsed: list[tuple[str, str, Any, BaseModel]]) -> list[ConfigWarning]:
    models = [model for _, _, _, model in parsed]
    detection = next(
        (
            m.anomaly_detection
            for m in models
            if isinstance(m, MonitorsFile) and m.anomaly_detection
        ),
        None,
    )
    routing = next((m for m in models if isinstance(m, Routing)), None)
    found: list[ConfigWarning] = []
    for _kind, file, data, model in parsed:
        if isinstance(model, Routing):
            found.extend(unused_routing(model, file, data, detection))
        if isinstance(model, BudgetsFile) and routing is not None:
            found.extend(unheard_budget_alerts(model, file, data, routing))
    return found


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(kind: str, path: Path, display: str) -> tuple[Any, BaseModel | None, list[ConfigProblem]]:
    text, problem = read_text(path, display)
    if problem is not None:
        return None, None, [problem]
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


def read_text(path: Path, display: str) -> tuple[str, ConfigProblem | None]:
    """The text of a config file, or why it cannot be read (never a partial read)."""

    def problem(message: str, line: int = 1, column: int = 1) -> tuple[str, ConfigProblem]:
        return "", ConfigProblem(display, line, column, message)

    if path.is_symlink() and not path.exists():
        return problem(f"cannot read file: a broken symbolic link to {os.readlink(path)}")
    try:
        if not path.is_file():  # a FIFO or a device would block or never end
            return problem("cannot read file: not a regular file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return problem(
                f"file is {size / 1e6:.1f} MB: a config file is at most "
                f"{MAX_FILE_BYTES / 1e6:.0f} MB; split it into several files"
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return problem(f"cannot read file: {exc.strerror or exc}")
    if len(raw) > MAX_FILE_BYTES:  # it grew while being read
        return problem(f"file is over {MAX_FILE_BYTES / 1e6:.0f} MB: split it into several files")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return problem(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded; "
            "save the file as UTF-8",
            line,
            column,
        )


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

    def check_aws_name(
        value: str | None, owner: str, templated: bool, file: str, data: Any, *loc: str | int
    ) -> None:
        """Placeholders in an ``aws_name`` are filled per resource: only under ``for_each``."""
        if value is None:
            return
        spot = where(file, data, *loc, "aws_name")
        for token in placeholders(value):
            message = check_placeholder(token)
            if message:
                refs.problems.append(spot.problem(message))
            elif not templated:
                refs.problems.append(
                    spot.problem(
                        f"placeholder {{{token}}} in aws_name: the {owner} has one name; "
                        "placeholders name each resource of a for_each"
                    )
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
            config.positions[(namespace, item.name)] = spot
            into.append(item)

    # First pass: everything that defines names.
    singletons: dict[str, Where] = {}
    for _kind, file, data, model in parsed:
        if isinstance(model, Project) and model.self_monitoring is not None:
            # The heartbeat alarms are alarm rules like those of alarms/*.yaml.
            spot = at_key(file, data, "self_monitoring")
            for rule in heartbeat_rules(model):
                refs.define("alarm", rule.name, spot, "alarm")
                config.sources[("alarm", rule.name)] = str(spot)
                config.positions[("alarm", rule.name)] = spot
                config.alarms.append(rule)
        elif isinstance(model, Routing):
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
                config.positions[("severity", name)] = at_key(file, data, "severities", name)
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
            collect(
                model.log_groups,
                config.log_groups,
                "log group",
                "log_groups entry",
                file,
                data,
                "log_groups",
            )
            for attribute in ("cost_report", "anomaly_detection", "rightsizing", "slo_review"):
                value = getattr(model, attribute)
                if value is not None:
                    _set_once(
                        config, attribute, value, at_key(file, data, attribute), singletons, refs
                    )

    # Second pass: everything that refers to names.
    log_group_owners: dict[str, tuple[str, Where]] = {}
    templates: dict[str, ForEach] = {
        r.name: r.for_each for r in config.alarms if r.for_each is not None
    } | {c.name: c.for_each for c in config.composites if c.for_each is not None}

    def check_tags(tags: dict[str, str], owner: str, file: str, data: Any, *loc: str | int) -> None:
        refs.problems.extend(
            tag_problems(tags, lambda key: at_key(file, data, *loc, "tags", key).problem, owner)
        )

    for _kind, file, data, model in parsed:
        if isinstance(model, Project):
            check_tags(model.tags, "project tags", file, data)
            if model.self_monitoring is not None:
                refs.require_severity(
                    model.self_monitoring.severity,
                    where(file, data, "self_monitoring", "severity"),
                )
        if isinstance(model, AlarmsFile):
            for i, composite in enumerate(model.composites):
                owner = f"composite {composite.name!r}"
                check_tags(composite.tags, owner, file, data, "composites", i)
                templated = composite.for_each is not None
                check_aws_name(composite.aws_name, owner, templated, file, data, "composites", i)
            for i, rule in enumerate(model.alarms):
                check_tags(rule.tags, f"alarm {rule.name!r}", file, data, "alarms", i)
                check_aws_name(
                    rule.aws_name,
                    f"alarm {rule.name!r}",
                    rule.for_each is not None,
                    file,
                    data,
                    "alarms",
                    i,
                )
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
                check_for_each(composite.for_each, file, data, "composites", i)
                spot = where(file, data, "composites", i, "rule")
                for name in refs.check_composite_rule(composite.rule, spot):
                    if not refs.require("alarm", name, spot, "alarm", " in rule"):
                        continue
                    template = templates.get(name)
                    if template is None or template == composite.for_each:
                        continue
                    if composite.for_each is None:
                        problem = (
                            f"alarm {name!r} is a template (for_each): a composite rule needs "
                            "one alarm, not one per resource: give the composite the same "
                            "for_each to have one composite per resource"
                        )
                    else:
                        problem = (
                            f"alarm {name!r} is a template with another for_each: a templated "
                            "composite uses the alarms of its own resource, so it needs the "
                            "same for_each as they have"
                        )
                    refs.problems.append(spot.problem(problem))
        elif isinstance(model, DashboardsFile):
            for d, dashboard in enumerate(model.dashboards):
                check_aws_name(
                    dashboard.aws_name,
                    f"dashboard {dashboard.name!r}",
                    False,
                    file,
                    data,
                    "dashboards",
                    d,
                )
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
                check_aws_name(
                    budget.aws_name, f"budget {budget.name!r}", False, file, data, "budgets", b
                )
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
                    reserved = reserved_key_problem(tag_rule.key)
                    if reserved and tag_rule.default is not None:
                        refs.problems.append(spot.problem(f"tag rule with a default: {reserved}"))
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
            check_log_groups(model, file, data, refs, where, log_group_owners)
            for s, slo in enumerate(model.slos):
                check_for_each(slo.for_each, file, data, "slos", s)
                for place, ref in _slo_metrics(slo):
                    check_template(
                        ref.dimensions,
                        slo.for_each is not None,
                        "SLO",
                        file,
                        data,
                        "slos",
                        s,
                        *place,
                        "dimensions",
                    )
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
            for severity_name, tier in model.severities.items():
                check_aws_name(
                    tier.aws_name,
                    f"severity {severity_name!r}",
                    False,
                    file,
                    data,
                    "severities",
                    severity_name,
                )
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


def _slo_metrics(slo: Slo) -> list[tuple[tuple[str, ...], MetricRef]]:
    """The SLI's metrics with their place under the SLO: ``(("availability", "errors"), ref)``."""
    found: list[tuple[tuple[str, ...], MetricRef]] = []
    for sli_key, sli, roles in (
        ("availability", slo.availability, ("errors", "good", "total")),
        ("latency", slo.latency, ("metric", "total")),
    ):
        for role in roles:
            ref = getattr(sli, role, None) if sli is not None else None
            if ref is not None:
                found.append(((sli_key, role), ref))
    return found


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
