"""The README's console transcripts, produced by running their commands on the seeded emulator.

A transcript is a fenced code block right after a marker comment::

    <!-- transcript: cwd=tests/fixtures exit=1 -->
    ```console
    $ sentinel validate -C broken/
    ...
    ```

Every ``$`` line of the block is run, in README order, as a user would type it: in a copy of
this repository's configuration, against one emulator with the seeded demo account, with the
clock pinned to ``NOW`` (time-machine, in the emulator, ``sentinel local`` in a process of its
own, and in every command), ``COLUMNS`` fixed
and no colour; stdout and stderr are captured together. Blocks build on each other (apply before
drift), as the README tells the story. Marker options, ``key=value`` separated by spaces:

- ``cwd=DIR``: where the commands run, relative to the copy (default: its root);
- ``setup=NAME,...``: what happens first (an edit to the configuration, or to AWS as someone
  in the console would), from ``SETUPS`` below; the README's prose says what it is;
- ``exit=N``: the exit code every command of the block must end with (default 0);
- ``columns=N``: the terminal width (default ``COLUMNS``);
- ``lines=A:B,...``: an excerpt: Python-style 1-based slices of the block's lines (``1:3``,
  ``-4:``); the lines left out show as one ``...``;
- ``stop=TEXT``: a long-running command is interrupted (Ctrl-C) once TEXT is printed;
- ``needs=TOOL``: a program besides Python the commands use (``jq``); without it the block is
  reported as not checked, never silently passed;
- ``clock=now``: the block's commands start at ``NOW``, a second apart, rather than where the
  story's clock has got to (for output that shows the time to the minute: windows, silences),
  so a slow machine prints the same.

Values that change from run to run even with the clock pinned are compared through the
placeholders of ``VOLATILE`` (a duration in seconds, a wall-clock time of day); the README
keeps the figures of the last regeneration.

``python -m tools.readme`` checks README.md (exit 1 and a diff when it is stale);
``python -m tools.readme --write`` (``make readme``) regenerates it in place.
"""

from __future__ import annotations

import contextlib
import difflib
import io
import os
import re
import selectors
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sentinel.emulator.estate import SECRETS as ESTATE_SECRETS

