"""EventBridge rule presets: named patterns with a few options, read from one data file."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

PRESETS_FILE = "event_presets.yaml"


@dataclass(frozen=True)
class PresetOption:
    name: str
    at: tuple[str, ...]
    as_: str
    type: str
    template: str | None = None
    default: Any = None
    choices: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None

    def problem(self, value: Any) -> str | None:
        """Why ``value`` does not fit the option, or None."""
        if self.type == "number":
            if isinstance(value, bool) or not isinstance(value, int | float):
                return f"option {self.name!r} takes a number"
            if (self.min is not None and value < self.min) or (
                self.max is not None and value > self.max
            ):
                return f"option {self.name!r} is between {self.min:g} and {self.max:g}"
            return None
        if (
            not isinstance(value, list)
            or not value
            or not all(isinstance(v, str) and v for v in value)
        ):
            return f"option {self.name!r} takes a non-empty list of names"
        wrong = [v for v in value if self.choices and v not in self.choices]
        if wrong:
            return f"option {self.name!r}: {wrong[0]!r} is not one of {', '.join(self.choices)}"
        return None

    def matchers(self, value: Any) -> list[Any]:
        if self.as_ == "at-least":
            return [{"numeric": [">=", value]}]
        if self.as_ == "wildcard":
            assert self.template is not None
            return [{"wildcard": self.template.replace("{value}", v)} for v in value]
        return list(value)


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    pattern: dict[str, Any]
    options: dict[str, PresetOption] = field(default_factory=dict)
    # The only regions whose EventBridge receives these events (empty: every region).
    regions: tuple[str, ...] = ()

    def lives_in(self, region: str) -> bool:
        return not self.regions or region in self.regions

    def build(self, given: dict[str, Any]) -> dict[str, Any]:
        """The pattern with the options given (and the defaults of the others) applied."""
        pattern = copy.deepcopy(self.pattern)
        for option in self.options.values():
            value = given.get(option.name, option.default)
            if value is None:
                continue
            node = pattern
            for part in option.at[:-1]:
                node = node.setdefault(part, {})
            node[option.at[-1]] = option.matchers(value)
        return pattern


@cache
def presets() -> dict[str, Preset]:
    text = resources.files("sentinel").joinpath("data", PRESETS_FILE).read_text("utf-8")
    found: dict[str, Preset] = {}
    for name, entry in yaml.safe_load(text).items():
        options = {
            key: PresetOption(
                name=key,
                at=tuple(spec["at"]),
                as_=spec["as"],
                type=spec["type"],
                template=spec.get("template"),
                default=spec.get("default"),
                choices=tuple(spec.get("choices", ())),
                min=spec.get("min"),
                max=spec.get("max"),
            )
            for key, spec in (entry.get("options") or {}).items()
        }
        found[name] = Preset(
            name,
            entry["description"],
            entry["pattern"],
            options,
            tuple(entry.get("regions", ())),
        )
    return found


def rule_pattern(
    preset: str | None, pattern: dict[str, Any] | str | None, options: dict[str, Any]
) -> dict[str, Any]:
    """The event pattern of a (valid) rule: its preset built with its options, or its own."""
    if preset is not None:
        return presets()[preset].build(options)
    if isinstance(pattern, str):
        loaded: dict[str, Any] = json.loads(pattern)
        return loaded
    assert pattern is not None
    return pattern
