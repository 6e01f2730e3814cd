"""Validate-time checks of ``events:``: preset or pattern, options, names, severities."""

from __future__ import annotations

import json

from sentinel.config.assembly import Assembly, Source
from sentinel.config.event_patterns import pattern_problems, put_rule_limits, rule_name_pattern
from sentinel.config.event_presets import presets
from sentinel.config.models.alarms import AlarmsFile
from sentinel.config.problems import suggest
from sentinel.config.references import Where
from sentinel.naming import event_rule_name


def check_events(model: AlarmsFile, source: Source, build: Assembly) -> None:
    """Every problem of every event rule of one file, each at its file:line:col."""
    known = presets()
    refs = build.refs
    project = build.config.project.project
    name_limit = int(put_rule_limits("Name")["max"])
    for i, rule in enumerate(model.events):

        def spot(*loc: str | int, i: int = i) -> Where:
            return source.where("events", i, *loc)

        refs.require_severity(rule.severity, spot("severity"))
        name = event_rule_name(project, rule.name)
        if len(name) > name_limit or not rule_name_pattern().fullmatch(name):
            refs.problems.append(
                spot("name").problem(
                    f"event rule name {name!r} ({len(name)} characters) is too long: EventBridge "
                    f"takes at most {name_limit}, project prefix included"
                    if len(name) > name_limit
                    else f"event rule name {name!r}: EventBridge takes letters, digits, '.', '-' "
                    "and '_'"
                )
            )
        if (rule.preset is None) == (rule.pattern is None):
            both = rule.preset is not None
            refs.problems.append(
                spot().problem(
                    f"event rule {rule.name!r} has "
                    + (
                        "both `preset` and `pattern`: give one"
                        if both
                        else "neither `preset` nor "
                        f"`pattern`: give one (presets: {', '.join(sorted(known))})"
                    )
                )
            )
            continue
        if rule.preset is not None:
            preset = known.get(rule.preset)
            if preset is None:
                hint = (
                    suggest(rule.preset, known) or f"; expected one of {', '.join(sorted(known))}"
                )
                refs.problems.append(
                    spot("preset").problem(f"unknown preset {rule.preset!r}{hint}")
                )
                continue
            regions = build.config.project.regions
            if preset.regions and not any(preset.lives_in(r) for r in regions):
                refs.problems.append(
                    spot("preset").problem(
                        f"preset {rule.preset!r}: AWS delivers these events to EventBridge in "
                        f"{' and '.join(preset.regions)} only, which sentinel.yaml's regions "
                        f"({', '.join(regions)}) do not list: add it there"
                    )
                )
            for key, value in rule.options.items():
                option = preset.options.get(key)
                if option is None:
                    takes = (
                        f"; it takes {', '.join(sorted(preset.options))}"
                        if preset.options
                        else "; it takes no options"
                    )
                    hint = suggest(key, preset.options) or takes
                    refs.problems.append(
                        spot("options", key).problem(
                            f"preset {rule.preset!r} has no option {key!r}{hint}"
                        )
                    )
                    continue
                message = option.problem(value)
                if message:
                    refs.problems.append(spot("options", key).problem(message))
            continue
        if rule.options:
            refs.problems.append(
                spot("options").problem("`options` are a preset's: a raw `pattern` takes none")
            )
        pattern = rule.pattern
        if isinstance(pattern, str):
            try:
                pattern = json.loads(pattern)
            except json.JSONDecodeError as exc:
                refs.problems.append(
                    spot("pattern").problem(f"pattern is not valid JSON: {exc.msg} at {exc.pos}")
                )
                continue
        for message in pattern_problems(pattern):
            refs.problems.append(spot("pattern").problem(f"invalid event pattern: {message}"))
