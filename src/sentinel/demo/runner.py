"""Run the demo steps against an in-process emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from sentinel.errors import SentinelError

# Feature modules under sentinel.demo, in the order the demo tells the story.
FEATURES = ["foundation", "sync", "tags", "slo", "routing", "cost"]


@dataclass(frozen=True)
class Command:
    """Run ``sentinel <args>`` as a user would; ``ok_codes`` are the exit codes expected."""

    title: str
    args: list[str]
    ok_codes: tuple[int, ...] = (0,)


@dataclass(frozen=True)
class Action:
    """Do something to the emulated account (or print something) from Python."""

    title: str
    run: Callable[[DemoContext], None]


Step = Command | Action


@dataclass
class DemoContext:
    console: Console
    config_dir: Path
    endpoint_url: str
    env: dict[str, str]


def run_demo(config_dir: Path, port: int = 0) -> None:
    from sentinel.emulator.server import start_server

    console = Console(highlight=False)
    console.print(Rule("Sentinel demo: starting the local AWS emulator"))
    with start_server(port=port) as server:
        env = {**os.environ, **server.env()}
        context = DemoContext(console, config_dir, server.endpoint_url, env)
        console.print(f"Emulator at {server.endpoint_url}, demo account seeded.")
        for feature in FEATURES:
            steps: list[Step] = import_module(f"sentinel.demo.{feature}").STEPS
            for step in steps:
                _run_step(step, context)
    console.print(Rule("Demo finished"))


def _run_step(step: Step, context: DemoContext) -> None:
    console = context.console
    console.print()
    console.print(Rule(step.title, align="left"))
    if isinstance(step, Action):
        step.run(context)
        return
    shown = " ".join(["sentinel", *step.args])
    console.print(f"[bold]$ {shown}[/]")
    result = subprocess.run(
        [sys.executable, "-m", "sentinel", *step.args],
        env={**context.env, "COLUMNS": os.environ.get("COLUMNS", "120")},
        cwd=context.config_dir,
        check=False,
    )
    if result.returncode not in step.ok_codes:
        raise SentinelError(f"demo step failed: {shown} exited {result.returncode}")