REPOSITORY = Path(__file__).resolve().parents[1]
README = REPOSITORY / "README.md"
# The moment every transcript is taken at: the demo account's data ends the day before.
NOW = datetime(2026, 11, 22, 3, 30, tzinfo=UTC)
COLUMNS = 100
# Copied into the scratch directory the commands run in.
CONFIGURATION = ("sentinel.yaml", "alarms", "dashboards", "budgets", "monitors", "examples")
FIXTURES = ("tests/fixtures/broken", "tests/fixtures/broken-watch")
# Stand-in values for the root configuration's secret references; secrets are never printed.
SECRETS = {"P2P_PAGERDUTY_KEY": "demo-pagerduty-key", **ESTATE_SECRETS}
VOLATILE = [
    (re.compile(r"\bin \d+(\.\d+)?s\b"), "in <seconds>s"),
    (re.compile(r"^\d\d:\d\d:\d\d ", re.MULTILINE), "<time> "),
    # When a saved plan read AWS: the clock ticks on from NOW while the blocks run.
    (re.compile(r"read at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"), "read at <when>"),
    # The scratch directory the commands run in, as in a store's SQLite path.
    (re.compile(r"sentinel-readme-[A-Za-z0-9_]+"), "sentinel-readme-<scratch>"),
]
MARKER = re.compile(r"^<!-- transcript(?::(?P<options>[^>]*))? -->\n", re.MULTILINE)
FENCE = re.compile(r"^```(?P<lang>[a-z]*)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)
COMMAND_TIMEOUT = 300

# Runs one command in a fresh interpreter with the clock pinned, as `sentinel` would.
_BOOT = """
import os, sys
import time_machine
time_machine.travel(float(os.environ.pop("TRANSCRIPT_CLOCK")), tick=True).start()
from sentinel.cli import main
sys.argv[0] = "sentinel"
main()
"""


@dataclass(frozen=True)
class Block:
    """One transcript of the README: where its body starts and ends, and how to run it."""

    start: int
    end: int
    line: int
    options: dict[str, str]
    body: str

    @property
    def commands(self) -> list[str]:
        return _commands(self.body)


@dataclass
class Result:
    block: Block
    text: str | None  # None: not checked (a tool it needs is missing)
    reason: str = ""

    @property
    def stale(self) -> bool:
        return self.text is not None and normalised(self.text) != normalised(self.block.body)


@dataclass
class Session:
    """The scratch copy of the configuration, the emulator and the environment of commands."""

    root: Path
    endpoint_url: str
    env: dict[str, str]
    state: dict[str, object] = field(default_factory=dict)

    def client(self, service: str) -> object:
        import boto3

        return boto3.Session(
            aws_access_key_id=self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=self.env["AWS_SECRET_ACCESS_KEY"],
            region_name=self.env["AWS_DEFAULT_REGION"],
        ).client(service, endpoint_url=self.endpoint_url)

    def sentinel(self, *args: str, cwd: Path | None = None) -> str:
        """Run a command out of the README's sight (a setup step); fail when it fails."""
        code, output = _run(["sentinel", *args], cwd or self.root, self.env, COLUMNS)
        if code != 0:
            shown = " ".join(["sentinel", *args])
            raise TranscriptError(f"setup command {shown} exited {code}:\n{output}")
        return output


class TranscriptError(Exception):
    pass


def find_blocks(text: str) -> list[Block]:
    blocks = []
    for marker in MARKER.finditer(text):
        fence = FENCE.match(text, marker.end())
        if fence is None:
            line = text.count("\n", 0, marker.start()) + 1
            raise TranscriptError(f"README.md:{line}: a transcript marker not followed by a block")
        options = dict(item.split("=", 1) for item in shlex.split(marker.group("options") or ""))
        line = text.count("\n", 0, fence.start("body")) + 1
        unknown = set(options) - {
            "cwd",
            "setup",
            "exit",
            "columns",
            "lines",
            "stop",
            "needs",
            "clock",
        }
        if unknown:
            raise TranscriptError(f"README.md:{line}: unknown option(s) {', '.join(unknown)}")
        blocks.append(
            Block(fence.start("body"), fence.end("body"), line, options, fence.group("body"))
        )
    return blocks


def _commands(body: str) -> list[str]:
    """The ``$`` lines of a block, continuation lines (``\\``) joined."""
    commands: list[str] = []
    continued = False
    for line in body.splitlines():
        if continued:
            commands[-1] += "\n" + line
        elif line.startswith("$ "):
            commands.append(line[2:])
        else:
            continue
        continued = line.endswith("\\")
    return commands


def normalised(text: str) -> str:
    for pattern, placeholder in VOLATILE:
        text = pattern.sub(placeholder, text)
    return text


def generate(text: str) -> list[Result]:
    """Run every transcript of ``text`` (a README) and return what each one prints now."""
    blocks = find_blocks(text)
    if not blocks:
        return []
    with _session() as session:
        return [_run_block(block, session) for block in blocks]


def regenerate(text: str, results: list[Result]) -> str:
    """``text`` with each stale transcript replaced by its new output."""
    for result in sorted(results, key=lambda r: r.block.start, reverse=True):
        if result.stale and result.text is not None:
            block = result.block
            text = text[: block.start] + result.text + text[block.end :]
    return text


def diff(results: list[Result]) -> str:
    out = []
    for result in results:
        if result.stale and result.text is not None:
            out.extend(
                difflib.unified_diff(
                    result.block.body.splitlines(keepends=True),
                    result.text.splitlines(keepends=True),
                    f"README.md:{result.block.line} (in the README)",
                    f"README.md:{result.block.line} (as the commands print it now)",
                )
            )
    return "".join(out)


@contextlib.contextmanager
def _session() -> Iterator[Session]:
    import time_machine

    with (
        tempfile.TemporaryDirectory(prefix="sentinel-readme-") as scratch,
        time_machine.travel(NOW, tick=True),
    ):
        root = Path(scratch) / "p2p"
        root.mkdir()
        for part in CONFIGURATION:
            _copy(REPOSITORY / part, root / part)
        for part in FIXTURES:
            _copy(REPOSITORY / part, root / part)
        env = {
            "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
            "HOME": scratch,
            "LANG": "C.UTF-8",
            "TZ": "UTC",
            "NO_COLOR": "1",
            "TERM": "dumb",
            "PYTHONUNBUFFERED": "1",
            "AWS_CONFIG_FILE": str(Path(scratch) / "aws-config"),
            "AWS_SHARED_CREDENTIALS_FILE": str(Path(scratch) / "aws-credentials"),
            **SECRETS,
        }
        if "PYTHONPATH" in os.environ:
            env["PYTHONPATH"] = os.environ["PYTHONPATH"]
        with _emulator(env, Path(scratch)) as exports:
            env.update(exports)
            session = Session(root, exports["AWS_ENDPOINT_URL"], env)
            try:
                yield session
            finally:
                for stop in session.state.get("cleanup", []):  # type: ignore[attr-defined]
                    stop()


@contextlib.contextmanager
def _emulator(env: dict[str, str], cwd: Path) -> Iterator[dict[str, str]]:
    """``sentinel local`` in a process of its own, clock pinned; its ``export`` lines."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    log = cwd / "sentinel-local.log"  # a file, never a pipe nobody reads while it serves
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [sys.executable, "-c", _BOOT, "local", "--port", str(port)],
            cwd=cwd,
            env={**env, "COLUMNS": str(COLUMNS), "TRANSCRIPT_CLOCK": str(time.time())},
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + COMMAND_TIMEOUT
        output = ""
        while "Press Ctrl-C" not in output:
            if process.poll() is not None or time.monotonic() > deadline:
                raise TranscriptError(f"sentinel local did not start:\n{output}")
            time.sleep(0.2)
            output = log.read_text(encoding="utf-8", errors="replace")
        yield dict(re.findall(r"^export (\w+)=(.*)$", output, re.MULTILINE))
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".sentinel", "__pycache__"))
    elif source.exists():
        shutil.copy2(source, target)


def _run_block(block: Block, session: Session) -> Result:
    needs = block.options.get("needs")
    if needs and shutil.which(needs, path=session.env["PATH"]) is None:
        return Result(block, None, f"{needs} is not installed")
    for name in filter(None, block.options.get("setup", "").split(",")):
        if name not in SETUPS:
            raise TranscriptError(f"README.md:{block.line}: unknown setup {name!r}")
        SETUPS[name](session)
    cwd = session.root / block.options.get("cwd", ".")
    columns = int(block.options.get("columns", COLUMNS))
    expected = int(block.options.get("exit", "0"))
    lines: list[str] = []
    typed: set[int] = set()
    pinned = block.options.get("clock") == "now"
    for index, command in enumerate(block.commands):
        argv = shlex.split(command.replace("\\\n", " "), comments=True)
        # A second apart, so that each command comes after the one before it.
        moment = NOW.timestamp() + index if pinned else None
        code, output = _run(
            argv, cwd, session.env, columns, block.options.get("stop"), command, moment
        )
        if code != expected:
            raise TranscriptError(
                f"README.md:{block.line}: `{argv[0]} {' '.join(argv[1:])}` exited {code}, "
                f"expected {expected}:\n{output}"
            )
        first, *continued = command.splitlines()
        typed.update(range(len(lines), len(lines) + 1 + len(continued)))
        lines.extend([f"$ {first}", *continued])
        lines.extend(output.rstrip().splitlines())
    return Result(block, _excerpt(lines, block.options.get("lines"), typed))


def _excerpt(lines: list[str], spec: str | None, typed: set[int] | None = None) -> str:
    """The lines ``spec`` keeps, and always the commands typed (the next run reads them)."""
    lines = [line.rstrip() for line in lines]
    if spec:
        keep: set[int] = set(typed or ())
        for part in spec.split(","):
            start, _, stop = part.partition(":")
            first = _index(start, len(lines), 0)
            last = _index(stop, len(lines), len(lines)) if ":" in part else first + 1
            keep.update(range(first, last))
        shown: list[str] = []
        for index, line in enumerate(lines):
            if index in keep:
                shown.append(line)
            elif not shown or shown[-1] != "...":
                shown.append("...")
        lines = shown
    return "\n".join(lines) + "\n"


def _index(value: str, size: int, default: int) -> int:
    if not value:
        return default
    number = int(value)
    return number - 1 if number > 0 else max(size + number, 0)


def _run(
    argv: list[str],
    cwd: Path,
    env: dict[str, str],
    columns: int,
    stop: str | None = None,
    shown: str | None = None,
    pinned: float | None = None,
) -> tuple[int, str]:
    # The pinned clock goes on from where the emulator's is: one timeline for the whole story.
    moment = pinned if pinned is not None else time.time()
    env = {**env, "COLUMNS": str(columns), "TRANSCRIPT_CLOCK": str(moment)}
    if shown is not None and any(token in shown for token in ("|", ">", "&&")):
        process_args: list[str] | str = ["bash", "-o", "pipefail", "-c", shown]
    elif argv[0] == "sentinel":
        process_args = [sys.executable, "-c", _BOOT, *argv[1:]]
    else:
        process_args = argv
    process = subprocess.Popen(
        process_args,
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        start_new_session=True,
    )
    if stop is None:
        try:
            raw, _ = process.communicate(timeout=COMMAND_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            raise TranscriptError(f"{shown or argv}: no answer in {COMMAND_TIMEOUT}s") from None
        return process.returncode, raw.decode("utf-8", errors="replace")
    return _until(process, stop, shown or " ".join(argv))


def _until(process: subprocess.Popen[bytes], stop: str, shown: str) -> tuple[int, str]:
    """Read a long-running command's output until ``stop`` appears, then press Ctrl-C."""
    output = _read_until(process, stop, shown)
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=60)
    # A terminal would show the interrupt as ^C; the exit code is the command's answer to it.
    return process.returncode, output + rest.decode("utf-8", errors="replace")


