"""``sentinel validate`` and ``sentinel schema`` through click, as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import click
import jsonschema
import pytest
from click.testing import CliRunner, Result

from sentinel.cli import main
from sentinel.config.kinds import file_kinds

REPOSITORY = Path(__file__).parents[2]
CORPUS = REPOSITORY / "tests" / "config" / "corpus"
KINDS = sorted(file_kinds())


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def test_root_config_is_valid(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)
    result = run("validate")

    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    assert "project p2p is valid" in result.stdout
    assert "alarm rules" in result.stdout and "SLOs" in result.stdout


def test_root_config_by_path() -> None:
    result = run("validate", "-C", str(REPOSITORY))

    assert result.exit_code == 0, result.output
    assert f"{REPOSITORY}: project p2p is valid" in result.stdout


@pytest.mark.parametrize(
    "case",
    [
        "several-errors",
        "yaml-unquoted-condition",
        "template-unknown-resource-type",
        "unknown-severity-alarm",
        "empty-config-dir",
        "alarms-without-project",
    ],
)
def test_broken_config_prints_every_problem_and_exits_1(
    case: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()
    monkeypatch.chdir(CORPUS / case)

    result = run("validate", "-C", ".")

    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit)
    count = len(expected)
    assert result.stderr.splitlines() == [
        *expected,
        f"error: {count} error{'s' if count != 1 else ''} in configuration",
    ]
    assert result.stdout == ""
    assert "Traceback" not in result.output


def test_an_inline_secret_never_reaches_the_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS / "secret-inline")

    result = run("validate")

    assert result.exit_code == 1
    assert result.stderr.count("never the secret itself") == 3
    for secret in ("R0ZXcXNjYXJ5c2VjcmV0a2V5MTIz", "XyZzY-s3cr3t-t0k3n", "ToPsEcReT"):
        assert secret not in result.output


def test_a_missing_directory_is_a_user_error(tmp_path: Path) -> None:
    result = run("validate", "-C", str(tmp_path / "nowhere"))

    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"{tmp_path / 'nowhere'}:1:1: config directory does not exist",
        "error: 1 error in configuration",
    ]


def test_schema_prints_every_kind() -> None:
    result = run("schema")

    assert result.exit_code == 0, result.output
    schemas = json.loads(result.stdout)
    assert sorted(schemas) == KINDS
    for schema in schemas.values():
        jsonschema.Draft202012Validator.check_schema(schema)


@pytest.mark.parametrize("kind", KINDS)
def test_schema_of_one_kind(kind: str) -> None:
    result = run("schema", kind)

    assert result.exit_code == 0, result.output
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["title"].startswith("Sentinel ")


def test_schema_of_an_unknown_kind_is_a_usage_error() -> None:
    result = run("schema", "alarm")

    assert result.exit_code == 1  # never 2, which means "changes" or "violations"
    assert "'alarm' is not one of 'alarms'" in result.stderr
    assert "Traceback" not in result.output


def test_schema_out_writes_six_files(tmp_path: Path) -> None:
    out = tmp_path / "schemas"

    result = run("schema", "--out", str(out))

    assert result.exit_code == 0, result.output
    files = sorted(path.name for path in out.iterdir())
    assert files == [f"{kind}.json" for kind in KINDS]
    assert len(files) == 6
    assert len(result.stdout.splitlines()) == 6
    assert f"{out / 'alarms.json'}  (alarms/*.yaml)" in result.stdout.splitlines()
    for path in out.iterdir():
        jsonschema.Draft202012Validator.check_schema(json.loads(path.read_text(encoding="utf-8")))


def test_schema_out_is_relative_to_the_config_dir(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()

    result = run("schema", "-C", str(repo), "--out", ".sentinel/schemas")

    assert result.exit_code == 0, result.output
    assert (repo / ".sentinel" / "schemas" / "routing.json").is_file()


def test_every_command_takes_config_dir_profile_and_region() -> None:
    def commands(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
        found = []
        for name, command in group.commands.items():
            if isinstance(command, click.Group):
                found.extend(commands(command, (*prefix, name)))
            else:
                found.append((*prefix, name))
        return found

    for path in commands(main):
        text = run(*path, "--help").output
        for option in ("--config-dir", "--profile", "--region"):
            assert option in text, f"sentinel {' '.join(path)} lacks {option}"


def test_settings_that_do_nothing_are_warnings_before_the_summary(tmp_path: Path) -> None:
    (tmp_path / "alarms").mkdir()
    (tmp_path / "sentinel.yaml").write_text("project: shop\n")
    (tmp_path / "alarms/routing.yaml").write_text(
        'severities:\n  ticket:\n    notify:\n      - slack: {channel: "#alerts"}\n'
    )
    (tmp_path / "alarms/notes.txt").write_text("todo\n")

    result = run("validate", "-C", str(tmp_path))

    assert result.exit_code == 0, result.output
    assert result.stderr.splitlines() == [
        f"{tmp_path}/alarms/notes.txt:1:1: warning: not read: not a .yaml or .yml file",
        f"{tmp_path}/alarms/routing.yaml:4:9: warning: Slack destination #alerts of severity "
        "'ticket' does nothing: no router is configured, and SNS cannot post to Slack "
        "(add `router:` to this file)",
    ]
    # The summary line wraps at the terminal width, wherever the temporary path ends.
    assert "project shop is valid" in " ".join(result.stdout.split())
    assert result.output.index("warning: not read") < result.output.index("✓")


def test_warnings_are_printed_with_the_errors(tmp_path: Path) -> None:
    (tmp_path / "alarms").mkdir()
    (tmp_path / "sentinel.yaml").write_text("project: shop\n")
    (tmp_path / "alarms/CRITICAL.YAML").write_text("alarms: [\n")
    (tmp_path / "alarms/critical.yaml.orig").write_text("alarms: []\n")

    result = run("validate", "-C", str(tmp_path))

    assert result.exit_code == 1
    stderr = result.stderr.splitlines()
    assert stderr[0] == (
        f"{tmp_path}/alarms/critical.yaml.orig:1:1: warning: not read: not a .yaml or .yml file"
    )
    assert stderr[1].startswith(f"{tmp_path}/alarms/CRITICAL.YAML:2:1: invalid YAML:")
    assert stderr[-1] == "error: 1 error in configuration"
