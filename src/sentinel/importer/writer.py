"""The YAML an import writes, in the project's layout, and the refusal to overwrite a config."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from sentinel.errors import RefusedError
from sentinel.naming import prefix

PROJECT_FILE = "sentinel.yaml"
UNROUTED_FILE = "unrouted-alarms.yaml"


class _Dumper(yaml.SafeDumper):
    """Block style for lists of rules, flow style for small leaf maps and lists."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_dict(dumper: yaml.SafeDumper, value: dict[str, Any]) -> yaml.MappingNode:
    """A small map of scalars on one line (``{InstanceId: '{id}'}``), anything else in blocks."""
    scalars = all(not isinstance(v, (dict, list)) for v in value.values())
    flow = (
        scalars
        and len(value) <= 3
        and sum(len(str(k)) + len(str(v)) for k, v in value.items()) < 60
    )
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=flow)


def _represent_list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    scalars = all(not isinstance(v, (dict, list)) for v in value)
    flow = scalars and sum(len(str(v)) + 2 for v in value) < 70
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=flow)


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(dict, _represent_dict)
_Dumper.add_representer(list, _represent_list)


def dump(data: Any) -> str:
    return yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        default_flow_style=None,
        width=100,
        allow_unicode=True,
    )


def check_directory(directory: Path, force: bool) -> None:
    """Refuse a directory holding anything but a sentinel.yaml, unless forced."""
    if not directory.exists():
        return
    if not directory.is_dir():
        raise RefusedError(f"{directory} is not a directory")
    found = sorted(p.name for p in directory.iterdir() if p.name != PROJECT_FILE)
    if found and not force:
        shown = ", ".join(found[:5]) + (" ..." if len(found) > 5 else "")
        raise RefusedError(
            f"{directory} is not empty ({shown}): import writes a new configuration; "
            "choose an empty directory, or pass --force to overwrite its files"
        )


def existing_project(directory: Path) -> dict[str, Any] | None:
    path = directory / PROJECT_FILE
    if not path.is_file():
        return None
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else None


def header(project: str, account: str, region: str) -> str:
    return (
        f"# Imported by `sentinel import` from account {account}, {region}.\n"
        f"# Names outside the {prefix(project)} prefix are kept as aws_name.\n"
    )


def write(path: Path, top: str, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(top + dump(data), encoding="utf-8")
