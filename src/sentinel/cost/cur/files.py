"""An export's Parquet files in S3, and the local copies of those already read.

Data Exports writes ``s3://<bucket>/<prefix>/data/BILLING_PERIOD=YYYY-MM/*.parquet`` (the
prefix ends with the export's name) and rewrites a period's files as its data grows. Files are
listed with ListObjectsV2's paginator and downloaded once: a local copy is kept under the cache
directory with the ETag it had, and downloaded again only when S3's ETag differs.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import botocore.exceptions

from sentinel.aws.failures import AWS_FAILURES, describe
from sentinel.errors import SentinelError

_PERIOD = re.compile(r"BILLING_PERIOD=(\d{4})-(\d{2})/")


class ExportError(SentinelError):
    """The export cannot be read: bucket missing, no files, another schema, missing columns."""


@dataclass(frozen=True)
class ExportFile:
    key: str
    etag: str
    size: int
    period: date  # first day of its billing period


@dataclass
class DownloadStats:
    listed_pages: int = 0
    downloads: int = 0
    reused: int = 0


def data_prefix(prefix: str) -> str:
    cleaned = prefix.strip("/")
    return f"{cleaned}/data/" if cleaned else "data/"


def list_export_files(
    s3: Any, bucket: str, prefix: str, stats: DownloadStats, page_size: int | None = None
) -> list[ExportFile]:
    """Every Parquet file of the export, by billing period; raises ExportError when none."""
    where = f"s3://{bucket}/{data_prefix(prefix)}"
    found: list[ExportFile] = []
    try:
        pages = s3.get_paginator("list_objects_v2").paginate(
            Bucket=bucket,
            Prefix=data_prefix(prefix),
            **({"PaginationConfig": {"PageSize": page_size}} if page_size else {}),
        )
        for page in pages:
            stats.listed_pages += 1
            for item in page.get("Contents", []):
                key = str(item["Key"])
                match = _PERIOD.search(key)
                if not key.endswith(".parquet") or match is None:
                    continue
                period = date(int(match.group(1)), int(match.group(2)), 1)
                etag = str(item["ETag"]).strip('"')
                found.append(ExportFile(key, etag, int(item["Size"]), period))
    except botocore.exceptions.ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code == "NoSuchBucket":
            raise ExportError(f"{where}: the bucket {bucket!r} does not exist") from None
        raise ExportError(f"{where}: cannot list the export's files: {describe(exc)}") from None
    except AWS_FAILURES as exc:
        raise ExportError(f"{where}: cannot list the export's files: {describe(exc)}") from None
    if not found:
        raise ExportError(
            f"{where}: no Parquet files under BILLING_PERIOD=YYYY-MM/ (is the export's prefix "
            "right, and has AWS delivered its first files yet? that takes up to 24 hours)"
        )
    return sorted(found, key=lambda f: f.key)


class FileCache:
    """Local copies of export files, each with the ETag it was downloaded at."""

    def __init__(self, root: Path, bucket: str) -> None:
        self.root = root / bucket
        self.bucket = bucket

    def local(self, s3: Any, file: ExportFile, stats: DownloadStats) -> Path:
        path = self.root / file.key
        marker = path.with_name(path.name + ".etag")
        if path.exists() and marker.exists() and _etag(marker) == file.etag:
            stats.reused += 1
            return path
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".part")
        try:
            response = s3.get_object(Bucket=self.bucket, Key=file.key)
            with partial.open("wb") as out:
                for chunk in response["Body"].iter_chunks(1 << 20):
                    out.write(chunk)
        except AWS_FAILURES as exc:
            partial.unlink(missing_ok=True)
            raise ExportError(
                f"s3://{self.bucket}/{file.key}: cannot download: {describe(exc)}"
            ) from None
        partial.replace(path)
        # The ETag of what was read: a file rewritten since the listing is read again next time.
        marker.write_text(json.dumps({"etag": str(response.get("ETag", "")).strip('"')}))
        stats.downloads += 1
        return path


def _etag(marker: Path) -> str:
    try:
        return str(json.loads(marker.read_text())["etag"])
    except (OSError, ValueError, KeyError):
        return ""
