"""What became of one delivery of a report to one place."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryResult:
    """``posted``, ``queued`` (will be retried), ``already posted`` or ``not configured``."""

    status: str
    target: str = ""
    detail: str = ""
    kind: str = "slack"  # slack, email or topic: where ``target`` is

    @property
    def delivered(self) -> bool:
        return self.status in ("posted", "already posted")
