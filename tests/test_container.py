"""The container: Dockerfile, compose.yaml and the ECS Fargate example say and run what is meant.

No container engine is needed: hadolint lints the Dockerfiles, compose.yaml and the task
definitions are read as data, and every `sentinel` command in them is parsed by the real command
line (options, choices, subcommands) without running it.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click
import pytest
import yaml
from botocore.session import get_session
from botocore.validate import ParamValidator
from sqlalchemy.engine import make_url

from sentinel.cli import main
from sentinel.config import load_config
from sentinel.config.loader import STORE_ENV
from sentinel.config.secrets import secret_references

REPOSITORY = Path(__file__).parents[1]
DOCKERFILE = REPOSITORY / "Dockerfile"
COMPOSE = REPOSITORY / "compose.yaml"
ECS = REPOSITORY / "examples" / "ecs"
TASK_DEFINITIONS = {
    "route": ECS / "task-definition.json",
    "daemon": ECS / "daemon-task-definition.json",
}
SLIM_PYTHON = re.compile(r"^python:3\.12\.\d+-slim(-[a-z]+)?$")
PLACEHOLDER = re.compile(r"<[A-Z][A-Z_]*>")
HEALTHZ = "http://localhost:9100/healthz"
# Settings a layer must never hold: an image is pulled by more hands than a secret store.
SECRET_NAME = re.compile(r"PASSWORD|SECRET|TOKEN|ACCESS_KEY|PAGERDUTY_KEY")


# -- the command line, resolved without running anything -------------------------------------


def resolve(argv: Sequence[str]) -> click.Context:
    """The context `sentinel ARGV` would run in: subcommands found, options and values parsed.

    Raises ``click.UsageError`` for an unknown command, option or choice, or a bad value.
    """
    ctx = click.Context(main, info_name="sentinel")
    command: click.Command = main
    args = list(argv)
    while isinstance(command, click.Group) and args and not args[0].startswith("-"):
        found = command.get_command(ctx, args[0])
        if found is None:
            raise click.UsageError(f"No such command {args[0]!r} in `{ctx.command_path}`.")
        command = found
        ctx = click.Context(command, info_name=args.pop(0), parent=ctx)
    parsed = command.make_context(ctx.info_name, args, parent=ctx.parent)
    if isinstance(command, click.Group):
        # what is left after the group's options: a subcommand it does not have
        protected = (
            parsed._protected_args if hasattr(parsed, "_protected_args") else parsed.protected_args
        )
        left = [*protected, *parsed.args]
        if left:
            raise click.UsageError(f"No such command {left[0]!r} in `{parsed.command_path}`.")
    return parsed


def test_resolve_finds_commands_and_refuses_mistakes() -> None:
    """The check below can fail: a misspelt option, command or choice is a usage error."""
    assert resolve(["route", "-C", "/config"]).params["config_dir"] == Path("/config")
    assert resolve(["daemon", "status"]).command.name == "status"
    assert resolve(["iam-policy", "--for", "route"]).params["flow"] == "route"
    for wrong in (
        ["route", "--metric-port", "9100"],
        ["rout", "-C", "/config"],
        ["daemon", "statuss"],
        ["iam-policy", "--for", "router"],
        ["route", "--wait", "0"],
    ):
        with pytest.raises(click.UsageError):
            resolve(wrong)


# -- the Dockerfile --------------------------------------------------------------------------


def _hadolint() -> str:
    """The hadolint of the dev extras (installed next to this Python), or one on PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    found = str(beside) if beside.exists() else shutil.which("hadolint")
    if found is None:
        pytest.fail("hadolint is not installed: pip install -e '.[dev]'")
    return found


