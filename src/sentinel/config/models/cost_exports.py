"""``cost_report.cur``: the AWS Data Exports export (CUR 2.0 or FOCUS 1.0) cost is read from."""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from sentinel.config.models.base import Model, Region

_BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
_IP = re.compile(r"^\d+\.\d+\.\d+\.\d+$")
_WORKGROUP = re.compile(r"^[a-zA-Z0-9._-]{1,128}$")


def _check_bucket(value: str) -> str:
    """S3's general purpose bucket naming rules."""
    if not _BUCKET.match(value):
        raise ValueError(
            f"invalid bucket name {value!r}: 3 to 63 lower-case letters, digits, '.' and '-', "
            "starting and ending with a letter or digit"
        )
    if ".." in value or _IP.match(value) or value.startswith("xn--") or value.endswith("-s3alias"):
        raise ValueError(
            f"invalid bucket name {value!r}: no '..', IP address form, 'xn--' prefix or "
            "'-s3alias' suffix"
        )
    return value


def _check_prefix(value: str) -> str:
    if value.startswith("s3://"):
        raise ValueError("prefix is the path inside the bucket, without s3:// and bucket name")
    if len(value.encode()) > 900:
        raise ValueError("prefix is over 900 bytes (an S3 key is at most 1024)")
    return value


def _check_output(value: str) -> str:
    if not value.startswith("s3://") or len(value) <= len("s3://"):
        raise ValueError(f"output {value!r} is an s3:// location for Athena's query results")
    _check_bucket(value[len("s3://") :].split("/", 1)[0])
    return value


def _check_workgroup(value: str) -> str:
    if not _WORKGROUP.match(value):
        raise ValueError(f"invalid workgroup {value!r}: 1 to 128 letters, digits, '.', '_' and '-'")
    return value


Bucket = Annotated[str, AfterValidator(_check_bucket)]


class AthenaTable(Model):
    workgroup: Annotated[str, AfterValidator(_check_workgroup)] = "primary"
    database: str = Field(min_length=1, max_length=255)
    table: str = Field(min_length=1, max_length=255)
    output: Annotated[str, AfterValidator(_check_output)] | None = Field(
        default=None, description="s3:// location of results (default: the workgroup's)"
    )
    catalog: str | None = Field(default=None, min_length=1, max_length=256)
    partition_column: str | None = Field(
        default="billing_period",
        description="the table's YYYY-MM partition column; null when it has none",
    )


class CurExport(Model):
    bucket: Bucket
    prefix: Annotated[str, AfterValidator(_check_prefix)] = Field(
        description="path to the export: <S3 path prefix>/<export name>"
    )
    format: Literal["cur2", "focus"] = "cur2"
    engine: Literal["duckdb", "athena"] = "duckdb"
    region: Region | None = None
    cache_dir: str = Field(default=".sentinel/cur", description="relative to the config")
    athena: AthenaTable | None = None

    @model_validator(mode="after")
    def _athena_block(self) -> CurExport:
        if self.engine == "athena" and self.athena is None:
            raise ValueError(
                "engine: athena needs an `athena:` block (workgroup, database, table, output)"
            )
        return self
