"""JMESPath expressions of the resource catalog, compiled once."""

from __future__ import annotations

from functools import cache
from typing import Any

import jmespath
from jmespath.parser import ParsedResult


@cache
def compiled(expression: str) -> ParsedResult:
    return jmespath.compile(expression)


def search(expression: str, data: Any) -> Any:
    return compiled(expression).search(data)
