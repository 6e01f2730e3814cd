"""Aurora Serverless v2 capacity ranges judged by ServerlessDatabaseCapacity, figures asserted."""

from __future__ import annotations

import numpy as np

from sentinel.aws.session import SessionFactory
from sentinel.rightsizing.aurora_serverless import half_steps_up
from sentinel.rightsizing.findings import FindingKind
from sentinel.rightsizing.scan import lookback_window, rightsize

from .serverless import NOW, make_cluster, write_capacity

_, WINDOW_END = lookback_window("14d", NOW)
END = int(WINDOW_END.timestamp())
SAMPLES = 14 * 288  # every 5 minutes over the 14 days
HOUR_OF = (np.arange(SAMPLES) * 300 % 86_400) // 3600


def test_half_steps() -> None:
    assert [half_steps_up(v) for v in (0.2, 0.5, 11.875, 12.0, 12.01)] == [0.5, 0.5, 12, 12, 12.5]


def test_a_floor_that_holds_the_cluster_up_is_halved_and_the_ceiling_lowered(
    aws: SessionFactory,
) -> None:
    make_cluster(aws, "reports", 4, 32)
    capacity = np.where(HOUR_OF < 16, 4.0, 8.0)
    capacity[100 * 12 + 1] = 9.5  # one busy moment
    write_capacity("reports", capacity, end=END)
    report = rightsize(aws, ["us-east-1"], now=NOW)
    [finding] = report.findings
    assert (finding.kind, finding.current, finding.recommended) == (
        FindingKind.OVER,
        "4-32 ACU",
        "2-12 ACU",
    )
    # The average of 5.3347 ACU for 730 h at $0.12; 2 ACU less for two thirds of the hours.
    assert finding.monthly_cost == 467.32
    assert finding.monthly_saving == 116.8
    assert finding.evidence == (
        "capacity at its 4 ACU floor in 67% of hours, at its 32 ACU ceiling in 0%; peak 9.5 ACU"
    )
    assert finding.source == "CloudWatch ServerlessDatabaseCapacity"
    assert report.examined["rds:cluster"] == 1


def test_a_cluster_at_its_ceiling_is_under_provisioned(aws: SessionFactory) -> None:
    make_cluster(aws, "busy", 0.5, 2)
    write_capacity("busy", np.where(HOUR_OF < 3, 2.0, 1.0), end=END)
    [finding] = rightsize(aws, ["us-east-1"], now=NOW).findings
    assert (finding.kind, finding.recommended, finding.monthly_saving) == (
        FindingKind.UNDER,
        "0.5-4 ACU",
        None,
    )
    assert "at its 2 ACU ceiling in 12%" in finding.evidence


def test_a_range_that_fits_is_left_alone_and_auto_pause_is_kept(aws: SessionFactory) -> None:
    make_cluster(aws, "fits", 0.5, 4)
    write_capacity("fits", np.where(HOUR_OF < 12, 0.5, 3.2), end=END)
    make_cluster(aws, "paused", 0, 8)
    write_capacity("paused", np.where(HOUR_OF < 20, 0.0, 1.0), end=END)
    report = rightsize(aws, ["us-east-1"], now=NOW)
    [paused] = report.findings
    assert (paused.name, paused.recommended, paused.monthly_saving) == ("paused", "0-1.5 ACU", 0)
    assert "the maximum caps the spend" in paused.notes[0]


def test_no_capacity_is_not_enough_data_and_other_clusters_are_not_judged(
    aws: SessionFactory,
) -> None:
    make_cluster(aws, "quiet", 0.5, 4)
    aws.client("rds").create_db_cluster(
        DBClusterIdentifier="provisioned",
        Engine="aurora-postgresql",
        MasterUsername="admin1",
        MasterUserPassword="password-not-secret",
    )
    report = rightsize(aws, ["us-east-1"], now=NOW)
    assert report.findings == []
    assert [(n.name, n.reason) for n in report.not_enough_data] == [
        ("quiet", "no ServerlessDatabaseCapacity over the lookback")
    ]
    assert report.examined["rds:cluster"] == 1


def test_clusters_are_listed_in_pages(aws: SessionFactory) -> None:
    for number in range(21):
        make_cluster(aws, f"c{number:02d}", 4, 32)
        write_capacity(f"c{number:02d}", np.where(HOUR_OF < 16, 4.0, 8.0), end=END)
    report = rightsize(aws, ["us-east-1"], now=NOW, page_size=20)
    assert len(report.findings) == 21
    assert aws.counter.total("rds", "DescribeDBClusters") == 2  # 20 a page at least


def test_a_cluster_at_the_service_limit_is_told_so(aws: SessionFactory) -> None:
    make_cluster(aws, "huge", 64, 256)
    make_cluster(aws, "big", 8, 128)
    write_capacity("huge", np.where(HOUR_OF < 6, 256.0, 100.0), end=END)
    write_capacity("big", np.where(HOUR_OF < 6, 128.0, 50.0), end=END)
    by_name = {f.name: f for f in rightsize(aws, ["us-east-1"], now=NOW).findings}
    assert by_name["huge"].recommended == "beyond Serverless v2's 256 ACU"
    assert by_name["big"].recommended == "8-256 ACU"
    assert by_name["big"].notes[1] == "above 128 ACU needs a recent engine version"