def _read_until(process: subprocess.Popen[bytes], stop: str, shown: str) -> str:
    """What the process printed up to the line with ``stop``, read from the pipe unbuffered."""
    assert process.stdout is not None
    fd = process.stdout.fileno()
    raw = b""
    deadline = time.monotonic() + COMMAND_TIMEOUT
    with selectors.DefaultSelector() as selector:
        selector.register(fd, selectors.EVENT_READ)
        while stop.encode() not in raw or not raw.endswith(b"\n"):
            output = raw.decode("utf-8", errors="replace")
            if time.monotonic() > deadline:
                process.kill()
                raise TranscriptError(f"{shown}: never printed {stop!r}:\n{output}")
            if selector.select(timeout=1):
                chunk = os.read(fd, 65536)
                if not chunk:
                    process.wait(timeout=60)
                    raise TranscriptError(f"{shown}: exited before {stop!r}:\n{output}")
                raw += chunk
    return raw.decode("utf-8", errors="replace")


# --- What happens before a transcript, as its prose says -------------------------------------


def _edit(session: Session, path: str, old: str, new: str) -> None:
    file = session.root / path
    text = file.read_text(encoding="utf-8")
    if old not in text:
        raise TranscriptError(f"setup: {path} no longer contains {old!r}")
    file.write_text(text.replace(old, new, 1), encoding="utf-8")


