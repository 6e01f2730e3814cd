"""Sentinel's extensions to moto, one module per AWS service, each with an ``install()``.

``install()`` patches moto's classes at runtime (installed files are never edited), so the same
extensions serve the emulator's server and in-process ``moto.mock_aws`` in tests. It is
idempotent: installing twice changes nothing.
"""

from __future__ import annotations

import threading
from importlib import import_module

# Modules of this package, each exposing install() -> None.
# metric_data comes after cloudwatch: it wraps cloudwatch's GetMetricData.
SERVICES: tuple[str, ...] = (
    "one_at_a_time",
    "costexplorer",
    "cloudwatch",
    "cloudwatch_alarms",
    "anomaly_detectors",
    "docdb",
    "dashboards",
    "budgets",
    "tagging",
    "metric_data",
    "ssm",
    "sts",
    "events",
    "route53",
    "synthetics",
    "logs",
    "logs_insights",
    "rds_pages",
    "athena",
    "sns_cross_account",
    "sns",
)

_lock = threading.Lock()
_installed = False


def install() -> None:
    """Install every service extension into moto (once per process)."""
    global _installed
    with _lock:
        if _installed:
            return
        for service in SERVICES:
            import_module(f"{__name__}.{service}").install()
        _installed = True
