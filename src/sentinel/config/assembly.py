"""What the file kinds share while a configuration is put together from its files.

Loading runs in two passes over the files, in their stable order: every file kind first
defines its names (alarms, severities, dashboards, ...) into ``Assembly.refs`` and its items
into ``Assembly.config``; then every file kind checks what it refers to. A file kind needs
nothing from the others but the names they define, which is what lets each live in one module.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Protocol, TypeVar

from sentinel.config.configuration import Config
from sentinel.config.models import ForEach
from sentinel.config.references import References, Where, check_placeholder, placeholders
from sentinel.config.resource_tags import tag_problems
from sentinel.config.yaml_source import YamlMap, locate

Loc = str | int
N = TypeVar("N", bound="Named")


class Named(Protocol):
    @property
    def name(self) -> str: ...


@dataclass(frozen=True)
class Source:
    """One parsed file: its name as shown in messages and its YAML with positions."""

    file: str
    data: YamlMap

    def where(self, *loc: Loc) -> Where:
        """Where the value at ``loc`` is written."""
        return Where(self.file, locate(self.data, loc))

    def at_key(self, *loc: Loc) -> Where:
        """Where the key of the value at ``loc`` is written."""
        return Where(self.file, locate(self.data, loc, at_key=True))


@dataclass
class Assembly:
    """The configuration being assembled, the names defined so far and the problems found."""

    config: Config
    refs: References
    known_types: list[str]
    # An invalid sentinel.yaml is reported already: checks that need its values are skipped.
    valid_project: bool
    singletons: dict[str, Where] = field(default_factory=dict)
    # Things that one item of the whole configuration may claim (a log group's retention), by
    # (what, name): the claiming item's name and where it claims it.
    claims: dict[tuple[str, str], tuple[str, Where]] = field(default_factory=dict)

    @cached_property
    def templates(self) -> dict[str, ForEach]:
        """Alarm and composite names that are templates, with their ``for_each`` (second pass)."""
        rules: Sequence[AlarmTemplate] = [*self.config.alarms, *self.config.composites]
        return {rule.name: rule.for_each for rule in rules if rule.for_each is not None}

    def collect(
        self,
        items: Iterable[N],
        into: list[N],
        namespace: str,
        label: str,
        source: Source,
        section: str,
    ) -> None:
        """Define each item's name (duplicates are errors), remember where, and keep it."""
        for i, item in enumerate(items):
            spot = source.where(section, i, "name")
            self.define(namespace, item.name, spot, label)
            into.append(item)

    def define(self, namespace: str, name: str, spot: Where, label: str) -> None:
        self.refs.define(namespace, name, spot, label)
        self.config.sources[(namespace, name)] = str(spot)
        self.config.positions[(namespace, name)] = spot

    def set_once(self, attribute: str, value: object, spot: Where) -> None:
        """A setting that one file of the whole configuration may give (``cost_report``)."""
        if attribute in self.singletons:
            self.refs.problems.append(
                spot.problem(
                    f"{attribute} is defined twice (first at {self.singletons[attribute]})"
                )
            )
            return
        self.singletons[attribute] = spot
        setattr(self.config, attribute, value)

    def problem(self, spot: Where, message: str) -> None:
        self.refs.problems.append(spot.problem(message))

    def check_for_each(self, fe: ForEach | None, source: Source, *loc: Loc) -> None:
        if fe is not None:
            self.refs.require_resource_type(
                fe.resource, source.where(*loc, "for_each", "resource"), self.known_types
            )

    def check_template(
        self, values: dict[str, str], templated: bool, owner: str, source: Source, *loc: Loc
    ) -> None:
        """Placeholders in ``values`` are known, and used only where ``owner`` is a template."""
        for key, value in values.items():
            for token in placeholders(value):
                spot = source.where(*loc, key)
                message = check_placeholder(token)
                if message:
                    self.problem(spot, message)
                elif not templated:
                    self.problem(spot, f"placeholder {{{token}}} needs `for_each` on the {owner}")

    def check_aws_name(
        self, value: str | None, owner: str, templated: bool, source: Source, *loc: Loc
    ) -> None:
        """Placeholders in an ``aws_name`` are filled per resource: only under ``for_each``."""
        if value is None:
            return
        spot = source.where(*loc, "aws_name")
        for token in placeholders(value):
            message = check_placeholder(token)
            if message:
                self.problem(spot, message)
            elif not templated:
                self.problem(
                    spot,
                    f"placeholder {{{token}}} in aws_name: the {owner} has one name; "
                    "placeholders name each resource of a for_each",
                )

    def check_tags(self, tags: dict[str, str], owner: str, source: Source, *loc: Loc) -> None:
        self.refs.problems.extend(
            tag_problems(tags, lambda key: source.at_key(*loc, "tags", key).problem, owner)
        )


class AlarmTemplate(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def for_each(self) -> ForEach | None: ...
