"""``plan``, ``apply`` and ``drift`` over every (account, region) of a project of several accounts.

Each (account, region) is planned with a SyncContext of its own (that account's role, that
region), ``--parallel`` of them at once; the output is grouped under a header per account and
region, in the order of sentinel.yaml. A failure in one (a role that cannot be assumed, an
endpoint that does not answer, a refused request) is reported under its header and the others
go on; the run has one exit code, the worst. Kinds that are per account rather than per region
(budgets) are planned in the account's first region only. Apply holds each account's apply lock
(kept in that account) while it writes that account's regions, one region after the other.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import botocore.exceptions
import click
import yaml
from rich.console import Console
from rich.markup import escape

from sentinel.aws.accounts import WrongAccountError
from sentinel.aws.failures import AWS_FAILURES, describe
from sentinel.aws.places import Place, Places, fans_out
from sentinel.cli.place_processes import counted_status, in_processes, in_threads
from sentinel.cli.replan import plan_again
from sentinel.cli.unlock import report_lock, waiting
from sentinel.errors import ConfigError, RefusedError, SentinelError, TargetError
from sentinel.gc_pause import gc_paused
from sentinel.routing.central import central_queue
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan
from sentinel.sync.kind import Kind
from sentinel.sync.kinds import all_kinds
from sentinel.sync.lock import apply_lock
from sentinel.sync.mass_delete import check_mass_delete
from sentinel.sync.model import Action, ApplyReport, Plan
from sentinel.sync.render import plan_json, render_drift, render_plan, render_report, render_result
from sentinel.sync.render_markdown import render_markdown
from sentinel.sync.targets import Target, narrow, targeted_kinds

if TYPE_CHECKING:
    from sentinel.cli.options import Workspace
    from sentinel.config import Config

# Kinds whose resources belong to the account, whatever the region (Budgets is global).
PER_ACCOUNT_KINDS = frozenset({"budget"})
DEFAULT_PARALLEL = 8
T = TypeVar("T")

parallel_option = click.option(
    "--parallel",
    type=click.IntRange(1, 64),
    default=DEFAULT_PARALLEL,
    show_default=True,
    help=(
        "Accounts and regions worked on at once (a project with several accounts); plan and "
        "drift share them out over one process a CPU core (Linux)."
    ),
)
account_option = click.option(
    "--account",
    "accounts",
    multiple=True,
    metavar="NAME|ID",
    help="Only this account of sentinel.yaml, by name or id (repeatable).",
)


@dataclass
class Outcome:
    place: Place
    ctx: SyncContext | None = None
    plan: Plan | None = None
    error: str | None = None
    report: ApplyReport | None = None
    applied: str = ""  # what apply printed, to show under the place's header
    unmatched: frozenset[Target] = frozenset()  # the --target options matching nothing here


def place_context(ws: Workspace, config: Config, place: Place) -> SyncContext:
    """The context of one account and region: clients through the account's role."""
    factory = ws.factory.for_account(place.account)
    factory.region = place.region
    if place.role_arn is None:
        caller = factory.caller_account()
        if caller != place.account_id:
            raise WrongAccountError(
                f"it has no `role:` and the AWS credentials are for account {caller}: give it "
                "the role to assume in it"
            )
    placed = config.placed(place.account_id, place.account_name, place.region)
    return SyncContext(config=placed, factory=factory, region=place.region)


def place_kinds(place: Place, targets: Sequence[Target]) -> list[Kind]:
    kinds = [k for k in all_kinds() if place.home or k.name not in PER_ACCOUNT_KINDS]
    return targeted_kinds(targets, kinds)


def one_place_kinds(ctx: SyncContext) -> list[Kind] | None:
    """The kinds a run in one (account, region) plans: the per-account kinds (budgets, whose
    alerts notify the first region's topics) in the account's first region only; None: all."""
    project = ctx.config.project
    if ctx.region == project.regions[0]:
        return None
    return [k for k in all_kinds() if k.name not in PER_ACCOUNT_KINDS]


