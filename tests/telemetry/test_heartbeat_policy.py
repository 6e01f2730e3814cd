"""`sentinel iam-policy --for route|daemon` allows cloudwatch:PutMetricData when the heartbeat is
watched (`self_monitoring:`), and not otherwise."""

from __future__ import annotations

from pathlib import Path

from sentinel.aws.iam_policy import policy
from sentinel.config import load_config

REPOSITORY = Path(__file__).resolve().parents[2]


def allowed(flow: str, root: Path) -> set[str]:
    document = policy(flow, load_config(root))
    return {action for statement in document["Statement"] for action in statement["Action"]}


def test_the_heartbeat_is_allowed_only_where_it_is_watched() -> None:
    watched, unwatched = REPOSITORY / "examples" / "caja", REPOSITORY / "examples" / "ips"
    for flow in ("route", "daemon"):
        assert "cloudwatch:PutMetricData" in allowed(flow, watched), flow
        assert "cloudwatch:PutMetricData" not in allowed(flow, unwatched), flow
    assert "cloudwatch:PutMetricData" not in allowed("apply", watched)
    # Without a configuration: every flow as it might be configured.
    assert "cloudwatch:PutMetricData" in {
        action for statement in policy("route")["Statement"] for action in statement["Action"]
    }
