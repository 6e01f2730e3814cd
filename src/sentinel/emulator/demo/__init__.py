"""The demo account: the P2P Sandbox system seeded into the emulator, and its ground truth.

``seed_demo_account()`` creates it; the constants below say what is true of it by construction
(anomalies, idle and oversized instances, tag violations, the latency incident), so that tests
of later features can assert exactly against them.
"""

from sentinel.emulator.demo.ground_truth import (
    ALLOWED_ENVIRONMENTS,
    BUSY_INSTANCES,
    COST_ALLOCATION_TAGS,
    COST_HISTORY_MONTHS,
    DEMO_ANOMALIES,
    IDLE_INSTANCES,
    LATENCY_INCIDENT,
    METRIC_DAYS,
    OVERSIZED,
    REQUIRED_TAGS,
    SEED,
    TAG_VIOLATIONS,
    DemoCostAnomaly,
    IdleInstance,
    LatencyIncident,
    OversizedInstance,
    TagViolation,
)
from sentinel.emulator.demo.layout import LAYOUT, PROJECT, REGION
from sentinel.emulator.demo.seed import SeedSummary, emulator_factory, seed_demo_account

__all__ = [
    "ALLOWED_ENVIRONMENTS",
    "BUSY_INSTANCES",
    "COST_ALLOCATION_TAGS",
    "COST_HISTORY_MONTHS",
    "DEMO_ANOMALIES",
    "IDLE_INSTANCES",
    "LATENCY_INCIDENT",
    "LAYOUT",
    "METRIC_DAYS",
    "OVERSIZED",
    "PROJECT",
    "REGION",
    "REQUIRED_TAGS",
    "SEED",
    "TAG_VIOLATIONS",
    "DemoCostAnomaly",
    "IdleInstance",
    "LatencyIncident",
    "OversizedInstance",
    "SeedSummary",
    "TagViolation",
    "emulator_factory",
    "seed_demo_account",
]
