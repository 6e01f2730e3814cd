"""Config names for AWS names: ``<project>-<name>`` keeps its name, any other an ``aws_name``."""

from __future__ import annotations

import re

from sentinel.naming import prefix

_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
# Topic and dashboard names are made of the name with anything but [A-Za-z0-9_-] as "-".
_SAFE_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
NAME_LIMIT = 120


def is_name(text: str) -> bool:
    return bool(_NAME.match(text)) and len(text) <= NAME_LIMIT


def slug(text: str) -> str:
    """A valid config name that reads like ``text``: ``Prod CPU/High`` -> ``prod-cpu-high``."""
    cleaned = re.sub(r"[^a-z0-9._-]+", "-", text.lower()).strip("-._")
    return (cleaned or "imported")[:NAME_LIMIT].rstrip("-._") or "imported"


class Names:
    """Unique config names within one namespace (alarm rules and composites share one)."""

    def __init__(self, project: str) -> None:
        self.project = project
        self.taken: set[str] = set()

    def claim(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self.taken:
            suffix = f"-{n}"
            name = wanted[: NAME_LIMIT - len(suffix)] + suffix
            n += 1
        self.taken.add(name)
        return name

    def for_aws(self, aws_name: str, safe: bool = False) -> tuple[str, str | None]:
        """(config name, aws_name or None) for a resource named ``aws_name`` in AWS."""
        rest = aws_name.removeprefix(prefix(self.project))
        pattern = _SAFE_NAME if safe else _NAME
        fits = pattern.match(rest) and len(rest) <= NAME_LIMIT
        if rest != aws_name and fits and rest not in self.taken:
            self.taken.add(rest)
            return rest, None
        return self.claim(slug(rest)), aws_name
