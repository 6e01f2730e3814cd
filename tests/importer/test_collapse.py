"""Alarms that differ only by resource: one template with the filter that selects exactly them."""

from __future__ import annotations

from pathlib import Path

import yaml

from sentinel.aws.session import SessionFactory

from .conftest import Run
from .small import cpu_alarm, instances, topic


def test_filters_reproduce_the_set_or_the_alarms_stay_static(
    aws: SessionFactory, run: Run, tmp_path: Path
) -> None:
    arn = topic(aws)
    ids = instances(
        aws,
        [{"Tier": "web"}, {"Tier": "web"}, {"Tier": "db"}, {"Tier": "db"}, {"Tier": "db"}],
    )
    for instance in ids:  # every instance
        cpu_alarm(aws, f"shop-cpu-{instance}", instance, arn)
    for instance in ids[2:]:  # the db tier: a tag selects them
        cpu_alarm(aws, f"shop-cpu-db-{instance}", instance, arn, threshold=95.0)
    for instance in ids[2:4]:  # two of the three db instances: nothing tells them apart
        cpu_alarm(aws, f"shop-cpu-odd-{instance}", instance, arn, threshold=99.0)
    out = tmp_path / "shop"

    result = run("import", "-C", str(out), "--project", "shop")

    assert result.exit_code == 0, result.output
    rules = yaml.safe_load((out / "alarms/critical.yaml").read_text())["alarms"]
    by_name = {r["name"]: r for r in rules}
    assert by_name["cpu"]["for_each"] == {"resource": "ec2:instance"}
    assert by_name["cpu"]["dimensions"] == {"InstanceId": "{id}"}
    assert by_name["cpu-db"]["for_each"] == {"resource": "ec2:instance", "tags": {"Tier": "db"}}
    odd = sorted(n for n in by_name if n.startswith("cpu-odd-"))
    assert odd == sorted(f"cpu-odd-{i}" for i in ids[2:4])
    assert all("for_each" not in by_name[n] for n in odd)
    assert by_name[odd[0]]["dimensions"] == {"InstanceId": sorted(ids[2:4])[0]}
    assert (
        "static: 2 alarms shop-cpu-odd-{id}: no tags/where filter selects exactly these 2 of "
        "the 5 ec2:instance resources" in result.output
    )
    assert "10 alarms as 4 rules (2 for_each templates): 2.5 alarms per rule" in result.output
