"""YAML with positions: what ``parse_yaml`` keeps, how it explains syntax errors, ``locate``."""

from __future__ import annotations

from datetime import date

import pytest

from sentinel.config.yaml_source import (
    Position,
    YamlMap,
    YamlSeq,
    YamlSyntaxError,
    locate,
    parse_yaml,
)

ALARMS = """\
alarms:
  - name: cpu-high
    dimensions: {InstanceId: i-1}
    condition: "> 90"
  - name: disk
    tags:
      - a
      - b
"""


def test_mappings_and_lists_remember_positions() -> None:
    data = parse_yaml(ALARMS)

    assert isinstance(data, YamlMap)
    assert data.key_positions["alarms"] == Position(1, 1)
    alarms = data["alarms"]
    assert isinstance(alarms, YamlSeq)
    assert alarms.item_positions == [Position(2, 5), Position(5, 5)]
    first = alarms[0]
    assert first.key_positions["condition"] == Position(4, 5)
    assert first.value_positions["condition"] == Position(4, 16)
    assert first["dimensions"].value_positions["InstanceId"] == Position(3, 30)


def test_values_are_plain_python() -> None:
    data = parse_yaml("a: 1\nb: [x, 2.5, true]\nc: 2026-01-05\n")

    assert data == {"a": 1, "b": ["x", 2.5, True], "c": date(2026, 1, 5)}


def test_merge_keys_are_resolved() -> None:
    data = parse_yaml("base: &base {period: 1m}\nalarm:\n  <<: *base\n  name: x\n")

    assert data["alarm"] == {"period": "1m", "name": "x"}


def test_non_string_keys_become_strings() -> None:
    assert parse_yaml("1: one\ntrue: two\n") == {"1": "one", "True": "two"}


@pytest.mark.parametrize("text", ["", "# only a comment\n", "---\n"])
def test_an_empty_document_is_none(text: str) -> None:
    assert parse_yaml(text) is None


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        (
            "a: 1\nb: 2\na: 3\n",
            Position(3, 1),
            "invalid YAML: duplicate key 'a' (first at line 1)",
        ),
        (
            "a:\n  b: {x: 1\n  c: 2\n",
            Position(2, 6),
            "invalid YAML: '{' is not closed (expected ',' or '}', but got ':')",
        ),
        (
            "a: [1, 2\n",
            Position(1, 4),
            "invalid YAML: '[' is not closed (expected ',' or ']', but got '<stream end>')",
        ),
        ('a: "hello\nb: 2\n', Position(1, 4), "invalid YAML: a quoted value is not closed"),
        ("a: 1\nb\nc: 2\n", Position(2, 1), "invalid YAML: expected 'key: value', found no ':'"),
        (
            "a:\n\tb: 1\n",
            Position(2, 1),
            "invalid YAML: found character '\\t' that cannot start any token "
            "(indent with spaces, not tabs)",
        ),
        (
            "a:\n  - b: 1\n     c: 2\n",
            Position(3, 7),
            "invalid YAML: mapping values are not allowed here (check the indentation of this "
            "line, or quote a value that holds ': ')",
        ),
        (
            "a:\n  b: 1\n c: 2\n",
            Position(3, 2),
            "invalid YAML: expected <block end>, but found '<block mapping start>' "
            "(check the indentation of this line)",
        ),
        (
            "a: %x\n",
            Position(1, 4),
            "invalid YAML: found character '%' that cannot start any token "
            "(quote values starting with %)",
        ),
        (
            "description: > some text\n",
            Position(1, 16),
            "invalid YAML: expected a comment or a line break, but found 's' "
            "(quote a value that starts with > or |)",
        ),
    ],
)
def test_syntax_errors_point_at_the_cause(text: str, position: Position, message: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml(text)

    assert caught.value.position == position
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("line", "column", "quoted"),
    [
        ("condition: > 90", 12, 'condition: "> 90"'),
        ("condition: >= 1", 12, 'condition: ">= 1"'),
        ("condition: >90", 12, 'condition: ">90"'),
        ("condition: >0", 12, 'condition: ">0"'),
        ("  - condition: > 0.5  # CPU", 16, 'condition: "> 0.5"'),
    ],
)
def test_an_unquoted_condition_says_how_to_quote_it(line: str, column: int, quoted: str) -> None:
    with pytest.raises(YamlSyntaxError) as caught:
        parse_yaml(line + "\n")

    assert str(caught.value) == f"invalid YAML: quote a value that starts with >, like {quoted}"
    assert caught.value.position == Position(1, column)


def test_a_folded_block_is_still_allowed() -> None:
    assert parse_yaml("description: >\n  two\n  lines\n") == {"description": "two lines\n"}


def test_locate_values_keys_and_items() -> None:
    data = parse_yaml(ALARMS)

    assert locate(data, ("alarms", 0, "condition")) == Position(4, 16)
    assert locate(data, ("alarms", 0, "condition"), at_key=True) == Position(4, 5)
    assert locate(data, ("alarms", 1)) == Position(5, 5)
    assert locate(data, ("alarms", 1, "tags", 1)) == Position(8, 9)
    assert locate(data, ("alarms", 0, "dimensions", "InstanceId")) == Position(3, 30)


def test_locate_skips_parts_that_are_not_in_the_data() -> None:
    data = parse_yaml(ALARMS)

    # a missing key points at its parent mapping
    assert locate(data, ("alarms", 0, "severity")) == Position(2, 5)
    # union tags and validator names in pydantic locations are skipped
    assert locate(data, ("alarms", 0, "function-after[x]", "condition")) == Position(4, 16)
    # an index past the end stays on the list
    assert locate(data, ("alarms", 7, "name")) == Position(2, 3)
    assert locate(data, ()) == Position(1, 1)


def test_locate_in_plain_data_falls_back_to_the_start() -> None:
    assert locate({"a": 1}, ("a",)) == Position(1, 1)
