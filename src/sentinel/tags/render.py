"""The tagging audit and its fix as a terminal table, JSON or CSV."""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from sentinel.tags.audit import AuditReport, Compliance
from sentinel.tags.fix import FixPlan, FixResult
from sentinel.tags.rules import Finding

CSV_COLUMNS = ("type", "id", "name", "region", "key", "problem", "value", "expected", "arn")


def audit_json(report: AuditReport) -> dict[str, Any]:
    overall = report.overall
    return {
        "regions": report.regions,
        "audited": report.audited,
        "non_compliant": len(report.findings),
        "compliance_percent": round(overall.percent, 1),
        "findings": [_finding_json(finding) for finding in report.findings],
        "by_type": [_compliance_json(c) for c in report.by_type],
        "by_key": [_compliance_json(c) for c in report.by_key],
    }


def _finding_json(finding: Finding) -> dict[str, Any]:
    resource = finding.resource
    return {
        "type": resource.type,
        "id": resource.id,
        "name": resource.name,
        "region": resource.region,
        "arn": resource.arn,
        "missing": list(finding.missing),
        "invalid": [
            {
                "key": key,
                "value": value,
                "problems": [p.expected for p in finding.problems if p.key == key],
            }
            for key, value in finding.invalid.items()
        ],
    }


def _compliance_json(compliance: Compliance) -> dict[str, Any]:
    return {
        "name": compliance.name,
        "compliant": compliance.compliant,
        "total": compliance.total,
        "percent": round(compliance.percent, 1),
    }


def audit_csv(report: AuditReport) -> str:
    """One row per problem, for spreadsheets and scripts."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    for finding in report.findings:
        resource = finding.resource
        for problem in finding.problems:
            writer.writerow(
                (
                    resource.type,
                    resource.id,
                    resource.name,
                    resource.region,
                    problem.key,
                    problem.problem.value,
                    problem.value if problem.value is not None else "",
                    problem.expected,
                    resource.arn,
                )
            )
    return out.getvalue()


def render_audit(report: AuditReport, console: Console) -> None:
    overall = report.overall
    where = ", ".join(report.regions)
    if report.compliant:
        console.print(
            f"[bold green]All {report.audited} resources comply with the tagging rules[/] "
            f"({where})."
        )
    else:
        console.print(
            f"[bold]Tagging audit ({where}):[/] [red]{len(report.findings)} of {report.audited} "
            f"resources do not comply[/], {overall.percent:.1f}% compliant."
        )
        table = Table(title="Non-compliant resources", title_justify="left")
        for column in ("type", "name", "resource", "what is wrong"):
            table.add_column(column, overflow="fold")
        for finding in report.findings:
            resource = finding.resource
            table.add_row(
                resource.type,
                escape(resource.name),
                escape(arn_resource(resource.arn)),
                escape(_problems_text(finding)),
            )
        console.print(table)
    console.print(_compliance_table("Compliance by resource type", "type", report.by_type))
    console.print(_compliance_table("Compliance by tag key", "key", report.by_key))


def arn_resource(arn: str) -> str:
    """The resource part of an ARN: ``service/p2p-production/p2p-backend``, ``db:p2p-postgres``."""
    parts = arn.split(":", 5)
    return parts[5] if len(parts) == 6 else arn


def _problems_text(finding: Finding) -> str:
    parts = []
    if finding.missing:
        parts.append("missing " + ", ".join(finding.missing))
    for key, value in finding.invalid.items():
        reasons = "; ".join(p.expected for p in finding.problems if p.key == key)
        parts.append(f"{key}={value!r}: {reasons}")
    return "\n".join(parts)


def _compliance_table(title: str, label: str, rows: list[Compliance]) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column(label)
    table.add_column("compliant", justify="right")
    table.add_column("total", justify="right")
    table.add_column("%", justify="right")
    for row in rows:
        style = "" if row.compliant == row.total else "yellow"
        table.add_row(
            row.name, str(row.compliant), str(row.total), f"{row.percent:.1f}", style=style
        )
    return table


def render_fix_plan(plan: FixPlan, console: Console) -> None:
    if plan.is_empty:
        console.print("No tags to add: no missing tag has a default in the rules.")
    else:
        console.print(
            f"[bold]Tags to add:[/] {plan.tag_count} tag(s) on {len(plan.additions)} resource(s); "
            "existing tags are never changed."
        )
        for addition in plan.additions:
            resource = addition.resource
            tags = ", ".join(f"{k}={v}" for k, v in addition.tags.items())
            console.print(f"[green]+[/] {resource.type} [bold]{escape(resource.name)}[/]: {tags}")
    if plan.left_to_people:
        console.print(
            f"{len(plan.left_to_people)} resource(s) need a person (a wrong value, or a missing "
            "tag without a default):"
        )
        for finding in plan.left_to_people:
            text = _problems_text(finding).replace("\n", "; ")
            console.print(
                f"  {finding.resource.type} {escape(finding.resource.name)}: {escape(text)}"
            )


def render_fix_results(results: list[FixResult], console: Console) -> None:
    for result in results:
        resource = result.addition.resource
        name = f"{resource.type} {escape(resource.name)}"
        kept = ", ".join(f"{k}={v!r}" for k, v in result.skipped.items())
        note = f" (kept {kept}: set since the audit)" if kept else ""
        if not result.ok:
            console.print(f"[red]✗[/] {name}: {escape(result.error or '')}{note}")
        elif result.added:
            tags = ", ".join(f"{k}={v}" for k, v in result.added.items())
            console.print(f"[green]✓[/] tagged {name}: {tags}{note}")
        else:
            console.print(f"[yellow]-[/] {name}: nothing added{note}")
    failed = sum(1 for r in results if not r.ok)
    added = sum(len(r.added) for r in results)
    console.print()
    console.print(f"[bold]Fix: {added} tag(s) added, {failed} resource(s) failed.[/]")
