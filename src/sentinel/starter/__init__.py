"""A starter configuration for a new user: routing to one address and AWS's recommended alarms."""

from sentinel.starter.config import StarterError, StarterFile, StarterResult, write_starter
from sentinel.starter.recommended import Recommendation, covered_types, for_type, recommendations

__all__ = [
    "Recommendation",
    "StarterError",
    "StarterFile",
    "StarterResult",
    "covered_types",
    "for_type",
    "recommendations",
    "write_starter",
]