def _copy_configuration(session: Session, name: str) -> Path:
    """A copy of the configuration beside the root one (``cwd=../NAME``), to edit."""
    copy = session.root.parent / name
    if copy.exists():
        shutil.rmtree(copy)
    for part in ("sentinel.yaml", "alarms", "dashboards", "budgets", "monitors"):
        _copy(session.root / part, copy / part)
    return copy


def edit_alarm_rules(session: Session) -> None:
    """In ../edited: rds-cpu-high's threshold lowered to 85, the failed-deployments rule gone."""
    edited = _copy_configuration(session, "edited")
    text = (edited / "alarms" / "critical.yaml").read_text(encoding="utf-8")
    start = text.index("  - name: rds-cpu-high")
    end = text.index("  - name:", start + 1)
    rule = text[start:end].replace('condition: "> 90"', 'condition: "> 85"', 1)
    (edited / "alarms" / "critical.yaml").write_text(
        text[:start] + rule + text[end:], encoding="utf-8"
    )
    warning = (edited / "alarms" / "warning.yaml").read_text(encoding="utf-8")
    start = warning.index("  - name: failed-deployments")
    # The rule ends at the next rule or the next top-level key (composites:, events:).
    following = re.search(r"\n(  - name:|\S)", warning[start + 1 :])
    end = len(warning) if following is None else start + 1 + following.start() + 1
    (edited / "alarms" / "warning.yaml").write_text(
        warning[:start] + warning[end:], encoding="utf-8"
    )


