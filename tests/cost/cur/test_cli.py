"""``sentinel cost report --source cur`` and ``cost anomalies --source cur`` on the demo account,
and the errors a user gets for an export that cannot be read: named, exit 1, no traceback."""

from __future__ import annotations

import io
import re
import shutil
from datetime import date
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from sentinel.aws.session import SessionFactory
from sentinel.cli import main

from .demo import ROOT, seed_costs

CONFIG_PARTS = ("sentinel.yaml", "alarms", "dashboards", "budgets", "monitors")
# Lines that name the source (its request count, its forecast, what it still estimates).
_SOURCE_LINES = re.compile(
    r"Cost Explorer|Explorer forecast|requests|Estimated|exports hold|Budget figures"
    # the estimated days' list, where it wraps onto lines of its own (a month end)
    r"|^│ (\d\d [A-Z][a-z]{2}, )+\d\d [A-Z][a-z]{2}\s*│$"
)


def sentinel(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


@pytest.fixture
def demo(aws: SessionFactory, today: date, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The P2P Sandbox configuration, with the demo account's costs and exports seeded."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("SLACK_BOT_TOKEN", raising=False)
    seed_costs(aws, today)
    target = tmp_path / "p2p"
    target.mkdir()
    for part in CONFIG_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, target / part)
        else:
            shutil.copy(source, target / part)
    return target


def _set_cur(config: Path, cur: str) -> None:
    path = config / "monitors" / "cost.yaml"
    text = re.sub(r"  cur: \{.*\}\n", f"  cur: {cur}\n", path.read_text())
    path.write_text(text)


def _figures(output: str) -> list[str]:
    return [line for line in output.splitlines() if not _SOURCE_LINES.search(line)]


def test_the_report_from_cur_equals_the_cost_explorer_report(demo: Path) -> None:
    code, explorer = sentinel("cost", "report", "-C", str(demo), "--source", "cost-explorer")
    assert code == 0, explorer
    code, cur = sentinel("cost", "report", "-C", str(demo), "--source", "cur")
    assert code == 0, cur
    assert "Spend: $" in cur and "Budgets" in cur and "Anomalies" in cur
    assert _figures(cur) == _figures(explorer)
    assert (demo / ".sentinel" / "cur" / "p2p-sandbox-assets").is_dir()


def test_the_anomalies_from_a_focus_export_equal_cost_explorer_s(demo: Path) -> None:
    _set_cur(demo, "{bucket: p2p-sandbox-assets, prefix: cost-exports/p2p-focus, format: focus}")
    args = ("cost", "anomalies", "-C", str(demo), "--days", "30", "--json")
    code, explorer = sentinel(*args, "--source", "cost-explorer")
    assert code == 0, explorer
    code, focus = sentinel(*args, "--source", "cur")
    assert code == 0, focus
    strip = re.compile(r'\s*"cost_explorer_requests": \d+')
    assert strip.sub("", focus) == strip.sub("", explorer)
    assert '"anomalies": []' not in focus


@pytest.mark.parametrize(
    ("cur", "message"),
    [
        (
            "{bucket: no-such-cost-exports, prefix: cost-exports/p2p-cur2}",
            "s3://no-such-cost-exports/cost-exports/p2p-cur2/data/: "
            "the bucket 'no-such-cost-exports' does not exist",
        ),
        (
            "{bucket: p2p-sandbox-assets, prefix: cost-exports/nothing-here}",
            "s3://p2p-sandbox-assets/cost-exports/nothing-here/data/: no Parquet files",
        ),
        (
            "{bucket: p2p-sandbox-assets, prefix: cost-exports/p2p-cur2, format: focus}",
            "holds a CUR 2.0 export, not FOCUS 1.0: set `format: cur2`",
        ),
        (
            "{bucket: p2p-sandbox-assets, prefix: cost-exports/p2p-focus}",
            "holds a FOCUS 1.0 export, not CUR 2.0: set `format: focus`",
        ),
    ],
    ids=["missing bucket", "empty export", "focus read as cur2", "cur2 read as focus"],
)
def test_an_export_that_cannot_be_read_is_named(demo: Path, cur: str, message: str) -> None:
    _set_cur(demo, cur)
    code, output = sentinel("cost", "report", "-C", str(demo), "--source", "cur")
    assert code == 1
    assert message in " ".join(output.split())
    assert "Traceback" not in output


def test_an_empty_bucket_is_named(demo: Path, aws: SessionFactory) -> None:
    aws.client("s3").create_bucket(Bucket="empty-cost-exports")
    _set_cur(demo, "{bucket: empty-cost-exports, prefix: exports/cur}")
    code, output = sentinel("cost", "anomalies", "-C", str(demo), "--source", "cur")
    assert code == 1
    assert "s3://empty-cost-exports/exports/cur/data/: no Parquet files" in " ".join(output.split())


def test_a_file_with_missing_columns_is_named(demo: Path, aws: SessionFactory) -> None:
    s3 = aws.client("s3")
    table = pa.table(
        {
            "line_item_usage_start_date": pa.array([None], pa.timestamp("ms")),
            "line_item_usage_account_id": pa.array(["123456789012"]),
            "line_item_product_code": pa.array(["AmazonEC2"]),
        }
    )
    body = io.BytesIO()
    pq.write_table(table, body)
    key = "cost-exports/broken/data/BILLING_PERIOD=2020-01/broken-00001.snappy.parquet"
    s3.put_object(Bucket="p2p-sandbox-assets", Key=key, Body=body.getvalue())
    _set_cur(demo, "{bucket: p2p-sandbox-assets, prefix: cost-exports/broken}")
    code, output = sentinel(
        "cost", "report", "-C", str(demo), "--source", "cur", "--date", "2020-01-20"
    )
    assert code == 1
    assert (
        f"s3://p2p-sandbox-assets/{key}: not a CUR 2.0 export: lacks column(s) "
        "line_item_unblended_cost, resource_tags"
    ) in " ".join(output.split())
    assert "Traceback" not in output


def test_a_cur_source_without_its_export_is_refused_by_validate(demo: Path) -> None:
    path = demo / "monitors" / "cost.yaml"
    text = re.sub(r"  cur: \{.*\}\n", "  source: cur\n", path.read_text())
    path.write_text(text)
    code, output = sentinel("validate", "-C", str(demo))
    assert code == 1
    line = next(i for i, t in enumerate(text.splitlines(), 1) if t.strip() == "source: cur")
    assert f"monitors/cost.yaml:{line}" in output
    assert "source: cur reads an AWS Data Exports export" in output


def test_bad_export_settings_are_all_reported_at_their_lines(demo: Path) -> None:
    _set_cur(
        demo,
        "{bucket: Cost_Exports, prefix: s3://x/y, engine: athena, format: csv}",
    )
    code, output = sentinel("validate", "-C", str(demo))
    assert code == 1
    flat = " ".join(output.split())
    assert flat.count("monitors/cost.yaml:") == 3  # each at its file:line:column
    assert "invalid bucket name 'Cost_Exports'" in flat
    assert "prefix is the path inside the bucket" in flat
    assert "cur2" in flat and "focus" in flat  # the formats allowed
    assert "Traceback" not in output


def test_source_cur_without_an_export_says_what_to_add(demo: Path) -> None:
    path = demo / "monitors" / "cost.yaml"
    path.write_text(re.sub(r"  cur: \{.*\}\n", "", path.read_text()))
    code, output = sentinel("cost", "report", "-C", str(demo), "--source", "cur")
    assert code == 1
    assert "add `cur: {bucket, prefix, format}` under cost_report" in " ".join(output.split())
    assert "Traceback" not in output
