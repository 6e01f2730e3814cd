"""The report as a file: a self-contained HTML page (chart embedded) or Markdown (chart beside).

Both are built from the same rows, so an HTML and a Markdown report always say the same thing.
"""

from __future__ import annotations

import base64
import html
from dataclasses import dataclass
from pathlib import Path

from sentinel.cost.chart import render_chart
from sentinel.cost.commitments import CommitmentStatus, points
from sentinel.cost.money import percent, signed_percent, signed_usd, usd
from sentinel.cost.report import DailyReport
from sentinel.cost.summary import (
    anomaly_line,
    budget_notes,
    crossed_short,
    data_notes,
    headline,
    month_lines,
    requests_line,
    yesterday_lines,
)


@dataclass(frozen=True)
class TableData:
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""


def commitments_data(statuses: list[CommitmentStatus]) -> TableData:
    return TableData(
        "Reservations and Savings Plans",
        ["budget", "measure", "days", "figure", "target", "below"],
        [
            [
                s.name,
                s.label,
                f"{s.start:%d %b}-{s.end:%d %b}",
                f"{points(s.percent)}%" if s.percent is not None else f"n/a ({s.note})",
                f"{points(s.target)}%" if s.target is not None else "-",
                ", ".join(f"{points(t)}%" for t in s.alerts_below) or "-",
            ]
            for s in statuses
        ],
    )


def report_tables(report: DailyReport) -> list[TableData]:
    tables = []
    if report.budgets:
        tables.append(
            TableData(
                "Budgets (this month)",
                ["budget", "spent", "limit", "used", "forecast", "alerts crossed"],
                [
                    [
                        s.name,
                        usd(s.actual),
                        usd(s.limit),
                        percent(s.used_percent),
                        f"{usd(s.forecast)} ({percent(s.forecast_percent)})",
                        ", ".join(crossed_short(a) for a in s.alerts_crossed) or "-",
                    ]
                    for s in report.budgets
                ],
                budget_notes(report.budgets),
            )
        )
    if report.commitments:
        tables.append(commitments_data(report.commitments))
    if report.movers:
        tables.append(
            TableData(
                "Top movers (last 7 days vs the 7 before)",
                ["service", "last 7 days", "change", "%"],
                [
                    [
                        m.service,
                        usd(m.change.current),
                        signed_usd(m.change.amount),
                        signed_percent(m.change.percent),
                    ]
                    for m in report.movers
                ],
            )
        )
    if report.top_services:
        tables.append(
            TableData(
                f"Biggest services on {report.day:%d %b}",
                ["service", "cost"],
                [[s, usd(a)] for s, a in report.top_services],
            )
        )
    if report.tagging:
        tables.append(
            TableData(
                "Spend the tagging rules cannot attribute (month to date)",
                ["tag key", "untagged", "mis-tagged", "share", "values not allowed"],
                [
                    [
                        c.key,
                        usd(c.untagged) if c.available else "n/a",
                        usd(c.mistagged) if c.available else "n/a",
                        percent(c.percent) if c.available else "n/a",
                        ", ".join(f"{v or '(empty)'} {usd(a)}" for v, a in c.bad_values.items()),
                    ]
                    for c in report.tagging
                ],
            )
        )
    return tables


def write_report(report: DailyReport, path: Path) -> list[Path]:
    """Write ``path`` (.html or .md); returns the files written (Markdown adds a PNG)."""
    chart = render_chart(report.chart, f"{report.project}: daily cost by service, and forecast")
    if path.suffix.lower() in (".html", ".htm"):
        path.write_text(report_html(report, chart), encoding="utf-8")
        return [path]
    if path.suffix.lower() in (".md", ".markdown"):
        image = path.with_suffix(".png")
        image.write_bytes(chart)
        path.write_text(report_markdown(report, image.name), encoding="utf-8")
        return [path, image]
    raise ValueError(f"unsupported report format {path.suffix!r}: use .html or .md")


def report_html(report: DailyReport, chart_png: bytes) -> str:
    e = html.escape
    image = base64.b64encode(chart_png).decode()
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{e(headline(report))}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{e(headline(report))}</h1>",
        '<div class="overview">',
        "<div><h2>Yesterday</h2>" + "".join(f"<p>{e(x)}</p>" for x in yesterday_lines(report)),
        "</div><div><h2>This month</h2>"
        + "".join(f"<p>{e(x)}</p>" for x in month_lines(report))
        + "</div></div>",
        f'<img alt="daily cost by service, last 30 days, and forecast" '
        f'src="data:image/png;base64,{image}">',
    ]
    for table in report_tables(report):
        parts.append(f"<h2>{e(table.title)}</h2><table><thead><tr>")
        parts.extend(f"<th>{e(c)}</th>" for c in table.columns)
        parts.append("</tr></thead><tbody>")
        for row in table.rows:
            parts.append("<tr>" + "".join(f"<td>{e(v)}</td>" for v in row) + "</tr>")
        parts.append("</tbody></table>")
        if table.note:
            parts.append(f'<p class="note">{e(table.note)}</p>')
    parts.append("<h2>Anomalies (last 7 days)</h2>")
    if report.anomalies:
        parts.append(
            "<ul>" + "".join(f"<li>{e(anomaly_line(a))}</li>" for a in report.anomalies) + "</ul>"
        )
    else:
        parts.append("<p>None.</p>")
    notes = [*data_notes(report), requests_line(report.ce_requests)]
    parts.append("<footer>" + "".join(f"<p>{e(n)}</p>" for n in notes) + "</footer>")
    parts.append("</body></html>")
    return "\n".join(parts)


def report_markdown(report: DailyReport, image_name: str) -> str:
    lines = [f"# {headline(report)}", "", "## Yesterday", ""]
    lines += [f"- {_md(x)}" for x in yesterday_lines(report)]
    lines += ["", "## This month", ""]
    lines += [f"- {_md(x)}" for x in month_lines(report)]
    lines += ["", f"![daily cost by service, last 30 days, and forecast]({image_name})", ""]
    for table in report_tables(report):
        lines += [f"## {table.title}", ""]
        lines.append("| " + " | ".join(table.columns) + " |")
        lines.append("|" + "|".join("---" for _ in table.columns) + "|")
        lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in table.rows]
        lines.append("")
        if table.note:
            lines += [f"_{_md(table.note)}_", ""]
    lines += ["## Anomalies (last 7 days)", ""]
    lines += [f"- {_md(anomaly_line(a))}" for a in report.anomalies] or ["None."]
    lines += [
        "",
        *(f"_{_md(n)}_  " for n in [*data_notes(report), requests_line(report.ce_requests)]),
    ]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|")


_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;max-width:1100px;margin:2em auto;
color:#1d1d1f;padding:0 1em}
h1{font-size:1.5em}h2{font-size:1.1em;margin-top:1.6em}
.overview{display:flex;gap:4em}.overview p{margin:.2em 0}
img{max-width:100%;margin-top:1em}
table{border-collapse:collapse;font-size:.9em}
th,td{border-bottom:1px solid #e5e5e5;padding:.3em .8em;text-align:left}
td:not(:first-child){font-variant-numeric:tabular-nums}
footer,.note{color:#6e6e73;font-size:.85em}footer{margin-top:2em}
"""