# The alarm edited in the console, and the fields the console's edit form sends back: the demo's.
from sentinel.demo.sync import DRIFTED_ALARM, EDITABLE  # noqa: E402

DELETED_ALARM = "p2p-queue-depth-high"


def alarms_changed_in_console(session: Session) -> None:
    """Someone raises rds-cpu-high's threshold to 99 and deletes queue-depth-high by hand."""
    cloudwatch = session.client("cloudwatch")
    [alarm] = cloudwatch.describe_alarms(AlarmNames=[DRIFTED_ALARM])["MetricAlarms"]  # type: ignore[attr-defined]
    edit = {key: alarm[key] for key in EDITABLE if key in alarm and alarm[key] != []}
    cloudwatch.put_metric_alarm(**edit, Threshold=99.0)  # type: ignore[attr-defined]
    cloudwatch.delete_alarms(AlarmNames=[DELETED_ALARM])  # type: ignore[attr-defined]


def edit_monthly_budget(session: Session) -> None:
    """In ../budget: monthly-total at 2800 USD, alerts at 80, 100 and 150 %, notifying high."""
    copy = _copy_configuration(session, "budget")
    path = "budgets/budgets.yaml"
    text = (copy / path).read_text(encoding="utf-8")
    start = text.index("  - name: monthly-total")
    end = text.index("  - name:", start + 1)
    budget = text[start:end]
    for old, new in (
        ("amount: 2500 USD", "amount: 2800 USD"),
        ("alerts: [80%, 100%, 120%]", "alerts: [80%, 100%, 150%]"),
        ("notify: [warning, ", "notify: [high, "),
    ):
        if old not in budget:
            raise TranscriptError(f"setup: monthly-total in {path} no longer has {old!r}")
        budget = budget.replace(old, new, 1)
    (copy / path).write_text(text[:start] + budget + text[end:], encoding="utf-8")


def apply_configuration(session: Session) -> None:
    """sentinel apply, out of sight: AWS matches the configuration again."""
    session.sentinel("apply", "--auto-approve", "--compact")


def apply_budget_edit(session: Session) -> None:
    """sentinel apply in ../budget, out of sight: the edited budget is in AWS."""
    session.sentinel("apply", "--auto-approve", "--compact", cwd=session.root.parent / "budget")


def dashboard_and_budget_changed_in_console(session: Session) -> None:
    """A widget renamed, another resized, the budget raised to 3000 USD, all by hand."""
    import json

    cloudwatch = session.client("cloudwatch")
    name = "p2p-main-operations"
    body = json.loads(cloudwatch.get_dashboard(DashboardName=name)["DashboardBody"])  # type: ignore[attr-defined]
    widgets = body["widgets"]
    widgets[6]["properties"]["title"] = "5xx %"
    widgets[8]["height"] = 8
    cloudwatch.put_dashboard(DashboardName=name, DashboardBody=json.dumps(body))  # type: ignore[attr-defined]
    budgets = session.client("budgets")
    account = session.client("sts").get_caller_identity()["Account"]  # type: ignore[attr-defined]
    [budget] = [
        b
        for b in budgets.describe_budgets(AccountId=account)["Budgets"]  # type: ignore[attr-defined]
        if b["BudgetName"] == "p2p-monthly-total"
    ]
    budget["BudgetLimit"] = {"Amount": "3000", "Unit": "USD"}
    budget.pop("CalculatedSpend", None)
    budgets.update_budget(AccountId=account, NewBudget=budget)  # type: ignore[attr-defined]


