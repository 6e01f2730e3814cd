"""Every AWS call of a report from an export is allowed by the daemon's `sentinel iam-policy`."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from sentinel.aws.iam_policy import actions_of, api_call, policy
from sentinel.aws.session import SessionFactory
from sentinel.config import load_config
from sentinel.cost.runs import run_report
from sentinel.emulator.extensions.athena import running_queries
from sentinel.store import Store

from .test_athena import DuckDbAsAthena
from .test_cli import demo  # noqa: F401  (the fixture)


def _allowed(config_dir: Path) -> set[str]:
    document = policy("daemon", load_config(config_dir))
    actions: set[str] = set()
    for statement in document["Statement"]:
        found = statement["Action"]
        actions.update([found] if isinstance(found, str) else found)
    return actions


@pytest.mark.parametrize("engine", ["duckdb", "athena"])
def test_the_calls_of_a_report_from_an_export_are_in_the_daemon_s_policy(
    demo: Path,  # noqa: F811
    aws: SessionFactory,
    tmp_path: Path,
    today: date,
    engine: str,
) -> None:
    path = demo / "monitors" / "cost.yaml"
    athena = (
        ", engine: athena, athena: {workgroup: primary, database: cost_exports, "
        "table: p2p_cur2, output: 's3://p2p-athena-results/sentinel/'}"
        if engine == "athena"
        else ""
    )
    text = re.sub(
        r"  cur: \{(.*)\}\n",
        lambda m: f"  source: cur\n  cur: {{{m.group(1)}{athena}}}\n",
        path.read_text(),
    )
    path.write_text(text)
    config = load_config(demo)
    factory = SessionFactory(session=aws.session(), region="us-east-1")
    runner = DuckDbAsAthena(aws, "cur2", tmp_path / "files", "p2p_cur2")
    with running_queries(runner):
        report = run_report(
            config, factory, Store(f"sqlite:///{tmp_path}/s.db"), deliver=False
        ).report
    assert not report.missing

    made = {api_call(service, operation) for service, operation, _ in factory.counter.rows()}
    made -= {"ce:GetCostForecast"}  # never sent: exports hold no forecast
    assert made, "the report made no AWS call"
    needed = {action for call in made for action in actions_of(call)}
    assert needed <= _allowed(demo), needed - _allowed(demo)
    if engine == "athena":
        assert "athena:StartQueryExecution" in made and "s3:GetObject" not in made
    else:
        assert {"s3:ListObjectsV2", "s3:GetObject"} <= made