def _lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_hadolint(), "--no-color", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of a Dockerfile: continuation lines joined, comments dropped."""
    found: list[tuple[str, str]] = []
    current = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.endswith("\\"):
            current += line[:-1] + " "
            continue
        keyword, _, rest = (current + line).partition(" ")
        found.append((keyword.upper(), " ".join(rest.split())))
        current = ""
    return found


def _stages(path: Path) -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for keyword, rest in _instructions(path):
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, rest))
    return stages


def _env(stage: list[tuple[str, str]]) -> dict[str, str]:
    pairs = [item for keyword, rest in stage if keyword == "ENV" for item in shlex.split(rest)]
    return dict(pair.split("=", 1) for pair in pairs)


def test_dockerfiles_pass_hadolint() -> None:
    for path in (DOCKERFILE, ECS / "config.Dockerfile"):
        result = _lint(path)
        assert result.returncode == 0, result.stdout + result.stderr


def test_hadolint_reports_a_mistake(tmp_path: Path) -> None:
    """The check above can fail: an unpinned base and an unpinned pip install are findings."""
    text = DOCKERFILE.read_text(encoding="utf-8")
    broken = tmp_path / "Dockerfile"
    broken.write_text(
        text.replace("python:3.12.12-slim-trixie AS builder", "python:latest AS builder").replace(
            "pip install /wheels/*.whl", "pip install /wheels/*.whl requests"
        ),
        encoding="utf-8",
    )
    result = _lint(broken)
    assert result.returncode == 1
    assert "DL3007" in result.stdout and "DL3013" in result.stdout


def test_a_slim_pinned_python_builds_the_wheel_that_the_runtime_installs() -> None:
    builder, runtime = _stages(DOCKERFILE)
    for stage in (builder, runtime):
        base = stage[0][1].split()[0]
        assert SLIM_PYTHON.match(base), base
    assert builder[0][1].endswith("AS builder")
    assert ("RUN", "pip wheel --no-deps --wheel-dir /wheels .") in builder
    copied = [rest for keyword, rest in builder if keyword == "COPY"]
    assert copied == ["pyproject.toml README.md ./", "src/ src/"]
    # The runtime copies nothing from the build context: the wheel is mounted for the install.
    assert not [rest for keyword, rest in runtime if keyword in ("COPY", "ADD")]
    [install] = [rest for keyword, rest in runtime if keyword == "RUN" and "pip install" in rest]
    assert "from=builder,source=/wheels" in install
    assert install.endswith("pip install /wheels/*.whl")  # the wheel alone: no [dev], no [local]


def test_the_runtime_runs_sentinel_as_a_fixed_non_root_user() -> None:
    _, runtime = _stages(DOCKERFILE)
    [user] = [rest for keyword, rest in runtime if keyword == "USER"]
    uid, _, gid = user.partition(":")
    assert uid.isdigit() and int(uid) != 0 and gid == uid
    [useradd] = [rest for keyword, rest in runtime if keyword == "RUN" and "useradd" in rest]
    assert f"--uid {uid}" in useradd and f"--gid {gid}" in useradd
    assert [keyword for keyword, _ in runtime][-2:] == ["ENTRYPOINT", "CMD"]
    assert dict(runtime)["ENTRYPOINT"] == '["sentinel"]'
    assert dict(runtime)["CMD"] == '["--help"]'
    assert dict(runtime)["WORKDIR"] == "/config"
    env = _env(runtime)
    assert env["PYTHONDONTWRITEBYTECODE"] == "1" and env["PYTHONUNBUFFERED"] == "1"


def test_no_secret_in_a_layer_and_no_local_state_in_the_build_context() -> None:
    for path in (DOCKERFILE, ECS / "config.Dockerfile"):
        for keyword, rest in _instructions(path):
            if keyword in ("ENV", "ARG"):
                names = [item.split("=", 1)[0] for item in shlex.split(rest)]
                assert not [n for n in names if SECRET_NAME.search(n)], (path.name, rest)
    ignored = {
        line.strip()
        for line in (REPOSITORY / ".dockerignore").read_text(encoding="utf-8").splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert {".git", ".venv", ".sentinel", "**/.sentinel", ".env", ".aws", "tests"} <= ignored
    assert {"**/__pycache__", ".pytest_cache", ".ruff_cache", ".mypy_cache"} <= ignored


def test_the_config_image_validates_the_configuration_it_copies() -> None:
    stage = _instructions(ECS / "config.Dockerfile")
    copied = [rest.split()[0] for keyword, rest in stage if keyword == "COPY"]
    assert copied == ["sentinel.yaml", "alarms/", "dashboards/", "budgets/", "monitors/"]
    assert all((REPOSITORY / source).exists() for source in copied)
    [run] = [json.loads(rest) for keyword, rest in stage if keyword == "RUN"]
    assert run[0] == "sentinel"
    assert resolve(run[1:]).command.name == "validate"


# -- compose.yaml ----------------------------------------------------------------------------

LONG_RUNNING = ("daemon", "router-1", "router-2")
SENTINEL_SERVICES = ("migrate", *LONG_RUNNING)


def _compose() -> dict[str, Any]:
    document = yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _interpolate(value: str, variables: dict[str, str]) -> str:
    """Compose's ${NAME}, ${NAME:-default} and ${NAME:?error}, as `docker compose` reads them."""

    def one(match: re.Match[str]) -> str:
        name, operator, word = match.group(1), match.group(2), match.group(3)
        if variables.get(name):
            return variables[name]
        if operator == ":-":
            return word
        raise AssertionError(f"compose.yaml needs {name}: {word}")

    return re.sub(r"\$\{(\w+)(?:(:-|:\?)([^}]*))?\}", one, value)