def alarm_fires_and_recovers(session: Session) -> None:
    """Stand-ins for PagerDuty and Slack; CloudWatch sends ALARM, then OK, for rds-cpu-high."""
    from datetime import timedelta

    from sentinel.demo.routing import _message
    from sentinel.routing.standins import stand_ins

    context = stand_ins()
    running = context.__enter__()
    session.state.setdefault("cleanup", []).append(  # type: ignore[attr-defined]
        lambda: context.__exit__(None, None, None)
    )
    session.env.update(running.environment())
    session.env["SLACK_BOT_TOKEN"] = "demo-slack-bot-token"
    sns = session.client("sns")
    account = session.client("sts").get_caller_identity()["Account"]  # type: ignore[attr-defined]
    topic = f"arn:aws:sns:{session.env['AWS_DEFAULT_REGION']}:{account}:p2p-critical"
    from rich.console import Console

    from sentinel.demo.runner import DemoContext

    demo = DemoContext(Console(file=io.StringIO()), session.root, session.endpoint_url, session.env)
    now = datetime.now(UTC)
    for state, changed in (("ALARM", now - timedelta(minutes=3)), ("OK", now)):
        body, subject = _message(demo, state, changed)
        sns.publish(TopicArn=topic, Message=body, Subject=subject)  # type: ignore[attr-defined]


def without_slack(session: Session) -> None:
    """The cost report is printed, not posted: no Slack token, no Slack stand-in."""
    for name in ("SLACK_BOT_TOKEN", "SENTINEL_SLACK_API_URL", "SENTINEL_CA_BUNDLE"):
        session.env.pop(name, None)


def hand_made_estate(session: Session) -> None:
    """A team's alarms, dashboards, budgets and topics, made by hand over the years."""
    import boto3

    from sentinel.aws.session import SessionFactory
    from sentinel.emulator.estate import build_estate

    boto = boto3.Session(
        aws_access_key_id=session.env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=session.env["AWS_SECRET_ACCESS_KEY"],
        region_name=session.env["AWS_DEFAULT_REGION"],
    )
    build_estate(SessionFactory(session=boto, endpoint_url=session.endpoint_url))


SELF_MONITORING = """
self_monitoring:
  severity: critical
  components: [router, daemon]
  for: 5m
"""


def self_monitoring(session: Session) -> None:
    """In ../watched: the configuration with the heartbeat alarms of its router and daemon."""
    watched = _copy_configuration(session, "watched")
    with (watched / "sentinel.yaml").open("a", encoding="utf-8") as file:
        file.write(SELF_MONITORING)


MULTI_ACCOUNT = "examples/multi-account"
# Fixes the ids moto hands out from here on (organization, units, accounts), run after run.
ORGANIZATION_SEED = 2026


def _caller_account(session: Session) -> str:
    return str(session.client("sts").get_caller_identity()["Account"])  # type: ignore[attr-defined]


def _make_role(session: Session, account: str, name: str, trusted: str) -> None:
    """The role ``name`` in ``account``, trusting ``trusted``: an IAM CreateRole made in that
    account (moto's ``x-moto-account-id`` header), as its administrator would."""
    import json

    iam = session.client("iam")

    def in_account(request: object, **_: object) -> None:
        request.headers["x-moto-account-id"] = account  # type: ignore[attr-defined]

    iam.meta.events.register("before-sign.iam.*", in_account)  # type: ignore[attr-defined]
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": f"arn:aws:iam::{trusted}:root"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
    iam.create_role(RoleName=name, AssumeRolePolicyDocument=json.dumps(trust))  # type: ignore[attr-defined]


def member_account_roles(session: Session) -> None:
    """The role of examples/multi-account/shop in each of its accounts, trusting the caller's."""
    from sentinel.config import load_config

    caller = _caller_account(session)
    config = load_config(session.root / MULTI_ACCOUNT / "shop")
    for account in config.project.accounts:
        if account.role is None:
            raise TranscriptError(f"setup: account {account.id} of the example has no role")
        _make_role(session, account.id, account.role.rsplit("/", 1)[-1], caller)


# The organization of examples/multi-account/organization: units, and accounts in each.
ORGANIZATION = {"workloads": ("web", "api"), "workloads/data": ("analytics", "sandbox")}