# What AWS answers in a region that is not enabled in the account (an opt-in region left off,
# or one an SCP denies): the token is refused there while it works in the account's others.
REGION_REFUSALS = frozenset({"InvalidClientTokenId", "UnrecognizedClientException", "AuthFailure"})


def failure(exc: Exception, place: Place | None = None) -> str:
    if isinstance(exc, ConfigError):
        return "; ".join(str(problem) for problem in exc.problems) or str(exc)
    message = str(exc) if isinstance(exc, SentinelError) else describe(exc)
    cause = exc if isinstance(exc, botocore.exceptions.ClientError) else exc.__cause__
    if place is not None and isinstance(cause, botocore.exceptions.ClientError):
        code = str(cause.response.get("Error", {}).get("Code") or "")
        if code in REGION_REFUSALS:
            message += (
                f"; when the other regions of account {place.account_id} work, {place.region} "
                "is not enabled in it: enable it there, or narrow the run with --region"
            )
    return message


FAILURES: tuple[type[Exception], ...] = (SentinelError, *AWS_FAILURES)


def plan_place(ws: Workspace, config: Config, place: Place, targets: Sequence[Target]) -> Outcome:
    outcome = Outcome(place)
    try:
        outcome.ctx = place_context(ws, config, place)
        full = plan(outcome.ctx, place_kinds(place, targets))
    except FAILURES as exc:
        outcome.error = failure(exc, place)
        return outcome
    outcome.plan, outcome.unmatched = narrowed(full, targets)
    return outcome


def narrowed(full: Plan, targets: Sequence[Target]) -> tuple[Plan, frozenset[Target]]:
    """The plan of the targets that match here, and those that match nothing here: a target
    needs to match in one account and region only (alarms may be made in some only)."""
    if not targets:
        return full, frozenset()
    names = [
        (kind, key)
        for states in (full.desired, full.actual)
        for kind, keys in states.items()
        for key in keys
    ]
    here = [t for t in targets if any(t.matches(kind, key, full.project) for kind, key in names)]
    missing = frozenset(targets) - frozenset(here)
    if here:
        return narrow(full, here), missing
    empty = Plan(project=full.project, region=full.region, managed=full.managed)
    return empty, missing


def unmatched_targets(outcomes: Sequence[Outcome], targets: Sequence[Target]) -> None:
    """A target that matches nothing in every account and region planned is an error."""
    planned = [o for o in outcomes if o.plan is not None]
    if not planned or not targets:
        return
    nowhere = [t for t in targets if all(t in o.unmatched for o in planned)]
    if nowhere:
        raise TargetError(
            "; ".join(
                f"--target {target} matches nothing in any account and region: no "
                f"{target.kind}"
                + (f" named {target.pattern!r}" if target.pattern is not None else "")
                + " in the configuration or in AWS"
                for target in nowhere
            )
        )


@gc_paused()  # as each plan does: one place's end must not collect over the others' states
def plan_all(
    ws: Workspace,
    config: Config,
    places: Places,
    targets: Sequence[Target],
    parallel: int,
    to_apply: bool = False,
) -> list[Outcome]:
    """Every place's plan: in processes (see place_processes), or ``to_apply`` in threads of
    this process, whose outcomes keep the contexts apply writes with."""
    factory = ws.factory  # made before the places' processes fork: theirs is a copy
    with counted_status(
        ws.err,
        len(places.places),
        lambda done, total: f"Reading AWS state: {done} of {total} account-region(s) read...",
    ) as (progress, waiting):

        def work(place: Place) -> Outcome:
            try:
                return plan_place(ws, config, place, targets)
            finally:
                progress.advance()

        if to_apply:
            outcomes = in_threads(places.places, work, parallel, waiting)
        else:
            outcomes = in_processes(places.places, work, parallel, factory, waiting)
    unmatched_targets(outcomes, targets)
    return outcomes


def header(console: Console, place: Place) -> None:
    console.print()
    console.print(f"[bold]{escape(str(place))}[/]", soft_wrap=True)


def error_line(console: Console, message: str) -> None:
    console.print(f"[red]error:[/] {escape(message)}", soft_wrap=True)


