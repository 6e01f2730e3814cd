"""`sentinel validate` and a no-change `sentinel plan` of 10,000 alarm rules, as run by a user.

The rules (queue-depth alarms, 20 files of 500, as in ``bench/validate_scale.py``) are applied
once to the emulator's HTTP server (``sentinel local --no-seed``, its own process), then each
command runs in its own process, so interpreter start and imports count: wall time, CPU time
and peak memory from the kernel (``wait4``), and for plan the AWS calls it makes (``-v``) and
the CPU time the emulator spent answering them.

``--before SRC`` runs the same commands, in the same run, with ``PYTHONPATH=SRC`` too (the
``src`` of an export of an earlier commit), alternating with today's code; each figure is the
lower of ``--repeat`` runs. ``--profile DIR`` runs every command once more under cProfile,
writes ``DIR/<tree>-<command>.prof`` and prints its most costly functions.

    python -m bench plan_scale
    python -m bench.plan_scale --rules 10000 --before /tmp/base/src --profile /tmp/prof
"""

from __future__ import annotations

import argparse
import os
import pstats
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bench.sync_plan import REGION, emulator_process, factory
from bench.validate_scale import run_child, write_rules
from sentinel.config import load_config
from sentinel.sync.context import SyncContext
from sentinel.sync.engine import apply, plan

RULES = 10_000
RULES_PER_FILE = 500
REPEAT = 2
SOURCE = str(Path(__file__).resolve().parents[1] / "src")
_TOTAL = re.compile(r"^\W*total\W+(\d+)\W*$", re.MULTILINE)


@dataclass
class Run:
    wall: float
    cpu: float
    peak_mb: float
    code: int
    calls: int | None  # AWS calls (plan, from -v)
    server_cpu: float  # CPU seconds the emulator spent meanwhile
    output: str


def cpu_of(pid: int) -> float:
    """CPU seconds (user + system) a running process has used, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def run(args: list[str], env: dict[str, str], server_pid: int) -> Run:
    server_before = cpu_of(server_pid)
    wall, cpu, peak, code, output = run_child(args, env)
    totals = _TOTAL.findall(output)
    return Run(
        wall=wall,
        cpu=cpu,
        peak_mb=peak,
        code=code,
        calls=int(totals[-1]) if totals else None,
        server_cpu=cpu_of(server_pid) - server_before,
        output=output,
    )


def child_env(source: str, endpoint: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        PYTHONPATH=source,
        AWS_ENDPOINT_URL=endpoint,
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_DEFAULT_REGION=REGION,
        COLUMNS="200",
    )
    return env


def commands(root: Path) -> dict[str, list[str]]:
    return {
        "validate": ["-m", "sentinel", "validate", "-C", str(root)],
        "plan": ["-m", "sentinel", "plan", "-C", str(root), "-v", "--detailed-exitcode"],
    }


def print_profile(path: Path, top: int = 15) -> None:
    stats = pstats.Stats(str(path))
    print(f"\n{path.name}: {stats.total_tt:.2f} s under cProfile; most costly, own time:")
    stats.sort_stats("tottime").print_stats(top)


def main(
    rules: int = RULES,
    before: str | None = None,
    repeat: int = REPEAT,
    profile: Path | None = None,
) -> int:
    print(f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")
    trees = {"before": before, "after": SOURCE} if before else {"today": SOURCE}
    with emulator_process() as (endpoint, server), tempfile.TemporaryDirectory() as tmp:
        root = write_rules(Path(tmp) / "rules", rules, RULES_PER_FILE)
        sessions = factory(endpoint)
        started = time.perf_counter()
        ctx = SyncContext(config=load_config(root), factory=sessions, region=REGION)
        report = apply(ctx, plan(ctx), concurrency=16)
        assert report.ok, report.failed[:3]
        print(f"set-up: {rules:,} alarms applied in {time.perf_counter() - started:.0f} s")

        best: dict[tuple[str, str], Run] = {}
        failed = 0
        for _ in range(repeat):
            for tree, source in trees.items():
                env = child_env(str(source), endpoint)
                for name, args in commands(root).items():
                    result = run(args, env, server.pid)
                    if result.code != 0:
                        failed += 1
                        print(f"{tree} {name}: exit {result.code}\n{result.output[-2000:]}")
                    held = best.get((tree, name))
                    if held is None or result.cpu < held.cpu:
                        best[(tree, name)] = result
        print(f"load average after the runs {os.getloadavg()[0]:.1f}")
        print(f"\nthe lower of {repeat} runs each, {rules:,} rules in files of {RULES_PER_FILE}:")
        print("| command | code | wall time | CPU time | peak memory | AWS calls | emulator CPU |")
        print("|---|---|---:|---:|---:|---:|---:|")
        for (tree, name), result in best.items():
            calls = "" if result.calls is None else str(result.calls)
            server_cpu = f"{result.server_cpu:.2f} s" if name == "plan" else ""
            print(
                f"| `sentinel {name}` | {tree} | {result.wall:.2f} s | {result.cpu:.2f} s | "
                f"{result.peak_mb:.0f} MB | {calls} | {server_cpu} |"
            )
        if before:
            for name in commands(root):
                old, new = best[("before", name)], best[("after", name)]
                print(
                    f"{name}: {old.cpu / new.cpu:.1f}x less CPU, {old.wall / new.wall:.1f}x "
                    "less wall time"
                )

        if profile is not None:
            profile.mkdir(parents=True, exist_ok=True)
            for tree, source in trees.items():
                env = child_env(str(source), endpoint)
                for name, args in commands(root).items():
                    out = profile / f"{tree}-{name}.prof"
                    run(["-m", "cProfile", "-o", str(out), *args], env, server.pid)
                    print_profile(out)
    return 1 if failed else 0


def _arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.plan_scale")
    parser.add_argument("--rules", type=int, default=RULES)
    parser.add_argument("--before", help="the src directory of an earlier commit's export")
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--profile", type=Path, help="write cProfile outputs here")
    return parser.parse_args(argv)


if __name__ == "__main__":
    options = _arguments(sys.argv[1:])
    sys.exit(main(options.rules, options.before, options.repeat, options.profile))
