"""Cost governance: Cost Explorer ingestion and cache, the daily report, anomaly detection.

Data first, rendering apart: ``report.build_report`` returns a ``DailyReport``; the
``render_*`` modules turn it into a terminal view, Slack blocks, HTML or Markdown.
"""
