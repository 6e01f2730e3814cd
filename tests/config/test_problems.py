"""Pydantic errors as messages: the keys a mapping allows, did-you-mean, shown locations."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from sentinel.config.models import AlarmsFile, BudgetsFile, DashboardsFile, Project, Routing
from sentinel.config.problems import (
    allowed_keys,
    present_loc,
    problems_from_validation,
    suggest,
)
from sentinel.config.yaml_source import parse_yaml

WIDGET = ("dashboards", 0, "rows", 0, "widgets", 0)


@pytest.mark.parametrize(
    ("model", "loc", "keys"),
    [
        (AlarmsFile, (), ["alarms", "composites", "events"]),
        (AlarmsFile, ("alarms", 0, "for_each"), ["resource", "tags", "where"]),
        (
            AlarmsFile,
            ("alarms", 0, "metrics", "errors"),
            ["dimensions", "label", "metric", "namespace", "period", "stat"],
        ),
        (
            Routing,
            ("severities", "critical", "notify", 0),
            ["email", "https", "lambda", "pagerduty", "slack", "sqs", "when"],
        ),
        (Routing, ("oncall", "members", 0), ["email", "name", "phone", "slack"]),
        (BudgetsFile, ("budgets", 0, "alerts", 0), ["notify", "threshold", "type"]),
        (Project, ("defaults", "alarms"), ["for", "period", "treat_missing"]),
        (Project, ("tags",), []),
    ],
)
def test_allowed_keys(model: type[BaseModel], loc: tuple[object, ...], keys: list[str]) -> None:
    assert allowed_keys(model, loc) == keys


def test_allowed_keys_use_aliases() -> None:
    keys = allowed_keys(AlarmsFile, ("alarms", 0))

    assert "for" in keys
    assert "for_" not in keys
    assert keys == sorted(keys)
    assert {"name", "severity", "condition", "statistic", "treat_missing"} <= set(keys)


def test_allowed_keys_of_a_widget_follow_its_type_tag() -> None:
    metric = allowed_keys(DashboardsFile, (*WIDGET, "metric"))
    text = allowed_keys(DashboardsFile, (*WIDGET, "text"))
    any_widget = allowed_keys(DashboardsFile, WIDGET)

    assert "y_axis" in metric
    assert "markdown" not in metric
    assert text == ["height", "markdown", "type", "width"]
    assert {"markdown", "y_axis", "query", "severity"} <= set(any_widget)


def test_allowed_keys_inside_a_widget_line() -> None:
    assert allowed_keys(DashboardsFile, (*WIDGET, "metric", "metrics", 0)) == [
        "color",
        "dimensions",
        "expression",
        "id",
        "label",
        "metric",
        "namespace",
        "period",
        "stat",
        "visible",
    ]


@pytest.mark.parametrize(
    ("word", "candidates", "hint"),
    [
        ("critcal", ["critical", "warning"], "; did you mean 'critical'?"),
        ("Critical", ["critical", "warning"], "; did you mean 'critical'?"),
        ("page-me", ["critical", "warning"], ""),
        ("x", [], ""),
    ],
)
def test_suggest(word: str, candidates: list[str], hint: str) -> None:
    assert suggest(word, candidates) == hint


def test_present_loc_drops_what_is_not_in_the_data() -> None:
    data = parse_yaml("dashboards:\n  - rows:\n      - widgets:\n          - {type: metric}\n")
    loc = (*WIDGET, "metric", "title")

    assert present_loc(data, loc, keep_last=True) == (*WIDGET, "title")
    assert present_loc(data, loc, keep_last=False) == WIDGET


def problems(model: type[BaseModel], text: str) -> list[str]:
    data = parse_yaml(text)
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [str(p) for p in problems_from_validation(caught.value, model, data, "f.yaml")]


def test_a_misspelt_key_is_reported_once() -> None:
    text = "severities:\n  critical:\n    notify:\n      - pagerduty: {integration_ky: env:K}\n"

    assert problems(Routing, text) == [
        "f.yaml:4:21: unknown key 'integration_ky' in severities.critical.notify[0].pagerduty; "
        "did you mean 'integration_key'?"
    ]


def test_an_unknown_key_far_from_any_lists_the_keys() -> None:
    assert problems(Project, "project: p\ndefaults:\n  alarms:\n    zzz: 1\n") == [
        "f.yaml:4:5: unknown key 'zzz' in defaults.alarms; expected one of: for, period, "
        "treat_missing"
    ]


def test_missing_key_points_at_its_mapping() -> None:
    assert problems(Project, "description: no name\n") == [
        "f.yaml:1:1: missing required key 'project'"
    ]


def test_type_errors_say_what_was_expected_and_what_came() -> None:
    text = "project: p\nregions: us-east-1\ntags: [a]\n"

    assert problems(Project, text) == [
        "f.yaml:2:10: expected a list in regions, got 'us-east-1'",
        "f.yaml:3:7: expected a mapping in tags, got a list",
    ]


def test_numeric_bounds_are_in_words() -> None:
    text = (
        "dashboards:\n  - name: d\n    rows:\n"
        "      - widgets: [{type: text, markdown: x, width: 0}]"
    )

    assert problems(DashboardsFile, text) == [
        "f.yaml:4:52: expected at least 1 in dashboards[0].rows[0].widgets[0].width, got 0"
    ]


def test_pattern_with_choices_suggests_one() -> None:
    text = "project: p\ndefaults:\n  alarms:\n    treat_missing: breach\n"

    assert problems(Project, text) == [
        "f.yaml:4:20: invalid value 'breach' in defaults.alarms.treat_missing: expected one of "
        "breaching, notBreaching, ignore, missing; did you mean 'breaching'?"
    ]