def organization_with_units(session: Session) -> None:
    """The caller's account becomes an organization's management account; the units of
    ``ORGANIZATION`` get their accounts, each with the role ``sentinel`` trusting the caller.
    The example's ``ous:`` (workloads) and ``exclude:`` (sandbox) are the ids made here."""
    import urllib.request

    from sentinel.config import load_config

    seed = f"{session.endpoint_url}/moto-api/seed?a={ORGANIZATION_SEED}"
    urllib.request.urlopen(urllib.request.Request(seed, method="POST"), timeout=30).close()
    caller = _caller_account(session)
    organizations = session.client("organizations")
    organizations.create_organization(FeatureSet="ALL")  # type: ignore[attr-defined]
    root = organizations.list_roots()["Roots"][0]["Id"]  # type: ignore[attr-defined]
    units = {"": str(root)}
    made_accounts: dict[str, str] = {}
    for path, names in ORGANIZATION.items():
        parent, _, name = path.rpartition("/")
        made = organizations.create_organizational_unit(ParentId=units[parent], Name=name)  # type: ignore[attr-defined]
        units[path] = str(made["OrganizationalUnit"]["Id"])
        for account_name in names:
            status = organizations.create_account(  # type: ignore[attr-defined]
                AccountName=account_name, Email=f"{account_name}@shop.example.com"
            )["CreateAccountStatus"]
            account = str(
                organizations.describe_create_account_status(  # type: ignore[attr-defined]
                    CreateAccountRequestId=status["Id"]
                )["CreateAccountStatus"]["AccountId"]
            )
            organizations.move_account(  # type: ignore[attr-defined]
                AccountId=account, SourceParentId=root, DestinationParentId=units[path]
            )
            _make_role(session, account, "sentinel", caller)
            made_accounts[account_name] = account
    example = load_config(session.root / MULTI_ACCOUNT / "organization").project.organization
    expected = ([units["workloads"]], [made_accounts["sandbox"]])
    if example is None or (list(example.ous), list(example.exclude)) != expected:
        raise TranscriptError(
            f"setup: {MULTI_ACCOUNT}/organization/sentinel.yaml should list ous: "
            f"{expected[0]} and exclude: {expected[1]}, the ids the emulator made"
        )


SETUPS: dict[str, Callable[[Session], None]] = {
    "edit-alarm-rules": edit_alarm_rules,
    "alarms-changed-in-console": alarms_changed_in_console,
    "edit-monthly-budget": edit_monthly_budget,
    "apply": apply_configuration,
    "apply-budget-edit": apply_budget_edit,
    "dashboard-and-budget-changed-in-console": dashboard_and_budget_changed_in_console,
    "alarm-fires-and-recovers": alarm_fires_and_recovers,
    "without-slack": without_slack,
    "hand-made-estate": hand_made_estate,
    "self-monitoring": self_monitoring,
    "member-account-roles": member_account_roles,
    "organization-with-units": organization_with_units,
}


EXIT_CODES = re.compile(r"(<!-- exit-codes[^\n]*-->\n)(.*?)(<!-- /exit-codes -->)", re.S)


def exit_code_section(text: str) -> str:
    """``text`` with its exit-code table as ``sentinel.cli.exit_codes`` states it."""
    from sentinel.cli.exit_codes import markdown

    return EXIT_CODES.sub(lambda m: m.group(1) + markdown() + "\n" + m.group(3), text)


def main(argv: list[str]) -> int:
    write = "--write" in argv
    text = README.read_text(encoding="utf-8")
    if write:
        text = exit_code_section(text)
    elif exit_code_section(text) != text:
        print("README.md: the exit-code table differs from sentinel.cli.exit_codes (make readme)")
        return 1
    results = generate(text)
    for result in results:
        if result.text is None:
            print(f"README.md:{result.block.line}: not checked: {result.reason}", file=sys.stderr)
    stale = [r for r in results if r.stale]
    if write:
        README.write_text(regenerate(text, results), encoding="utf-8")
        print(f"README.md: {len(results)} transcripts, {len(stale)} regenerated")
        return 0
    if stale:
        print(diff(results), end="")
        print(f"README.md: {len(stale)} of {len(results)} transcripts are stale (make readme)")
        return 1
    print(f"README.md: {len(results)} transcripts match")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