def summary(ws: Workspace, places: Places, outcomes: Sequence[Outcome]) -> bool:
    """Name every failed account and region on stderr; True when any failed."""
    failed = [o for o in outcomes if o.error or (o.report is not None and not o.report.ok)]
    for problem in places.problems:
        ws.err.print(f"[red]error:[/] {escape(problem)}", soft_wrap=True)
    if failed:
        names = ", ".join(str(o.place) for o in failed)
        ws.err.print(
            f"[red]error:[/] {len(failed)} of {len(outcomes)} account-region(s) failed: "
            f"{escape(names)}; the others were done",
            soft_wrap=True,
        )
    return bool(failed or places.problems)


def total(outcomes: Sequence[Outcome]) -> str:
    """One line for the whole run: the changes of every account and region planned."""
    plans = [o.plan for o in outcomes if o.plan is not None]
    counts = [
        f"{sum(p.count(action) for p in plans)} to {action.value}"
        for action in (Action.CREATE, Action.UPDATE, Action.REPLACE, Action.DELETE)
    ]
    adopt = sum(p.count(Action.ADOPT) for p in plans)
    failed = len(outcomes) - len(plans)
    return (
        f"All {len(outcomes)} account-region(s): {', '.join(counts)}"
        + (f", {adopt} to adopt" if adopt else "")
        + (f"; {failed} not planned (see the errors)" if failed else "")
        + "."
    )


def outcome_json(outcome: Outcome) -> dict[str, Any]:
    place = outcome.place
    where = {"account": place.account_id, "account_name": place.account_name}
    if outcome.plan is None:
        return {**where, "region": place.region, "error": outcome.error}
    return {**where, **plan_json(outcome.plan)}


def plan_places(
    ws: Workspace,
    config: Config,
    places: Places,
    targets: Sequence[Target],
    parallel: int,
    output_format: str,
    compact: bool,
    detailed_exitcode: bool,
) -> None:
    outcomes = plan_all(ws, config, places, targets, parallel)
    if output_format == "json":
        document = {
            "project": config.name,
            "places": [outcome_json(o) for o in outcomes],
            "problems": places.problems,
        }
        click.echo(json.dumps(document, indent=2, default=str))
    for outcome in outcomes if output_format != "json" else []:
        if output_format == "markdown":
            click.echo(f"## {outcome.place}\n")
            if outcome.plan is not None:
                click.echo(render_markdown(outcome.plan), nl=False)
            else:
                click.echo(f"**error:** {outcome.error}\n")
            continue
        header(ws.console, outcome.place)
        if outcome.plan is not None:
            render_plan(outcome.plan, ws.console, compact=compact)
        else:
            error_line(ws.console, outcome.error or "")
    if output_format == "text":
        ws.console.print()
        ws.console.print(total(outcomes), soft_wrap=True)
    if summary(ws, places, outcomes):
        sys.exit(1)
    if detailed_exitcode and any(o.plan is not None and not o.plan.is_empty for o in outcomes):
        sys.exit(2)


def drift_places(
    ws: Workspace,
    config: Config,
    places: Places,
    targets: Sequence[Target],
    parallel: int,
    as_json: bool,
) -> None:
    outcomes = plan_all(ws, config, places, targets, parallel)
    if as_json:
        document = {"project": config.name, "places": [outcome_json(o) for o in outcomes]}
        click.echo(json.dumps({**document, "problems": places.problems}, indent=2, default=str))
    else:
        for outcome in outcomes:
            header(ws.console, outcome.place)
            if outcome.plan is not None:
                render_drift(outcome.plan, ws.console)
            else:
                error_line(ws.console, outcome.error or "")
    if summary(ws, places, outcomes):
        sys.exit(1)
    if any(o.plan is not None and o.plan.drift for o in outcomes):
        sys.exit(2)


