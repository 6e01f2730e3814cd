"""``sentinel rightsize`` through click: table, JSON and CSV, largest saving first."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

from sentinel.aws.session import SessionFactory
from sentinel.cli import SentinelGroup
from sentinel.cli.rightsize import rightsize
from sentinel.emulator.extensions.cloudwatch import metric_store
from sentinel.emulator.metric_store import MetricKey, Samples

SHAPES = {  # name: (type, CPU %, network bytes a day)
    "bastion": ("t3.large", 1.0, 1e6),
    "batch": ("m5.2xlarge", 4.0, 2e9),
    "api": ("c5.xlarge", 60.0, 9e9),
}


@pytest.fixture(autouse=True)
def shared_session(aws: SessionFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    session = aws.session()

    def factory(**options: Any) -> SessionFactory:
        return SessionFactory(
            session=session, region=options.get("region"), counter=options.get("counter")
        )

    monkeypatch.setattr("sentinel.cli.options.SessionFactory", factory)


@pytest.fixture
def project(tmp_path: Path, aws: SessionFactory) -> Path:
    ec2 = aws.client("ec2")
    today = int(datetime.now(UTC).replace(hour=0, minute=0, second=0).timestamp())
    hours = today - 3600 * np.arange(14 * 24, 0, -1) + 300
    days = today - 86400 * np.arange(14, 0, -1) + 300
    for name, (kind, cpu, network) in SHAPES.items():
        [instance] = ec2.run_instances(
            ImageId="ami-12c6146b",
            InstanceType=kind,
            MinCount=1,
            MaxCount=1,
            TagSpecifications=[
                {"ResourceType": "instance", "Tags": [{"Key": "Name", "Value": name}]}
            ],
        )["Instances"]
        dims = {"InstanceId": instance["InstanceId"]}
        metric_store().put(
            MetricKey.of("AWS/EC2", "CPUUtilization", dims),
            Samples.of_values(hours, np.full(len(hours), cpu), "Percent"),
        )
        for metric in ("NetworkIn", "NetworkOut"):
            metric_store().put(
                MetricKey.of("AWS/EC2", metric, dims),
                Samples.of_values(days, np.full(14, network / 2), "Bytes"),
            )
    root = tmp_path / "project"
    root.mkdir()
    (root / "sentinel.yaml").write_text("project: acme\nregions: [us-east-1]\n")
    return root


def run(project: Path, *args: str) -> Result:
    group = SentinelGroup(commands={"rightsize": rightsize})
    return CliRunner().invoke(group, ["rightsize", "-C", str(project), *args])


def test_json_sorted_by_saving(project: Path) -> None:
    result = run(project, "--format", "json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    findings = [(f["name"], f["finding"], f["recommended"]) for f in report["findings"]]
    # m5.2xlarge at 4 % -> m5.large saves $210.24; the idle t3.large $60.74.
    assert findings == [
        ("batch", "over-provisioned", "m5.large"),
        ("bastion", "idle", "stop or terminate"),
    ]
    assert [f["monthly_saving_usd"] for f in report["findings"]] == [210.24, 60.74]
    assert report["monthly_saving_usd"] == 270.98
    assert report["lookback"] == "14d" and report["get_metric_data_calls"] == 1


def test_csv_and_table(project: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run(project, "--format", "csv").output)))
    assert [(r["name"], r["monthly_saving_usd"]) for r in rows] == [
        ("batch", "210.24"),
        ("bastion", "60.74"),
    ]
    table = run(project, "--lookback", "32d")
    assert table.exit_code == 0
    assert "Right-sizing over the 32d" in table.output and "$270.98 a month" in table.output


def test_lookback_is_one_of_the_allowed_windows(project: Path) -> None:
    result = run(project, "--lookback", "20d")
    assert result.exit_code == 1 and "'14d', '32d', '93d'" in result.output
