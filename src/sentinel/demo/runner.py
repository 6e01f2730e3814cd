"""Run the demo steps against an in-process emulator."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import import_module
from pathlib import Path

from rich.console import Console
from rich.rule import Rule

from sentinel.config import Config, load_config
from sentinel.errors import SentinelError

# Feature modules under sentinel.demo, in the order the demo tells the story.
FEATURES = ["foundation", "sync", "tags", "slo", "routing", "cost"]


@dataclass(frozen=True)
class Command:
    """Run ``sentinel <args>`` as a user would; ``ok_codes`` are the exit codes expected.

    ``shows`` names what of the configuration the command needs (``"router"``, ``"slos"``,
    ``"tagging"``, ...: a field of ``Config``); a configuration without it skips the step.
    """

    title: str
    args: list[str]
    ok_codes: tuple[int, ...] = (0,)
    shows: str | None = None


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
    # Names of the environment variables the demo filled with stand-in secret values.
    stand_in_secrets: list[str] = field(default_factory=list)
    # What a step started (the PagerDuty and Slack stand-ins) and must stop even if a later
    # step fails, so a failed demo ends instead of waiting on their threads.
    resources: contextlib.ExitStack = field(default_factory=contextlib.ExitStack)

    @property
    def config(self) -> Config:
        """The configuration being demonstrated (loaded once; the demo never edits it)."""
        if self._config is None:
            self._config = load_config(self.config_dir)
        return self._config

    _config: Config | None = field(default=None, repr=False)

    @property
    def region(self) -> str:
        """The region the commands work in: the configuration's first (as theirs is)."""
        regions = self.config.project.regions
        return regions[0] if regions else self.env.get("AWS_DEFAULT_REGION", "us-east-1")

    def has(self, part: str) -> bool:
        """Whether the configuration has ``part`` (a field of ``Config``: routing, slos, ...)."""
        routing = self.config.routing
        if part in ("router", "oncall"):
            return routing is not None and getattr(routing, part) is not None
        return bool(getattr(self.config, part))

    def sentinel(
        self, args: list[str], ok_codes: tuple[int, ...] = (0,), cwd: Path | None = None
    ) -> int:
        """Run ``sentinel <args>`` as a user would type it, its output shown as it comes."""
        shown = " ".join(["sentinel", *args])
        self.console.print(f"[bold]$ {shown}[/]")
        result = subprocess.run(
            [sys.executable, "-m", "sentinel", *args],
            env={**self.env, "COLUMNS": os.environ.get("COLUMNS", "120")},
            cwd=cwd or self.config_dir,
            check=False,
        )
        if result.returncode not in ok_codes:
            raise SentinelError(f"demo step failed: {shown} exited {result.returncode}")
        return result.returncode


def run_demo(config_dir: Path, port: int = 0) -> None:
    from sentinel.emulator.server import start_server

    console = Console(highlight=False)
    console.print(Rule("Sentinel demo: starting the local AWS emulator"))
    accounts = load_config(config_dir).project.accounts
    # The emulated account is the configuration's first, so `accounts:` holds as on AWS.
    with start_server(port=port, account_id=accounts[0].id if accounts else None) as server:
        env = {**os.environ, **server.env()}
        context = DemoContext(console, config_dir, server.endpoint_url, env)
        console.print(f"Emulator at {server.endpoint_url}, demo account seeded.")
        with context.resources:
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
    if step.shows is not None and not context.has(step.shows):
        console.print(f"(skipped: {context.config_dir} has no {step.shows} configured)")
        return
    context.sentinel(step.args, step.ok_codes)
