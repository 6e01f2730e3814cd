"""Slack Block Kit for the daily report and for anomaly notices, within Slack's limits.

Limits (Slack's documentation): 50 blocks a message, 3,000 characters in a section's text,
2,000 in a field, 10 fields a section, 150 in a header. ``fit`` enforces them on any block list,
so no report, however many budgets or anomalies it has, is refused by Slack.
"""

from __future__ import annotations

from typing import Any

from sentinel.cost.anomalies import CostAnomaly
from sentinel.cost.commitments import CommitmentStatus
from sentinel.cost.money import percent, signed_percent, signed_usd, usd
from sentinel.cost.report import DailyReport
from sentinel.cost.summary import (
    anomaly_line,
    budget_line,
    budget_notes,
    commitment_line,
    data_notes,
    headline,
    month_lines,
    requests_line,
    yesterday_lines,
)

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_HEADER_TEXT = 150
MAX_CONTEXT_ELEMENTS = 10
STATE_EMOJI = {
    "over": ":red_circle:",
    "forecast over": ":large_orange_circle:",
    "alert": ":large_yellow_circle:",
    "ok": ":large_green_circle:",
}


COMMITMENT_EMOJI = {"below": ":red_circle:", "ok": ":large_green_circle:", "unknown": ""}


def escape(text: str) -> str:
    """Slack mrkdwn control characters, as Slack asks them escaped."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def report_message(report: DailyReport) -> dict[str, Any]:
    """``text`` (notification fallback) and ``blocks`` of the report."""
    blocks = opening_blocks(
        headline(report),
        ("Yesterday", yesterday_lines(report)),
        ("This month", month_lines(report)),
    )
    if report.budgets:
        lines = [
            f"{STATE_EMOJI.get(s.state, '')} {escape(budget_line(s))}".strip()
            for s in report.budgets
        ]
        sources = budget_notes(report.budgets)
        if sources:
            lines.append(f"_{escape(sources)}_")
        blocks.append(_section("*Budgets*\n" + "\n".join(lines)))
    if report.commitments:
        blocks.append(commitments_section(report.commitments))
    if report.movers:
        lines = [
            f"• {escape(m.service)}: {usd(m.change.current)} "
            f"({signed_usd(m.change.amount)}, {signed_percent(m.change.percent)})"
            for m in report.movers
        ]
        blocks.append(_section("*Top movers* (last 7 days vs the 7 before)\n" + "\n".join(lines)))
    tagging = [c for c in report.tagging if c.available and c.unattributed > 0]
    if tagging:
        lines = [
            f"• {escape(c.key)}: {usd(c.untagged)} untagged, {usd(c.mistagged)} mis-tagged"
            f" ({percent(c.percent)})"
            + (
                " — " + ", ".join(escape(v or "(empty)") for v in list(c.bad_values)[:3])
                if c.bad_values
                else ""
            )
            for c in tagging
        ]
        blocks.append(_section("*Unattributed spend* (month to date)\n" + "\n".join(lines)))
    blocks.append({"type": "divider"})
    if report.anomalies:
        blocks.append(_section(f"*Anomalies* (last 7 days): {len(report.anomalies)}"))
        blocks.extend(
            _section(
                (":small_red_triangle_down: " if a.is_drop else ":warning: ")
                + escape(anomaly_line(a))
            )
            for a in report.anomalies
        )
    else:
        blocks.append(_section("*Anomalies* (last 7 days): none :white_check_mark:"))
    notes = [escape(n) for n in data_notes(report)] + [requests_line(report.ce_requests)]
    blocks.append({"type": "context", "elements": [_mrkdwn(n) for n in notes]})
    text = (
        f"{headline(report)}: {usd(report.yesterday.current)}, "
        f"month to date {usd(report.month_to_date.current)}"
    )
    return {"text": text, "blocks": fit(blocks)}


def commitments_section(statuses: list[CommitmentStatus]) -> dict[str, Any]:
    lines = [
        f"{COMMITMENT_EMOJI.get(s.state, '')} {escape(commitment_line(s))}".strip()
        for s in statuses
    ]
    return _section("*Reservations and Savings Plans*\n" + "\n".join(lines))


def anomaly_message(anomaly: CostAnomaly, project: str, update: bool = False) -> dict[str, Any]:
    """A notice of one anomaly (``update``: a later notice of the same, ongoing one)."""
    kind = "Spend drop" if anomaly.is_drop else "Cost anomaly"
    title = f"{kind}{' update' if update else ''}: {anomaly.series.label}"
    fields = [
        _mrkdwn(f"*Since*\n{anomaly.start:%a %d %b}" + (" (ongoing)" if anomaly.ongoing else "")),
        _mrkdwn(f"*Days*\n{anomaly.days}"),
        _mrkdwn(f"*Latest day*\n{usd(anomaly.actual)} vs {usd(anomaly.expected)} expected"),
        _mrkdwn(
            f"*Impact so far*\n{signed_usd(anomaly.impact)} ({signed_percent(anomaly.percent)})"
        ),
    ]
    blocks: list[dict[str, Any]] = [_header(f"{project}: {title}")]
    if anomaly.is_drop:
        blocks.append(
            _section(
                f"Spend dropped by {usd(-anomaly.impact)} "
                f"({signed_percent(anomaly.percent)}): a drop often means something stopped "
                "(a backup job, a replica, a whole service)."
            )
        )
    blocks.append({"type": "section", "fields": fields})
    if anomaly.drivers:
        lines = [
            f"• {escape(d.kind)} {escape(d.name)}: {signed_usd(d.impact)}/day"
            for d in anomaly.drivers
        ]
        blocks.append(_section("*Driven by*\n" + "\n".join(lines)))
    if anomaly.related:
        blocks.append(
            {
                "type": "context",
                "elements": [_mrkdwn("Also seen in: " + escape(", ".join(anomaly.related)))],
            }
        )
    text = f"{project}: {title} ({signed_usd(anomaly.impact)})"
    if anomaly.is_drop:
        text = f"{project}: {title}: spend dropped ({signed_usd(anomaly.impact)})"
    return {"text": text, "blocks": fit(blocks)}


def fit(blocks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The blocks cut to Slack's limits: text truncated with an ellipsis, at most 50 blocks."""
    out = [_fit_block(b) for b in blocks]
    if len(out) > MAX_BLOCKS:
        dropped = len(out) - MAX_BLOCKS + 1
        # Keep the head of the message and its closing context; say what was left out.
        tail = out[-1:] if out[-1].get("type") == "context" else []
        head = out[: MAX_BLOCKS - 1 - len(tail)]
        note = _section(f"_{dropped} more not shown: see the full report (--out report.html)._")
        out = [*head, note, *tail]
    return out


