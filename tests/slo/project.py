"""``orders``: a small project with SLOs, written to a temporary directory."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

LB = "app/orders-alb/0123456789abcdef"

PROJECT = """\
project: orders
regions: [us-east-1]
tags: {Team: orders}
"""

ROUTING = """\
severities:
  critical:
    page: true
    notify:
      - email: oncall@orders.example.com
  warning:
    ok_actions: false
    notify:
      - email: team@orders.example.com
"""

SLOS = f"""\
slos:
  - name: checkout-availability
    service: checkout
    objective: 99.9%
    window: 30d
    availability:
      errors:
        namespace: AWS/ApplicationELB
        metric: HTTPCode_Target_5XX_Count
        dimensions: {{LoadBalancer: {LB}}}
        stat: Sum
      total:
        namespace: AWS/ApplicationELB
        metric: RequestCount
        dimensions: {{LoadBalancer: {LB}}}
        stat: Sum
    alerting: {{page: critical, ticket: warning, min_requests: 100}}
  - name: checkout-latency
    service: checkout
    objective: 95%
    window: 28d
    latency:
      metric:
        namespace: AWS/ApplicationELB
        metric: TargetResponseTime
        dimensions: {{LoadBalancer: {LB}}}
      threshold: 200ms
      total:
        namespace: AWS/ApplicationELB
        metric: RequestCount
        dimensions: {{LoadBalancer: {LB}}}
        stat: Sum
    alerting: {{ticket: warning}}
"""


def write_project(root: Path, files: dict[str, str] | None = None) -> Path:
    """The project under ``root``; ``files`` replaces files by relative path ('' removes)."""
    layout = {
        "sentinel.yaml": PROJECT,
        "alarms/routing.yaml": ROUTING,
        "monitors/slos.yaml": SLOS,
        **(files or {}),
    }
    root.mkdir(parents=True, exist_ok=True)
    for relative, text in layout.items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if text:
            path.write_text(dedent(text), encoding="utf-8")
        elif path.exists():
            path.unlink()
    return root
