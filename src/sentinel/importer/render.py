"""An import's result for the terminal: files, counts, collapse ratio, env names, what was left."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table

from sentinel.importer.result import ImportResult
from sentinel.naming import PROJECT_TAG

_KINDS = ("alarm", "composite alarm", "dashboard", "topic", "subscription", "budget")


def render_import(result: ImportResult, console: Console) -> None:
    files = Table(
        title=f"Wrote {len(result.files)} files into {result.directory}", title_justify="left"
    )
    files.add_column("file")
    files.add_column("contents")
    for path, counts in result.files.items():
        shown = ", ".join(_count(n, kind) for kind, n in counts.items() if n)
        files.add_row(str(path.relative_to(result.directory)), shown)
    console.print(files)
    imported = ", ".join(_count(result.imported[k], k) for k in _KINDS)
    console.print(f"Imported {imported}.")
    console.print(
        f"{result.imported['alarm']} alarms as {result.rules} rules "
        f"({result.templates} for_each templates): {result.collapse_ratio:.1f} alarms per rule. "
        f"{result.read_calls} AWS read calls."
    )
    for fallback in result.static_fallbacks:
        console.print(
            f"[yellow]static:[/] {fallback.alarms} alarms {fallback.rule}: {fallback.reason}"
        )
    if result.env:
        console.print("\nSecrets found in subscription endpoints are written as env: references.")
        console.print("Set these before plan or apply (their values are not written anywhere):")
        for ref in result.env:
            console.print(f"  {ref.name}  ({ref.what})")
    managed: dict[str, Counter[str]] = {}
    for item in result.managed:
        managed.setdefault(item.reason, Counter())[item.kind] += 1
    for project, kinds in sorted(managed.items()):
        shown = ", ".join(_count(n, kind) for kind, n in kinds.items())
        console.print(f"Left out, managed by Sentinel project {project!r}: {shown}.")
    others = result.not_represented
    if others:
        table = Table(title=f"Not represented ({len(others)})", title_justify="left")
        table.add_column("kind")
        table.add_column("name")
        table.add_column("reason")
        for item in others:
            table.add_row(item.kind, item.name, item.reason)
        console.print(table)
    elif not managed:
        console.print("Everything read is represented in the config.")
    if result.deleted:
        _deleted(result, console)
    if result.kept:
        _kept(result, console)


def _deleted(result: ImportResult, console: Console) -> None:
    table = Table(
        title=f"Deleted by the next apply ({len(result.deleted)})",
        title_justify="left",
        title_style="bold yellow",
    )
    table.add_column("kind")
    table.add_column("name")
    table.add_column("where")
    for item in result.deleted:
        table.add_row(item.kind, item.name, item.reason)
    console.print(table)
    console.print(
        f"[yellow]warning:[/] these carry the tag {PROJECT_TAG}={result.project} where this "
        "config does not write them: the next apply deletes them there. To keep them "
        "unmanaged, remove that tag from them first.",
        soft_wrap=True,
    )


def _kept(result: ImportResult, console: Console) -> None:
    shown = ", ".join(str(path) for path in result.kept[:5])
    more = f" and {len(result.kept) - 5} more" if len(result.kept) > 5 else ""
    console.print(
        f"[yellow]warning:[/] {len(result.kept)} configuration file(s) already in "
        f"{result.directory} were kept as they were ({shown}{more}): this import did not "
        "compare them with what it read, and what it says the next apply deletes leaves them "
        f"out. `sentinel plan -C {result.directory}` shows what the next apply does with them.",
        soft_wrap=True,
    )


def _count(n: int, kind: str) -> str:
    if n == 1:
        return f"1 {kind}"
    return f"{n} {kind[:-1] + 'ies' if kind.endswith('y') else kind + 's'}"
