"""A plan as Markdown for a pull-request comment: counts, conflicts, one section per kind, cost.

GitHub refuses a comment of 65,536 characters or more, so the text is fitted under that limit:
sections that would not fit are cut to what fits, each saying how many of its entries are left
out and pointing at ``sentinel plan`` for the full plan. Sensitive values are shown as the plan
shows them, ``(sensitive)``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sentinel.sync.bill import Bill, line_text, money, monthly_cost
from sentinel.sync.model import Action, Change, Plan

GITHUB_COMMENT_LIMIT = 65_536  # characters; a comment must be shorter
VALUE_LIMIT = 300  # characters of one field value; the full value is in `sentinel plan`
FULL_PLAN = "run `sentinel plan` for the full plan"
TRUNCATED = (
    "> [!NOTE]\n> This plan is too long for one comment: the sections below are cut short; "
    f"{FULL_PLAN}.\n\n"
)
_EMPTY: tuple[Any, ...] = ("", [], {})


@dataclass
class _Section:
    """A part of the comment that may be cut short: a head, entries, a tail."""

    head: str
    entries: list[str] = field(default_factory=list)
    tail: str = ""
    noun: str = "changes"

    def text(self, shown: int | None = None) -> str:
        shown = len(self.entries) if shown is None else shown
        return self.head + "".join(self.entries[:shown]) + self._note(shown) + self.tail

    def _note(self, shown: int) -> str:
        more = len(self.entries) - shown
        if not more:
            return ""
        return ("\n" if shown else "") + f"… {more} more {self.noun} not shown; {FULL_PLAN}\n"

    def fit(self, budget: int) -> str:
        """As many entries as fit in ``budget`` characters (the head and the note always)."""
        fixed = len(self.head) + len(self.tail)
        used = 0
        shown = 0
        for count, entry in enumerate(self.entries, start=1):
            used += len(entry)
            if fixed + used + len(self._note(count)) > budget:
                break
            shown = count
        return self.text(shown)


def render_markdown(plan: Plan, limit: int = GITHUB_COMMENT_LIMIT) -> str:
    """The plan as a comment shorter than ``limit`` characters."""
    head = _heading(plan)
    cost = _cost(monthly_cost(plan)) if not plan.is_empty else ""
    sections = _sections(plan)
    whole = head + "".join(s.text() for s in sections) + cost
    if len(whole) < limit:
        return whole
    budget = limit - 1 - len(head) - len(cost) - len(TRUNCATED)
    shares = _shares([len(s.text()) for s in sections], budget)
    texts = [section.fit(share) for section, share in zip(sections, shares, strict=True)]
    text = TRUNCATED + head + "".join(texts) + cost
    if len(text) >= limit:  # a pathological plan (huge conflict messages): cut it flat
        cut = f"\n\n… cut at GitHub's comment limit; {FULL_PLAN}.\n"
        text = text[: limit - 1 - len(cut)] + cut
    return text


def _shares(sizes: list[int], budget: int) -> list[int]:
    """Each section's budget: a fair share, what small sections leave passed to the others."""
    shares = [0] * len(sizes)
    remaining = max(0, budget)
    order = sorted(range(len(sizes)), key=lambda i: sizes[i])
    for position, index in enumerate(order):
        share = remaining // (len(order) - position)
        shares[index] = min(sizes[index], share)
        remaining -= shares[index]
    return shares


def _heading(plan: Plan) -> str:
    lines = [
        f"## Sentinel plan: {_code(plan.project)} in {plan.region}",
        "",
        f"**{plan.summary()}**",
        "",
    ]
    if plan.is_empty:
        return "\n".join(lines) + "\n"
    actions = [a for a in Action if plan.count(a)]
    kinds = _by_kind(plan.changes)
    lines.append("| Kind | " + " | ".join(a.value for a in actions) + " |")
    lines.append("| --- |" + " ---: |" * len(actions))
    for kind, changes in kinds.items():
        counts = [sum(1 for c in changes if c.action is a) for a in actions]
        lines.append(f"| {kind} | " + " | ".join(str(n) for n in counts) + " |")
    totals = " | ".join(f"**{plan.count(a)}**" for a in actions)
    lines.append(f"| **total** | {totals} |")
    return "\n".join(lines) + "\n\n"


