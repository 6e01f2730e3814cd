"""Checks of ``cost_report.source``: the Data Exports source needs its export."""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.models.monitors import MonitorsFile


def check_cost_source(model: MonitorsFile, source: Source, build: Assembly) -> None:
    report = model.cost_report
    if report is None or report.source != "cur" or report.cur is not None:
        return
    build.problem(
        source.where("cost_report", "source"),
        "source: cur reads an AWS Data Exports export: add `cur: {bucket, prefix, format}` "
        "under cost_report",
    )
