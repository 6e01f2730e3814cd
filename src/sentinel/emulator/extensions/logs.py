"""CloudWatch Logs' PutRetentionPolicy refuses a number of days it does not offer.

AWS accepts only the documented retention values (1, 3, 5, 7, 14, 30, ... 3653 days) and
answers any other with InvalidParameterException; moto stores whatever it is given, so a
retention AWS would refuse would pass every test.
"""

from __future__ import annotations

from typing import Any

from moto.logs.exceptions import InvalidParameterException
from moto.logs.models import LogsBackend

from sentinel.config.models.log_groups import RETENTION_DAYS

_MARK = "_sentinel_retention"


def install() -> None:
    original = LogsBackend.put_retention_policy
    if getattr(original, _MARK, False):
        return

    def put_retention_policy(self: Any, log_group_name: str, retention_in_days: Any) -> None:
        if retention_in_days not in RETENTION_DAYS:
            raise InvalidParameterException(
                constraint=f"Member must satisfy enum value set: {list(RETENTION_DAYS)}",
                parameter="retentionInDays",
                value=retention_in_days,
            )
        original(self, log_group_name, retention_in_days)

    setattr(put_retention_policy, _MARK, True)
    LogsBackend.put_retention_policy = put_retention_policy  # type: ignore[method-assign]
