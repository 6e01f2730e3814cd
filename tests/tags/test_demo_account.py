"""The seeded demo account against the root config's tagging rules: exactly the violations the
seed put there, and no compliant resource reported."""

from __future__ import annotations

from pathlib import Path

from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.emulator.demo import REGION, TAG_VIOLATIONS
from sentinel.emulator.demo.resources import create_resources
from sentinel.emulator.extensions import install
from sentinel.inventory import KNOWN_RESOURCE_TYPES, Inventory
from sentinel.tags import audit, plan_fix

REPOSITORY = Path(__file__).parents[2]


def test_audit_finds_exactly_the_seeded_violations(aws: SessionFactory) -> None:
    install()
    create_resources(aws)  # the demo account's resources and tags (no metrics or costs)
    tagging = load_config(REPOSITORY).tagging
    assert tagging is not None

    report = audit(Inventory(aws, [REGION]), tagging)

    found = set()
    for finding in report.findings:
        kind, name = finding.resource.type, finding.resource.name
        if finding.missing:
            found.add((kind, name, frozenset(finding.missing), None, None))
        for key, value in finding.invalid.items():
            found.add((kind, name, frozenset(), key, value))
    # The audit reads the types the inventory lists; a seeded violation on a type it does not
    # list yet cannot be found by any audit.
    expected = {
        (v.resource_type, v.name, frozenset(v.missing), v.key, v.value)
        for v in TAG_VIOLATIONS
        if v.resource_type in KNOWN_RESOURCE_TYPES
    }
    assert found == expected
    assert report.audited > len(report.findings) * 3  # most of the account complies
    assert {c.name for c in report.by_type} >= {kind for kind, *_ in expected}

    fix = plan_fix(report, tagging)
    assert sorted((a.resource.type, a.resource.name, dict(a.tags)) for a in fix.additions) == [
        ("ec2:instance", "p2p-dev-sandbox", {"CostCenter": "ENG-100", "Project": "p2p-sandbox"}),
        ("ec2:volume", "p2p-dev-sandbox", {"CostCenter": "ENG-100", "Project": "p2p-sandbox"}),
        ("elasticache:cluster", "p2p-redis", {"CostCenter": "ENG-100"}),
    ]