def apply_places(
    ws: Workspace,
    config: Config,
    places: Places,
    targets: Sequence[Target],
    parallel: int,
    options: ApplyOptions,
) -> None:
    outcomes = plan_all(ws, config, places, targets, parallel, to_apply=True)
    for outcome in outcomes:
        header(ws.console, outcome.place)
        if outcome.plan is not None:
            render_plan(outcome.plan, ws.console, compact=options.compact)
        else:
            error_line(ws.console, outcome.error or "")
    ws.console.print()
    ws.console.print(total(outcomes), soft_wrap=True)
    changing = [o for o in outcomes if o.plan is not None and not o.plan.is_empty]
    for outcome in changing:
        assert outcome.plan is not None
        try:
            check_mass_delete(outcome.plan, options.allow_mass_delete)
        except RefusedError as exc:
            raise RefusedError(f"{outcome.place}: {exc}") from exc
    if changing:
        _confirm(options.auto_approve)
        accounts: dict[str, list[Outcome]] = {}
        for outcome in changing:
            accounts.setdefault(outcome.place.account_id, []).append(outcome)

        def run(group: list[Outcome]) -> list[Outcome]:
            _apply_account(ws, config, group, targets, options)
            return group

        def show(group: list[Outcome]) -> None:
            for outcome in group:
                header(ws.console, outcome.place)
                if outcome.applied:
                    ws.console.file.write(outcome.applied)
                if outcome.report is not None:
                    render_report(outcome.report, ws.console)
                elif outcome.error:
                    error_line(ws.console, outcome.error)

        ws.console.print()
        # The central router queue subscribes to every account's topics: that account last.
        central = central_queue(config)
        last = accounts.pop(central.account_id, None) if central else None
        with ThreadPoolExecutor(max_workers=parallel) as pool:
            # In the order of sentinel.yaml: each account once it and those before it are done.
            for group in pool.map(run, accounts.values()):
                show(group)
        if central is not None and last:
            home = central.region  # the queue's region after the account's others
            show(run(sorted(last, key=lambda outcome: outcome.place.region == home)))
    if summary(ws, places, outcomes):
        sys.exit(1)


@dataclass(frozen=True)
class ApplyOptions:
    auto_approve: bool
    allow_mass_delete: bool
    concurrency: int
    compact: bool
    lock_timeout: int


def _confirm(auto_approve: bool) -> None:
    if auto_approve:
        return
    if not sys.stdin.isatty():
        raise RefusedError("not on a terminal: pass --auto-approve to apply without a prompt")
    if not click.confirm("Apply these changes?", default=False):
        raise RefusedError("apply cancelled; nothing was changed")


def _apply_account(
    ws: Workspace,
    config: Config,
    group: list[Outcome],
    targets: Sequence[Target],
    options: ApplyOptions,
) -> None:
    """Apply one account's regions under its apply lock; a failure is the account's own."""
    first = group[0].ctx
    assert first is not None
    try:
        lock = apply_lock(first.factory, config, first.region)
        with lock.holding(
            options.lock_timeout,
            on_wait=lambda held: waiting(held, options.lock_timeout, ws.err),
        ):
            for outcome in group:
                _apply_place(ws, outcome, targets, options, replan=lock.waited_for is not None)
        if report_lock(lock, ws.err):
            for outcome in group:
                outcome.error = outcome.error or "the apply lock was lost while applying"
    except FAILURES as exc:
        for outcome in group:
            if outcome.report is None:
                outcome.error = failure(exc)


def _apply_place(
    ws: Workspace, outcome: Outcome, targets: Sequence[Target], options: ApplyOptions, replan: bool
) -> None:
    ctx, confirmed = outcome.ctx, outcome.plan
    assert ctx is not None and confirmed is not None
    buffer = io.StringIO()
    console = Console(
        file=buffer, highlight=False, width=ws.console.width, force_terminal=ws.console.is_terminal
    )
    result = confirmed
    if replan:  # another apply held the lock: AWS may have changed meanwhile
        fresh, _ = narrowed(plan(ctx, place_kinds(outcome.place, targets)), targets)
        try:
            result = plan_again(
                console,
                confirmed,
                fresh,
                options.auto_approve,
                options.allow_mass_delete,
                options.compact,
            )
        except RefusedError as exc:
            outcome.applied = buffer.getvalue()
            outcome.error = str(exc)
            return
    outcome.report = apply(
        ctx,
        result,
        concurrency=options.concurrency,
        on_result=lambda r: render_result(r, console),
    )
    outcome.applied = buffer.getvalue()


