"""The export's files: listed in pages, downloaded once, read again only when S3's copy changed."""

from __future__ import annotations

import io
from datetime import date, timedelta
from pathlib import Path

import pyarrow.parquet as pq

from sentinel.aws.session import SessionFactory
from sentinel.cost.cur.files import DownloadStats, list_export_files
from sentinel.cost.groupings import SERVICE
from sentinel.cost.sources import CostQuery
from sentinel.emulator.demo.cost_exports import EXPORT_BUCKET, EXPORT_PREFIXES
from sentinel.emulator.demo.costs import cost_history

from .demo import ACCOUNT, cur_source, seed_costs


def test_the_listing_follows_every_page(aws: SessionFactory, today: date) -> None:
    seed_costs(aws, today)
    stats = DownloadStats()
    files = list_export_files(
        aws.client("s3"), EXPORT_BUCKET, EXPORT_PREFIXES["cur2"], stats, page_size=2
    )
    # One file per billing period of the history (13 or 14 months, by the date), two a page.
    months = cost_history(today, ACCOUNT).frame["day"].dt.to_period("M").nunique()
    assert months >= 13 and len(files) == months
    assert stats.listed_pages == -(-months // 2)
    assert aws.counter.total("s3", "ListObjectsV2") == -(-months // 2)
    assert sorted({f.period for f in files}) == [f.period for f in files]
    # Only this export's files: the FOCUS export beside it is not listed.
    assert all(f.key.startswith("cost-exports/p2p-cur2/data/BILLING_PERIOD=") for f in files)


def test_files_already_read_are_not_downloaded_again(
    aws: SessionFactory, today: date, tmp_path: Path
) -> None:
    seed_costs(aws, today)
    month = today.replace(day=1) - timedelta(days=1)
    query = CostQuery((SERVICE,), month.replace(day=1) - timedelta(days=40), month)
    first = cur_source(aws, tmp_path / "cache")
    answer = first.costs(query)
    downloads = aws.counter.total("s3", "GetObject")
    assert answer.rows and downloads == first.stats.files.downloads >= 2

    # Another run (a new source, as the next day's report): the same files, no download.
    again = cur_source(aws, tmp_path / "cache")
    assert again.costs(query).rows == answer.rows
    assert aws.counter.total("s3", "GetObject") == downloads
    assert again.stats.files.reused == downloads

    # AWS rewrites one period's file (a refresh of the export): that file alone is read again.
    s3 = aws.client("s3")
    key = next(
        k["Key"]
        for k in s3.list_objects_v2(Bucket=EXPORT_BUCKET, Prefix="cost-exports/p2p-cur2/")[
            "Contents"
        ]
        if f"BILLING_PERIOD={month:%Y-%m}" in k["Key"]
    )
    table = pq.read_table(io.BytesIO(s3.get_object(Bucket=EXPORT_BUCKET, Key=key)["Body"].read()))
    rewritten = io.BytesIO()
    pq.write_table(table, rewritten, compression="gzip")  # other bytes, so another ETag
    s3.put_object(Bucket=EXPORT_BUCKET, Key=key, Body=rewritten.getvalue())
    before = aws.counter.total("s3", "GetObject")
    third = cur_source(aws, tmp_path / "cache")
    third.costs(query)
    assert aws.counter.total("s3", "GetObject") == before + 1
    assert third.stats.files.downloads == 1
