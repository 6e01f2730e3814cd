"""DescribeDBClusters in pages, as AWS answers it; moto answers every cluster at once.

AWS takes ``MaxRecords`` from 20 to 100 (100 by default; InvalidParameterValue outside) and
answers a ``Marker`` while clusters remain. One cluster by ``DBClusterIdentifier`` and the
filters are left to moto.
"""

from __future__ import annotations

from typing import Any

from moto.core.responses import ActionResult
from moto.rds.exceptions import InvalidParameterValue
from moto.rds.responses import RDSResponse

MIN_RECORDS, MAX_RECORDS = 20, 100
_MARK = "_sentinel_pages"


def install() -> None:
    original = RDSResponse.describe_db_clusters
    if getattr(original, _MARK, False):
        return

    def describe_db_clusters(self: Any) -> ActionResult:
        answer = original(self)
        limit = int(self.params.get("MaxRecords") or MAX_RECORDS)
        if not MIN_RECORDS <= limit <= MAX_RECORDS:
            raise InvalidParameterValue(
                f"Invalid value {limit} for MaxRecords. Must be between "
                f"{MIN_RECORDS} and {MAX_RECORDS}"
            )
        clusters = list(answer.result["DBClusters"])  # type: ignore[index]
        start = int(self.params.get("Marker") or 0)
        result: dict[str, Any] = {"DBClusters": clusters[start : start + limit]}
        if start + limit < len(clusters):
            result["Marker"] = str(start + limit)
        return ActionResult(result)

    setattr(describe_db_clusters, _MARK, True)
    RDSResponse.describe_db_clusters = describe_db_clusters  # type: ignore[method-assign]
