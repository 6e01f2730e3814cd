"""``uptime:`` in ``monitors/*.yaml``: Route 53 health checks and Synthetics canaries of URLs."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Literal

from pydantic import Field, field_validator

from sentinel.config.models.base import Model, Name
from sentinel.config.units import Duration, Latency, Percent

# Route 53 probes at one of these intervals only (RequestInterval), in seconds.
HEALTH_CHECK_INTERVALS = (10, 30)
# Synthetics schedules run at most once a minute: rate(1 minute) is the fastest.
CANARY_MIN_EVERY = 60
# ... and at least once an hour: rate(1 hour) is the slowest rate.
CANARY_MAX_EVERY = 3600
FAILURE_THRESHOLDS = range(1, 11)
_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+$")
_S3_LOCATION = re.compile(r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/\S*)?$")


class CanaryRequest(Model):
    """One request of an API canary and the status code it must answer with."""

    method: Literal["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] = "GET"
    url: str
    body: str | None = None
    expect: int = Field(200, ge=100, le=599)


class CanaryScript(Model):
    requests: list[CanaryRequest] = Field(min_length=1, max_length=20)


class UptimeCheck(Model):
    """A health check (``check: URL``) or a canary (``canary: URL`` or ``{requests: [...]}``)."""

    name: Name
    description: str | None = None
    severity: str
    check: str | None = None
    interval: Duration = 30
    # Ranges are checked with the URL (checks_uptime), so that one file's errors come together.
    failure_threshold: int = 3
    regions: list[str] | None = None
    search: str | None = Field(None, min_length=1, max_length=255)
    canary: str | CanaryScript | None = None
    every: Duration = 300
    # The share of runs that must pass: one failed run in the period alarms by default.
    success_below: Percent = Decimal(100)
    # A canary whose runs take longer on average over a period alarms too (a page-load target).
    slower_than: Latency | None = None
    slow_severity: str | None = None

    @property
    def is_canary(self) -> bool:
        return self.canary is not None


class UptimeDefaults(Model):
    """What every canary needs: the role it runs as and where it keeps its artifacts."""

    canary_role: str
    artifacts: str

    @field_validator("canary_role")
    @classmethod
    def _role_arn(cls, value: str) -> str:
        if not _ROLE_ARN.match(value):
            raise ValueError(f"{value!r} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)")
        return value

    @field_validator("artifacts")
    @classmethod
    def _s3_location(cls, value: str) -> str:
        if not _S3_LOCATION.match(value):
            raise ValueError(f"{value!r} is not an S3 location (s3://BUCKET/PREFIX)")
        return value
