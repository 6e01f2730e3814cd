"""One resource against the tagging rules: missing keys, values, patterns, case, types."""

from __future__ import annotations

from sentinel.config.models import Tagging, TagRule
from sentinel.inventory import Resource
from sentinel.tags.audit import audit_resources
from sentinel.tags.rules import Problem, check_resource, rules_for

RULES = Tagging(
    required=[
        TagRule(key="Environment", values=["production", "staging"], case="lower"),
        TagRule(key="CostCenter", pattern="^[A-Z]+-[0-9]+$", default="ENG-100"),
        TagRule(key="Service", case="lower", resources=["ecs:service"]),
    ]
)


def _resource(type_: str, id_: str, **tags: str) -> Resource:
    return Resource(type_, id_, f"arn:aws:x:us-east-1:123456789012:{id_}", "us-east-1", None, tags)


def _problems(resource: Resource) -> list[tuple[str, Problem, str | None]]:
    return [
        (p.key, p.problem, p.value)
        for p in check_resource(resource, rules_for(RULES, resource.type))
    ]


def test_compliant_resource_has_no_problems() -> None:
    ok = _resource(
        "ecs:service", "api", Environment="production", CostCenter="ENG-1", Service="api"
    )
    assert _problems(ok) == []


def test_missing_keys_and_rules_for_other_types() -> None:
    bare = _resource("ec2:instance", "i-1")
    assert _problems(bare) == [
        ("Environment", Problem.MISSING, None),
        ("CostCenter", Problem.MISSING, None),
    ]  # Service is required of ECS services only
    assert [r.key for r in rules_for(RULES, "ecs:service")] == [
        "Environment",
        "CostCenter",
        "Service",
    ]


def test_values_pattern_case_and_empty_values() -> None:
    wrong = _resource(
        "ecs:service", "api", Environment="Production", CostCenter="eng-1", Service=""
    )
    assert _problems(wrong) == [
        ("Environment", Problem.NOT_ALLOWED, "Production"),
        ("Environment", Problem.CASE, "Production"),
        ("CostCenter", Problem.PATTERN, "eng-1"),
        ("Service", Problem.EMPTY, ""),
    ]
    [problem] = check_resource(
        _resource("s3:bucket", "b", Environment="prod", CostCenter="ENG-1"), RULES.required[:1]
    )
    assert str(problem) == "Environment='prod': not one of production, staging"


def test_types_outside_the_audited_ones_have_no_rules() -> None:
    scoped = Tagging(required=RULES.required, resources=["s3:bucket"])
    assert rules_for(scoped, "ec2:instance") == []
    assert [r.key for r in rules_for(scoped, "s3:bucket")] == ["Environment", "CostCenter"]


def test_compliance_per_type_and_per_key() -> None:
    resources = [
        _resource("ec2:instance", "i-1", Environment="production", CostCenter="ENG-1"),
        _resource("ec2:instance", "i-2", Environment="dev", CostCenter="ENG-1"),
        _resource("ec2:instance", "i-3"),
        _resource("s3:bucket", "b", Environment="staging", CostCenter="ENG-2"),
    ]
    report = audit_resources(resources, RULES, ["us-east-1"])

    assert [f.resource.id for f in report.findings] == ["i-2", "i-3"]
    assert report.findings[1].missing == ("Environment", "CostCenter")
    assert report.findings[0].invalid == {"Environment": "dev"}
    assert [(c.name, c.compliant, c.total) for c in report.by_type] == [
        ("ec2:instance", 1, 3),
        ("s3:bucket", 1, 1),
    ]
    assert [(c.name, c.compliant, c.total, round(c.percent)) for c in report.by_key] == [
        ("Environment", 2, 4, 50),
        ("CostCenter", 3, 4, 75),
    ]
    assert (report.overall.compliant, report.overall.total) == (2, 4)