# --- commands that read: one section of output per account and region ---------------------


@dataclass
class Section:
    """What one account and region printed, and its exit code (1 on failure)."""

    place: Place
    text: str = ""
    data: Any = None
    exit_code: int = 0
    error: str | None = None


def read_places(
    ws: Workspace,
    config: Config,
    places: Places,
    parallel: int,
    work: Callable[[SyncContext, Console], tuple[int, Any]],
) -> list[Section]:
    """Run ``work`` in each account and region (``parallel`` at once), each printing to a
    console of its own; a failure is that place's, and the others go on."""

    with counted_status(
        ws.err,
        len(places.places),
        lambda done, total: f"Reading AWS: {done} of {total} account-region(s) done...",
    ) as (progress, waiting):

        def one(place: Place) -> Section:
            section = Section(place)
            buffer = io.StringIO()
            console = Console(
                file=buffer,
                highlight=False,
                width=ws.console.width,
                force_terminal=ws.console.is_terminal,
            )
            try:
                section.exit_code, section.data = work(place_context(ws, config, place), console)
            except FAILURES as exc:
                section.error, section.exit_code = failure(exc, place), 1
            finally:
                progress.advance()
            section.text = buffer.getvalue()
            return section

        return in_threads(places.places, one, parallel, waiting)


def print_sections(ws: Workspace, places: Places, sections: Sequence[Section]) -> int:
    """Each section under its header, the failures named; the run's exit code, the worst."""
    for section in sections:
        header(ws.console, section.place)
        ws.console.file.write(section.text)
        if section.error:
            error_line(ws.console, section.error)
    return exit_code(ws, places, sections)


def exit_code(ws: Workspace, places: Places, sections: Sequence[Section]) -> int:
    failed = [s for s in sections if s.error]
    for problem in places.problems:
        ws.err.print(f"[red]error:[/] {escape(problem)}", soft_wrap=True)
    if failed:
        names = ", ".join(str(s.place) for s in failed)
        ws.err.print(
            f"[red]error:[/] {len(failed)} of {len(sections)} account-region(s) failed: "
            f"{escape(names)}; the others were done",
            soft_wrap=True,
        )
    if failed or places.problems:
        return 1
    return max((s.exit_code for s in sections), default=0)


def sections_json(config: Config, places: Places, sections: Sequence[Section]) -> dict[str, Any]:
    return {
        "project": config.name,
        "places": [
            {
                "account": s.place.account_id,
                "account_name": s.place.account_name,
                "region": s.place.region,
                **({"error": s.error} if s.error else s.data or {}),
            }
            for s in sections
        ],
        "problems": places.problems,
    }


def fanned_out(
    ws: Workspace, accounts: Sequence[str], config: Config | None = None
) -> tuple[Config, Places] | None:
    """The configuration and its places when the project works in several accounts; None
    for one of one account (``--account`` is then refused)."""
    from sentinel.aws.places import PlaceError, project_places

    if config is None and _names_roles(ws.config_dir / "sentinel.yaml"):
        config = ws.load_config()
    if config is None or not fans_out(config.project):
        if accounts:
            raise PlaceError(
                "--account narrows a project whose `accounts:` give a `role:` (or that has "
                "`organization:`); this one works in the account of the credentials"
            )
        return None
    return config, project_places(config.project, ws.factory, accounts, ws.region)


def _names_roles(path: Path) -> bool:
    """Whether ``path`` (a sentinel.yaml) gives accounts roles or has ``organization:``: only
    then does a command that needs no configuration (inventory) read the whole of it."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return False
    if not isinstance(data, dict):
        return False
    accounts = data.get("accounts")
    listed = accounts if isinstance(accounts, list) else []
    return "organization" in data or any(isinstance(a, dict) and "role" in a for a in listed)