def _sections(plan: Plan) -> list[_Section]:
    sections = []
    if plan.conflicts:
        sections.append(
            _Section(
                f"### Conflicts ({len(plan.conflicts)})\n\n",
                [
                    f"- **{_code(c.kind)} {_code(c.key)}**: {_plain(c.message)}\n"
                    for c in plan.conflicts
                ],
                "\n",
                "conflicts",
            )
        )
    if plan.warnings:
        sections.append(
            _Section(
                f"### Warnings ({len(plan.warnings)})\n\n",
                [f"- {_code(w.source)}: {_plain(w.message)}\n" for w in plan.warnings],
                "\n",
                "warnings",
            )
        )
    if plan.kept:
        sections.append(
            _Section(
                f"### Kept ({len(plan.kept)})\n\n",
                [f"- {_code(k.kind)} {_code(k.key)}: {_plain(k.reason)}\n" for k in plan.kept],
                "\n",
                "kept resources",
            )
        )
    for kind, changes in _by_kind(plan.changes).items():
        counts = ", ".join(
            f"{n} to {a.value}" for a in Action if (n := sum(1 for c in changes if c.action is a))
        )
        sections.append(
            _Section(
                f"<details><summary><b>{_html(kind)}</b>: {counts}</summary>\n\n",
                [_change(c) for c in changes],
                "\n</details>\n\n",
            )
        )
    return sections


def _change(change: Change) -> str:
    where = f" ({_code(change.source)})" if change.source else ""
    lines = [f"- {_code(change.action.symbol)} **{_code(change.key)}**{where}"]
    if change.action is not Action.DELETE:
        for fc in change.fields:
            old, new = fc.shown()
            if change.action is Action.CREATE:
                if new not in _EMPTY:
                    lines.append(f"  - {_code(fc.field)}: {_code(_value(new))}")
            else:
                lines.append(f"  - {_code(fc.field)}: {_code(_value(old))} → {_code(_value(new))}")
    return "\n".join(lines) + "\n"


def _cost(bill: Bill) -> str:
    prices = bill.prices
    lines = [f"### Monthly CloudWatch cost of this change: {money(bill.delta)}", ""]
    for line in bill.changed:
        lines.append(f"- {_plain(line_text(bill, line))}")
    if not bill.changed:
        lines.append("- no alarm or dashboard is added or removed")
    lines += [
        "",
        f"<sub>{prices.region} prices from {prices.source}, read {prices.read}; "
        f"{_html('; '.join(bill.notes))}.</sub>",
        "",
    ]
    return "\n".join(lines)


def _by_kind(changes: Iterable[Change]) -> dict[str, list[Change]]:
    kinds: dict[str, list[Change]] = {}
    for change in changes:
        kinds.setdefault(change.kind, []).append(change)
    return kinds


def _value(value: Any) -> str:
    if value is None:
        text = "(none)"
    elif isinstance(value, str):
        text = json.dumps(value)
    else:
        text = json.dumps(value, sort_keys=True, default=str)
    return text if len(text) <= VALUE_LIMIT else text[: VALUE_LIMIT - 1] + "…"


def _code(text: str) -> str:
    """A Markdown code span that holds any text (backticks included) on one line."""
    text = " ".join(text.splitlines())
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _plain(text: str) -> str:
    """Text shown as written: Markdown and HTML specials escaped, on one line."""
    text = _html(" ".join(text.splitlines()))
    return re.sub(r"([\\`*_\[\]|#~])", r"\\\1", text)