def test_compose_runs_postgres_a_migration_the_daemon_and_two_routers() -> None:
    services = _compose()["services"]
    assert set(services) == {"postgres", *SENTINEL_SERVICES}
    postgres = services["postgres"]
    assert re.match(r"^postgres:\d+(\.\d+)?(-[a-z]+)?$", postgres["image"])
    assert postgres["healthcheck"]["test"][0] == "CMD-SHELL"
    assert postgres["healthcheck"]["test"][1].startswith("pg_isready")
    volume = postgres["volumes"][0].split(":")[0]
    assert volume in _compose()["volumes"]

    assert services["migrate"]["depends_on"] == {"postgres": {"condition": "service_healthy"}}
    assert services["migrate"]["restart"] == "no"
    for name in LONG_RUNNING:
        assert services[name]["depends_on"] == {
            "migrate": {"condition": "service_completed_successfully"}
        }
        assert services[name]["restart"] == "unless-stopped"
    host_ports = [services[name]["ports"][0].rsplit(":", 1) for name in LONG_RUNNING]
    assert {container for _, container in host_ports} == {"9100"}
    assert len({host for host, _ in host_ports}) == 3
    assert all(host.startswith("127.0.0.1:") for host, _ in host_ports)


def test_every_sentinel_command_in_compose_is_a_real_command() -> None:
    services = _compose()["services"]
    commands = {name: resolve(services[name]["command"]) for name in SENTINEL_SERVICES}
    assert commands["migrate"].command_path == "sentinel db upgrade"
    assert commands["daemon"].command_path == "sentinel daemon"
    assert (
        commands["router-1"].command_path == commands["router-2"].command_path == "sentinel route"
    )
    for name in LONG_RUNNING:
        assert commands[name].params["metrics_port"] == 9100
        assert commands[name].params["metrics_host"] == "0.0.0.0"  # the published port reaches it
        test = services[name]["healthcheck"]["test"]
        assert test[:3] == ["CMD", "python", "-c"] and HEALTHZ in test[3]
    assert services["migrate"]["healthcheck"] == {"disable": True}
    # `docker compose run SERVICE ARGS` in the file's own usage lines: ARGS follow the entrypoint
    runs = re.findall(r"^#\s+docker compose run ([^#\n]*)", COMPOSE.read_text(), re.MULTILINE)
    assert runs
    for run in runs:
        words = shlex.split(run)
        while words[0].startswith("-"):  # compose's own options (--rm, --no-deps)
            words.pop(0)
        service, *args = words
        assert service in services and resolve(args).command_path.startswith("sentinel "), run


def test_compose_mounts_the_config_read_only_and_points_the_store_at_postgres() -> None:
    services = _compose()["services"]
    postgres = services["postgres"]["environment"]
    variables = {"POSTGRES_PASSWORD": "example"}
    for name in SENTINEL_SERVICES:
        service = services[name]
        assert service["image"] == "sentinel-aws:0.1.0" and service["build"] == "."
        [config] = service["volumes"]
        source, target, mode = _interpolate(config, variables).split(":")
        assert (source, target, mode) == (".", "/config", "ro")
        assert resolve(service["command"]).params["config_dir"] == Path(target)
        url = make_url(_interpolate(service["environment"][STORE_ENV], variables))
        assert (url.drivername, url.host, url.port) == ("postgresql+psycopg", "postgres", 5432)
        assert url.username == postgres["POSTGRES_USER"] and url.database == postgres["POSTGRES_DB"]
        assert url.password == "example"
        assert service["read_only"] is True and service["tmpfs"] == ["/tmp"]
    with pytest.raises(AssertionError, match="needs POSTGRES_PASSWORD"):
        _interpolate(services["daemon"]["environment"][STORE_ENV], {})


