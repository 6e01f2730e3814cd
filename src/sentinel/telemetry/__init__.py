"""Sentinel watching itself: Prometheus metrics, a health endpoint, a CloudWatch heartbeat.

``sentinel route`` and ``sentinel daemon`` serve ``/metrics`` and ``/healthz`` on
``--metrics-port`` (``server``) from a registry of their own (``metrics``), judge their own
health from the progress of their loop (``health``), and publish ``Sentinel/Heartbeat`` every
minute while healthy (``heartbeat``), so the alarm that ``self_monitoring:`` in sentinel.yaml
declares fires when either stops. ``process`` puts these together for a command.
"""
