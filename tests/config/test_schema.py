"""JSON Schema of every file kind: valid Draft 2020-12, and the root config's files conform."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from sentinel.config.files import config_files
from sentinel.config.kinds import file_kinds
from sentinel.config.schema import json_schema, write_schemas

from .cases import REPOSITORY

PATTERNS = {
    "project": "sentinel.yaml",
    "routing": "alarms/routing.yaml",
    "alarms": "alarms/*.yaml",
    "dashboards": "dashboards/*.yaml",
    "budgets": "budgets/*.yaml",
    "monitors": "monitors/*.yaml",
}


KINDS = sorted(file_kinds())


def as_json(path: Path) -> Any:
    """The file's data as an editor sees it: YAML dates are strings in JSON."""
    return json.loads(json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str))


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_has_a_valid_schema(kind: str) -> None:
    schema = json_schema(kind)

    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["title"] == f"Sentinel {PATTERNS[kind]}"
    assert schema["additionalProperties"] is False


@pytest.mark.parametrize(
    ("kind", "path"),
    [(kind, str(path.relative_to(REPOSITORY))) for kind, path in config_files(REPOSITORY)],
)
def test_root_config_files_conform_to_their_schema(kind: str, path: str) -> None:
    validator = jsonschema.Draft202012Validator(json_schema(kind))

    errors = [
        f"{list(e.path)}: {e.message}" for e in validator.iter_errors(as_json(REPOSITORY / path))
    ]
    assert errors == []


def test_schema_uses_the_names_users_write() -> None:
    alarm = json_schema("alarms")["$defs"]["AlarmRule"]["properties"]
    destination = json_schema("routing")["$defs"]["Destination"]["properties"]

    assert "for" in alarm and "for_" not in alarm
    assert "lambda" in destination and "lambda_" not in destination
    assert alarm["condition"]["examples"] == ["> 90"]


@pytest.mark.parametrize(
    ("kind", "data"),
    [
        ("project", {"project": "p", "regoins": ["us-east-1"]}),
        ("alarms", {"alarms": [{"name": "x", "severity": "s", "condition": "=> 90"}]}),
        ("budgets", {"budgets": [{"name": "b", "amount": "five hundred"}]}),
        ("routing", {"severities": {"critical": {"notify": [{"email": "not-an-address"}]}}}),
    ],
)
def test_schema_refuses_what_the_loader_refuses(kind: str, data: dict[str, Any]) -> None:
    assert not jsonschema.Draft202012Validator(json_schema(kind)).is_valid(data)


def test_write_schemas_writes_one_file_per_kind(tmp_path: Path) -> None:
    written = write_schemas(tmp_path / "schemas")

    assert sorted(written) == KINDS
    assert sorted(p.name for p in (tmp_path / "schemas").iterdir()) == [f"{k}.json" for k in KINDS]
    for kind, path in written.items():
        assert json.loads(path.read_text(encoding="utf-8")) == json_schema(kind)
