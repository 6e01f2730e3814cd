"""Cross-file names, composite rule syntax and template placeholders."""

from __future__ import annotations

import pytest

from sentinel.config.references import References, Where, check_placeholder, placeholders
from sentinel.config.yaml_source import Position

HERE = Where("alarms/x.yaml", Position(3, 11))


def messages(refs: References) -> list[str]:
    return [str(p) for p in refs.problems]


@pytest.mark.parametrize(
    ("rule", "names"),
    [
        ("ALARM(api-5xx)", ["api-5xx"]),
        ("ALARM(a) AND ALARM(b)", ["a", "b"]),
        ('ALARM("a") OR OK( b )', ["a", "b"]),
        ("NOT (ALARM(a) OR INSUFFICIENT_DATA(b)) AND TRUE", ["a", "b"]),
        ("((ALARM(a)))", ["a"]),
        ("FALSE", []),
        ("ALARM(a)\n  AND NOT ALARM(b)", ["a", "b"]),
    ],
)
def test_a_valid_rule_returns_the_alarms_it_names(rule: str, names: list[str]) -> None:
    refs = References()

    assert refs.check_composite_rule(rule, HERE) == names
    assert refs.problems == []


@pytest.mark.parametrize(
    ("rule", "message"),
    [
        ("(ALARM(a) OR ALARM(b)", "'(' is not closed"),
        ("ALARM(a) AND NOT OK(b))", "')' without a matching '('"),
        (")ALARM(a)(", "expected an alarm state at the start, found ')'"),
        (
            "ALARM(a) && ALARM(b)",
            "unexpected '&& ALARM(b)': expected ALARM(name), OK(name), INSUFFICIENT_DATA(name), "
            "TRUE, FALSE, AND, OR, NOT, ( and )",
        ),
        ("ALARM(a) AND", "the rule ends with 'AND': expected an alarm state after it"),
        ("NOT", "the rule ends with 'NOT': expected an alarm state after it"),
        ("OR ALARM(a)", "expected an alarm state at the start, found 'OR'"),
        ("ALARM(a) ALARM(b)", "expected AND or OR between 'ALARM(a)' and 'ALARM(b)'"),
        ("ALARM(a) NOT OK(b)", "expected AND or OR between 'ALARM(a)' and 'NOT'"),
        ("ALARM(a) (OK(b))", "expected AND or OR between 'ALARM(a)' and '('"),
        ("()", "expected an alarm state after '(', found ')'"),
        ("ALARM(a) OR NOT AND OK(b)", "expected an alarm state after 'NOT', found 'AND'"),
        ("ALARM(a) ANDNOT OK(b)", "unexpected 'ANDNOT OK(b)'"),
        ("alarm(a)", "unexpected 'alarm(a)'"),
        ("ALARM()", "unexpected 'ALARM()'"),
        ("   ", "the rule is empty"),
    ],
)
def test_an_invalid_rule_is_one_problem_and_no_names(rule: str, message: str) -> None:
    refs = References()

    assert refs.check_composite_rule(rule, HERE) == []
    [problem] = messages(refs)
    assert problem.startswith(f"alarms/x.yaml:3:11: invalid composite rule: {message}")


def test_names_are_defined_once() -> None:
    refs = References()
    refs.define("alarm", "cpu", Where("alarms/a.yaml", Position(2, 11)), "alarm")
    refs.define("alarm", "cpu", Where("alarms/b.yaml", Position(8, 11)), "alarm")

    assert messages(refs) == [
        "alarms/b.yaml:8:11: duplicate alarm name 'cpu' (first defined at alarms/a.yaml:2)"
    ]
    assert list(refs.defined("alarm")) == ["cpu"]


def test_require_suggests_or_lists_the_defined_names() -> None:
    refs = References()
    for name in ("api-5xx", "api-latency"):
        refs.define("alarm", name, HERE, "alarm")

    assert refs.require("alarm", "api-5xx", HERE, "alarm")
    assert not refs.require("alarm", "api-latncy", HERE, "alarm", " in rule")
    assert not refs.require("alarm", "db", HERE, "alarm")
    assert messages(refs) == [
        "alarms/x.yaml:3:11: unknown alarm 'api-latncy' in rule; did you mean 'api-latency'?",
        "alarms/x.yaml:3:11: unknown alarm 'db'; defined: api-5xx, api-latency",
    ]


def test_names_of_a_file_that_failed_are_not_reported_unknown() -> None:
    refs = References(incomplete={"alarm", "severity"})

    assert not refs.require("alarm", "db", HERE, "alarm")
    refs.require_severity("critical", HERE)
    assert refs.problems == []


def test_severity_without_any_routing_says_where_to_define_it() -> None:
    refs = References()
    refs.require_severity("critical", HERE)

    assert messages(refs) == [
        "alarms/x.yaml:3:11: severity 'critical' is not defined: add it under `severities` "
        "in alarms/routing.yaml"
    ]


def test_budget_subscribers_are_severities_or_addresses() -> None:
    refs = References()
    refs.define("severity", "warning", HERE, "severity")
    refs.require_subscriber("finops@example.com", HERE)
    refs.require_subscriber("warning", HERE)
    refs.require_subscriber("warnig", HERE)

    assert messages(refs) == [
        "alarms/x.yaml:3:11: unknown severity or email address 'warnig'; did you mean 'warning'?"
    ]


def test_resource_types_suggest_or_list() -> None:
    refs = References()
    refs.require_resource_type("rds:db", HERE, ["rds:db", "ecs:service"])
    refs.require_resource_type("rds:dbs", HERE, ["rds:db", "ecs:service"])
    refs.require_resource_type("queue", HERE, ["rds:db", "ecs:service"])

    assert messages(refs) == [
        "alarms/x.yaml:3:11: unknown resource type 'rds:dbs'; did you mean 'rds:db'?",
        "alarms/x.yaml:3:11: unknown resource type 'queue'; expected one of: ecs:service, rds:db",
    ]


def test_placeholders_are_found_in_templates() -> None:
    assert placeholders("{id}") == ["id"]
    assert placeholders("{tag:Service}-{attr:cluster}") == ["tag:Service", "attr:cluster"]
    assert placeholders("no braces") == []


@pytest.mark.parametrize(
    "token", ["id", "name", "arn", "region", "account", "tag:Service", "attr:cluster"]
)
def test_known_placeholders(token: str) -> None:
    assert check_placeholder(token) is None


@pytest.mark.parametrize("token", ["identifier", "tag:", "attr:", "tags:Service", "", "ID"])
def test_unknown_placeholders(token: str) -> None:
    assert check_placeholder(token) == (
        f"unknown placeholder {{{token}}}: expected {{id}}, {{name}}, {{arn}}, {{region}}, "
        "{account}, {tag:KEY} or {attr:NAME}"
    )
