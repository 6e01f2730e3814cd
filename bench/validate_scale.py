"""``sentinel validate`` at scale and under hostile input: 10,000 rules, alias bombs, nesting.

Each case runs in its own process, as a user runs it, and the process's peak memory is read
from the kernel (``wait4``'s rusage), so imports count and nothing else does. Cases:

- ``sentinel validate`` of 10,000 alarm rules in 20 files of 500, and in one file: the
  command end to end (interpreter start and imports included);
- ``load_config`` alone on the same 10,000 rules: the validation, without the CLI around it
  (the work that is left when nothing is planned: the library call plan and apply start with);
- the same ``load_config`` with PyYAML's pure-Python parser, as the reader was before;
- ``sentinel validate`` of a billion laughs (10**9 strings from 31 lines), of 10**30, and of a
  value nested 100,000 levels deep.

    python -m bench validate_scale            (or: python -m bench.validate_scale 2000)

Every child runs with a 2 GB address-space limit, so a regression fails instead of swapping.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

RULES = 10_000
RULES_PER_FILE = 500
MEMORY_LIMIT = 2 * 1024**3
ROUTING = "severities:\n  critical:\n    notify:\n      - email: ops@example.com\n"
RULE = (
    "  - name: queue-depth-{i}\n    severity: critical\n    namespace: AWS/SQS\n"
    "    metric: ApproximateNumberOfMessagesVisible\n    dimensions: {{QueueName: q-{i}}}\n"
    '    statistic: Maximum\n    condition: "> 100"\n    period: 1m\n    for: 5m\n'
)
LOAD = (
    "import sys, time\n"
    "import yaml\n"
    "import sentinel.config.yaml_source as source\n"
    "from sentinel.config import load_config\n"
    "from sentinel.errors import ConfigError\n"
    "import sentinel.inventory  # the catalog of resource types: an import, not the work\n"
    "if sys.argv[2] == 'python': source._FAST_LOADER = yaml.SafeLoader\n"
    "began = time.perf_counter()\n"
    "try:\n"
    "    outcome = f'{len(load_config(sys.argv[1]).alarms)} rules'\n"
    "except ConfigError as exc:\n"
    "    outcome = f'refused: {exc.problems[0].message[:40]}...'\n"
    "print(f'load_config: {time.perf_counter() - began:.2f} s, {outcome}')\n"
    "sys.exit(0 if outcome.endswith('rules') else 1)\n"
)


def write_rules(root: Path, rules: int, per_file: int) -> Path:
    (root / "alarms").mkdir(parents=True)
    (root / "sentinel.yaml").write_text("project: big\nregions: [us-east-1]\n")
    (root / "alarms/routing.yaml").write_text(ROUTING)
    for first in range(0, rules, per_file):
        body = "".join(RULE.format(i=i) for i in range(first, min(rules, first + per_file)))
        (root / f"alarms/rules-{first // per_file:03d}.yaml").write_text("alarms:\n" + body)
    return root


def write_hostile(root: Path, text: str) -> Path:
    root.mkdir(parents=True)
    (root / "sentinel.yaml").write_text("project: hostile\n" + text)
    return root


def billion_laughs(levels: int) -> str:
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * 10) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def run_child(
    args: list[str], env: dict[str, str] | None = None
) -> tuple[float, float, float, int, str]:
    """(wall s, CPU s, peak MB, exit code, output) of one ``python ARGS`` child process under the
    address-space limit, from ``wait4``'s rusage."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    began = time.perf_counter()
    child = subprocess.Popen(
        [sys.executable, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        preexec_fn=limit,
    )
    assert child.stdout is not None
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - began
    cpu = usage.ru_utime + usage.ru_stime
    return wall, cpu, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status), output


def run(args: list[str]) -> tuple[float, float, float, int, str]:
    """(wall s, CPU s, peak MB, exit code, last line of output) of one child process."""
    wall, cpu, peak, code, output = run_child(args)
    last = output.strip().splitlines()[-1] if output.strip() else ""
    return wall, cpu, peak, code, last


def main(rules: int = RULES) -> int:
    print(f"Python {sys.version.split()[0]}, load average {os.getloadavg()[0]:.1f}")
    validate = ["-m", "sentinel", "validate", "-C"]
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        split = write_rules(base / "split", rules, RULES_PER_FILE)
        single = write_rules(base / "single", rules, rules)
        cases = [
            (f"`sentinel validate`, {rules:,} rules in 20 files", [*validate, str(split)], 0),
            (f"`sentinel validate`, {rules:,} rules in one file", [*validate, str(single)], 0),
            (f"`load_config` alone, {rules:,} rules", ["-c", LOAD, str(split), "c"], 0),
            (
                f"`load_config`, pure-Python parser (before), {rules:,} rules",
                ["-c", LOAD, str(split), "python"],
                0,
            ),
        ]
        hostile = {
            "billion laughs, 10**9 strings": billion_laughs(9),
            "alias bomb, 10**30 strings": billion_laughs(30),
            "a value nested 100,000 levels": "deep: " + "[" * 100_000 + "]" * 100_000 + "\n",
        }
        for index, (name, text) in enumerate(hostile.items()):
            root = write_hostile(base / f"hostile-{index}", text)
            cases.append((f"`sentinel validate`, {name}", [*validate, str(root)], 1))
            cases.append((f"`load_config` alone, {name}", ["-c", LOAD, str(root), "c"], 1))
        print("| case | exit | wall time | CPU time | peak memory | last line |")
        print("|---|---:|---:|---:|---:|---|")
        failed = 0
        for name, args, expected in cases:
            wall, cpu, peak, code, last = run(args)
            failed += code != expected
            shown = last if len(last) <= 70 else last[:67] + "..."
            print(
                f"| {name} | {code} | {wall:.2f} s | {cpu:.2f} s | {peak:.0f} MB | {shown} |",
                flush=True,
            )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(*(int(arg) for arg in sys.argv[1:])))