def _fit_block(block: dict[str, Any]) -> dict[str, Any]:
    block = dict(block)
    kind = block.get("type")
    if kind == "header":
        block["text"] = {**block["text"], "text": _cut(block["text"]["text"], MAX_HEADER_TEXT)}
    elif kind == "section":
        if "text" in block:
            block["text"] = {**block["text"], "text": _cut(block["text"]["text"], MAX_SECTION_TEXT)}
        if "fields" in block:
            block["fields"] = [
                {**f, "text": _cut(f["text"], MAX_FIELD_TEXT)} for f in block["fields"][:MAX_FIELDS]
            ]
    elif kind == "context":
        block["elements"] = [
            {**e, "text": _cut(e["text"], MAX_SECTION_TEXT)}
            for e in block["elements"][:MAX_CONTEXT_ELEMENTS]
        ]
    return block


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def opening_blocks(
    title: str, left: tuple[str, list[str]], right: tuple[str, list[str]]
) -> list[dict[str, Any]]:
    """A report's header and its two side-by-side summary fields, each a title over lines."""
    fields = [_mrkdwn(f"*{name}*\n" + escape("\n".join(lines))) for name, lines in (left, right)]
    return [_header(title), {"type": "section", "fields": fields}]


def _header(text: str) -> dict[str, Any]:
    return {"type": "header", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": _mrkdwn(text)}


def _mrkdwn(text: str) -> dict[str, str]:
    return {"type": "mrkdwn", "text": text}
