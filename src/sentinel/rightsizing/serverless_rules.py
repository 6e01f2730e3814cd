"""The Lambda and Aurora Serverless v2 rules of ``rightsizing_rules.yaml``, as data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from sentinel.config.units import parse_percent
from sentinel.rightsizing.rules import RULES_FILE


@dataclass(frozen=True)
class LambdaRules:
    min_invocations: int
    percentile: float
    step_mb: int
    min_mb: int
    max_mb: int


@dataclass(frozen=True)
class AuroraRules:
    floor_share_of_hours: float
    ceiling_share_of_hours: float
    min_acu: float
    max_acu: float
    min_max_acu: float


@cache
def _raw() -> dict[str, dict[str, object]]:
    text = resources.files("sentinel").joinpath("data", RULES_FILE).read_text("utf-8")
    return dict(yaml.safe_load(text))


@cache
def lambda_rules() -> LambdaRules:
    raw = _raw()["lambda"]
    return LambdaRules(
        min_invocations=int(str(raw["min_invocations"])),
        percentile=float(str(raw["percentile"])),
        step_mb=int(str(raw["step_mb"])),
        min_mb=int(str(raw["min_mb"])),
        max_mb=int(str(raw["max_mb"])),
    )


@cache
def aurora_rules() -> AuroraRules:
    raw = _raw()["aurora_serverless"]
    return AuroraRules(
        floor_share_of_hours=float(parse_percent(raw["floor_share_of_hours"])) / 100,
        ceiling_share_of_hours=float(parse_percent(raw["ceiling_share_of_hours"])) / 100,
        min_acu=float(str(raw["min_acu"])),
        max_acu=float(str(raw["max_acu"])),
        min_max_acu=float(str(raw["min_max_acu"])),
    )
