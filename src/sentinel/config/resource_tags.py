"""Tags a user sets on managed resources: never Sentinel's ownership tags, always AWS-valid.

Checked where they are written (project ``tags``, a rule's ``tags``, a tag rule's ``default``),
so that the error points at the key itself.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from sentinel.aws.documented_limits import limit, tag_key_problem
from sentinel.errors import ConfigProblem
from sentinel.naming import ownership_tags

RESERVED_KEYS = frozenset(ownership_tags("project"))


def tag_problems(
    tags: Mapping[str, str], spot: Callable[[str], ConfigProblemFactory], owner: str
) -> list[ConfigProblem]:
    """Problems of the tags ``owner`` sets; ``spot(key)`` makes a problem at that key."""
    problems = []
    most = limit("tag_value")["max_length"]
    for key, value in tags.items():
        message = reserved_key_problem(key) or tag_key_problem(key)
        if message is None and len(str(value)) > most:
            message = f"tag {key!r}: the value is {len(str(value))} characters; at most {most}"
        if message:
            problems.append(spot(key)(f"{owner}: {message}"))
    return problems


def reserved_key_problem(key: str) -> str | None:
    if key in RESERVED_KEYS:
        return (
            f"tag key {key!r} is Sentinel's ownership tag: Sentinel sets it on every managed "
            "resource, and it cannot be set or overridden"
        )
    return None


ConfigProblemFactory = Callable[[str], ConfigProblem]
