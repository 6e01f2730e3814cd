"""Cost Explorer filter expressions (``Expression``) evaluated over a cost frame.

An expression holds exactly one of And, Or, Not, Dimensions, Tags or CostCategories. Dimensions
and Tags match on Values with MatchOptions (EQUALS by default; ABSENT, STARTS_WITH, ENDS_WITH,
CONTAINS; CASE_INSENSITIVE as a modifier). A tag filter compares raw tag values ("production"),
not the ``Key$value`` form of group keys; the value "" and ABSENT both match untagged rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from sentinel.emulator.cost_errors import CostExplorerError
from sentinel.emulator.cost_table import DIMENSION_COLUMNS, tag_column

OPERATORS = ("EQUALS", "ABSENT", "STARTS_WITH", "ENDS_WITH", "CONTAINS")
CASE_OPTIONS = ("CASE_SENSITIVE", "CASE_INSENSITIVE")
_EXPRESSION_KEYS = ("And", "Or", "Not", "Dimensions", "Tags", "CostCategories")


def expression_mask(frame: pd.DataFrame, expression: Mapping[str, Any]) -> np.ndarray:
    """Rows of ``frame`` the expression selects, as a boolean array."""
    present = [k for k in _EXPRESSION_KEYS if expression.get(k) not in (None, [], {})]
    unknown = sorted(set(expression) - set(_EXPRESSION_KEYS))
    if unknown:
        raise CostExplorerError.validation(f"Expression does not support: {', '.join(unknown)}")
    if len(present) != 1:
        raise CostExplorerError.validation(
            "Expression must have exactly one of And, Or, Not, Dimensions, Tags, "
            f"CostCategories; found {len(present)}"
        )
    key = present[0]
    value = expression[key]
    if key in ("And", "Or"):
        if not isinstance(value, list) or len(value) < 2:
            raise CostExplorerError.validation(f"{key} needs at least two expressions")
        masks = [expression_mask(frame, item) for item in value]
        combine = np.logical_and if key == "And" else np.logical_or
        return combine.reduce(masks)
    if key == "Not":
        return ~expression_mask(frame, value)
    if key == "Dimensions":
        return _dimension_mask(frame, value)
    if key == "Tags":
        return _tag_mask(frame, value)
    return _cost_category_mask(frame, value)


def _dimension_mask(frame: pd.DataFrame, values: Mapping[str, Any]) -> np.ndarray:
    name = values.get("Key")
    column = DIMENSION_COLUMNS.get(str(name))
    if column is None:
        allowed = ", ".join(DIMENSION_COLUMNS)
        raise CostExplorerError.validation(
            f"Dimension {name} is not allowed. Allowed dimension(s): {allowed}"
        )
    return _match(frame[column], values, untagged_is_empty=False)


def _tag_mask(frame: pd.DataFrame, values: Mapping[str, Any]) -> np.ndarray:
    key = values.get("Key")
    if not key:
        raise CostExplorerError.validation("Tags filter needs a Key")
    column = tag_column(str(key))
    if column in frame.columns:
        series = frame[column]
    else:
        series = pd.Series([None] * len(frame), index=frame.index, dtype=object)
    return _match(series, values, untagged_is_empty=True)


def _cost_category_mask(frame: pd.DataFrame, values: Mapping[str, Any]) -> np.ndarray:
    # No cost category is defined in the emulated account: every row lacks every category.
    absent = "ABSENT" in (values.get("MatchOptions") or [])
    return np.full(len(frame), absent, dtype=bool)


def _match(series: pd.Series, values: Mapping[str, Any], untagged_is_empty: bool) -> np.ndarray:
    options = list(values.get("MatchOptions") or ["EQUALS"])
    unsupported = [o for o in options if o not in OPERATORS + CASE_OPTIONS]
    if unsupported:
        raise CostExplorerError.validation(f"MatchOptions not supported: {', '.join(unsupported)}")
    operators = [o for o in options if o in OPERATORS] or ["EQUALS"]
    if len(operators) > 1:
        raise CostExplorerError.validation("MatchOptions may hold only one match operator")
    operator = operators[0]
    present = series.notna().to_numpy()
    if operator == "ABSENT":
        return ~present
    wanted = [str(v) for v in values.get("Values") or []]
    if not wanted:
        raise CostExplorerError.validation(f"Values are required with MatchOptions {operator}")
    insensitive = "CASE_INSENSITIVE" in options
    text = series.fillna("").astype(str)
    if insensitive:
        text = text.str.lower()
        wanted = [w.lower() for w in wanted]
    test = _OPERATOR_TESTS[operator]
    mask = np.zeros(len(series), dtype=bool)
    for value in wanted:
        if value == "" and untagged_is_empty:
            mask |= ~present
        else:
            mask |= present & test(text, value).to_numpy()
    return mask


_OPERATOR_TESTS: dict[str, Callable[[pd.Series, str], pd.Series]] = {
    "EQUALS": lambda text, value: text == value,
    "STARTS_WITH": lambda text, value: text.str.startswith(value),
    "ENDS_WITH": lambda text, value: text.str.endswith(value),
    "CONTAINS": lambda text, value: text.str.contains(value, regex=False),
}