def test_the_migrate_command_upgrades_the_store_sentinel_store_names(tmp_path: Path) -> None:
    from click.testing import CliRunner

    argv = _compose()["services"]["migrate"]["command"]
    argv[argv.index("-C") + 1] = str(REPOSITORY)  # the image's /config
    store = tmp_path / "store.db"
    result = CliRunner().invoke(main, argv, env={STORE_ENV: f"sqlite:///{store}"})
    assert result.exit_code == 0, result.output
    assert "upgraded from an empty store" in result.output
    with sqlite3.connect(store) as connection:
        [(revision,)] = connection.execute("SELECT version_num FROM alembic_version").fetchall()
    assert revision in result.output


def test_compose_passes_through_the_credentials_and_the_secrets_the_config_names() -> None:
    environment = _compose()["services"]["daemon"]["environment"]
    passed = {name for name, value in environment.items() if value is None}
    assert {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"} <= passed
    named = {ref.name for ref in secret_references(load_config(REPOSITORY)) if ref.kind == "env"}
    assert named and named <= passed


def test_the_health_check_passes_on_a_healthy_process_and_fails_on_a_stopping_one() -> None:
    import threading

    from prometheus_client import CollectorRegistry

    from sentinel.telemetry.health import Liveness
    from sentinel.telemetry.server import MetricsServer

    test = _compose()["services"]["router-1"]["healthcheck"]["test"]
    assert all(_container(flow)["healthCheck"]["command"] == test for flow in TASK_DEFINITIONS)
    liveness = Liveness("router", stale_after=60)
    with MetricsServer(CollectorRegistry(), liveness) as server:

        def check() -> int:
            script = test[3].replace(":9100/", f":{server.port}/")
            return subprocess.run([sys.executable, "-c", script], capture_output=True).returncode

        assert check() == 0
        stop = threading.Event()
        liveness.stopping_when(stop)
        stop.set()  # /healthz answers 503
        assert check() == 1


def _has_docker_compose() -> bool:
    if shutil.which("docker") is None:
        return False
    found = subprocess.run(["docker", "compose", "version"], capture_output=True, check=False)
    return found.returncode == 0


# `docker compose config` needs the compose plugin, not an engine; where it is missing, the
# tests above are all there is.
@pytest.mark.skipif(not _has_docker_compose(), reason="docker compose is not installed here")
def test_docker_compose_reads_compose_yaml() -> None:
    result = subprocess.run(
        ["docker", "compose", "-f", str(COMPOSE), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={**os.environ, "POSTGRES_PASSWORD": "example"},
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr


# -- examples/ecs ----------------------------------------------------------------------------


def _json(path: Path) -> dict[str, Any]:
    document = json.loads(path.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def _container(flow: str) -> dict[str, Any]:
    [container] = _json(TASK_DEFINITIONS[flow])["containerDefinitions"]
    return container


def _ecs_input(operation: str) -> Any:
    return get_session().get_service_model("ecs").operation_model(operation).input_shape


def test_task_definitions_are_what_register_task_definition_accepts() -> None:
    for path in TASK_DEFINITIONS.values():
        report = ParamValidator().validate(_json(path), _ecs_input("RegisterTaskDefinition"))
        assert not report.has_errors(), f"{path.name}: {report.generate_report()}"
    overrides = _ecs_input("RunTask").members["overrides"]
    report = ParamValidator().validate(_json(ECS / "migrate-overrides.json"), overrides)
    assert not report.has_errors(), report.generate_report()


def test_task_definitions_run_on_fargate_and_log_to_cloudwatch() -> None:
    # Fargate's CPU units and the memory (MiB) each allows
    memory = {"256": {512, 1024, 2048}, "512": set(range(1024, 4097, 1024))}
    for flow, path in TASK_DEFINITIONS.items():
        task = _json(path)
        assert task["requiresCompatibilities"] == ["FARGATE"] and task["networkMode"] == "awsvpc"
        assert int(task["memory"]) in memory[task["cpu"]]
        assert task["taskRoleArn"] == f"arn:aws:iam::<ACCOUNT_ID>:role/sentinel-{flow}"
        container = _container(flow)
        assert container["logConfiguration"]["logDriver"] == "awslogs"
        assert container["logConfiguration"]["options"]["awslogs-stream-prefix"] == flow
        assert container["stopTimeout"] <= 120  # Fargate's most
        check = container["healthCheck"]["command"]
        assert check[:3] == ["CMD", "python", "-c"] and HEALTHZ in check[3]
        assert container["portMappings"][0]["containerPort"] == 9100


def test_every_command_in_the_ecs_example_is_a_real_command() -> None:
    for flow in TASK_DEFINITIONS:
        ctx = resolve(_container(flow)["command"])
        assert ctx.command_path == f"sentinel {flow}"
        assert ctx.params["config_dir"] == Path("/config")
        assert ctx.params["metrics_port"] == 9100
        assert ctx.params["metrics_host"] == "0.0.0.0"  # scraped from the VPC
    [override] = _json(ECS / "migrate-overrides.json")["containerOverrides"]
    assert override["name"] == _container("daemon")["name"]
    assert resolve(override["command"]).command_path == "sentinel db upgrade"


def test_the_store_and_the_secrets_the_config_names_come_from_ecs_secrets() -> None:
    config = load_config(REPOSITORY)
    needs = {
        "route": secret_references(config.routing),
        "daemon": secret_references(
            [config.cost_report, config.anomaly_detection, config.rightsizing, config.slo_review]
        ),
    }
    for flow in TASK_DEFINITIONS:
        container = _container(flow)
        assert "environment" not in container  # every value the task needs is a secret
        secrets = {s["name"]: s["valueFrom"] for s in container["secrets"]}
        assert secrets[STORE_ENV] == "<STORE_SECRET_ARN>"
        named = {ref.name for ref in needs[flow] if ref.kind == "env"}
        assert named and named <= set(secrets), flow
        for name in named:
            assert secrets[name].startswith("arn:aws:ssm:<REGION>:<ACCOUNT_ID>:parameter/")
    # the execution role reads exactly those secrets
    statements = _json(ECS / "execution-role-policy.json")["Statement"]
    resources = {s["Action"]: s["Resource"] for s in statements}
    assert resources["secretsmanager:GetSecretValue"] == "<STORE_SECRET_ARN>"
    parameters = resources["ssm:GetParameters"].removesuffix("*")
    for flow in TASK_DEFINITIONS:
        for secret in _container(flow)["secrets"]:
            arn = secret["valueFrom"]
            assert arn == "<STORE_SECRET_ARN>" or arn.startswith(parameters), arn


def test_the_task_roles_policies_come_from_sentinel_iam_policy() -> None:
    readme = (ECS / "README.md").read_text(encoding="utf-8")
    trust = _json(ECS / "task-role-trust-policy.json")["Statement"][0]
    assert trust["Principal"] == {"Service": "ecs-tasks.amazonaws.com"}
    for flow in TASK_DEFINITIONS:
        command = f"sentinel iam-policy --for {flow}"
        assert command in readme
        assert resolve(shlex.split(command)[1:]).params["flow"] == flow
        role = _json(TASK_DEFINITIONS[flow])["taskRoleArn"].rsplit("/", 1)[1]
        assert f"--role-name {role}" in readme


def test_every_placeholder_of_the_ecs_example_is_described() -> None:
    readme = (ECS / "README.md").read_text(encoding="utf-8")
    described = set(re.findall(r"^\| `(<[A-Z_]+>)` \|", readme, re.MULTILINE))
    used = {
        token
        for path in ECS.iterdir()
        if path.name != "README.md"
        for token in PLACEHOLDER.findall(path.read_text(encoding="utf-8"))
    }
    assert used and used == described
