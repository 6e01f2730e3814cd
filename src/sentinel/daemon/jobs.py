"""Every daemon job as "module:ATTRIBUTE" (a JobSpec); one line per job, added when it works."""

from __future__ import annotations

ALL: list[str] = []
ALL.append("sentinel.cost.jobs:COST_REPORT")
ALL.append("sentinel.cost.jobs:WEEKLY_REPORT")
ALL.append("sentinel.cost.jobs:ANOMALY_SCAN")
ALL.append("sentinel.cost.jobs:DELIVERIES")
ALL.append("sentinel.slo.jobs:SLO_REVIEW")
ALL.append("sentinel.rightsizing.jobs:RIGHTSIZING")
ALL.append("sentinel.routing.maintenance_notices:MAINTENANCE_NOTICES")
