"""JSON Schema of every file kind, for editor completion through yaml-language-server."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sentinel.config.kinds import file_kinds


def json_schema(kind: str) -> dict[str, Any]:
    file_kind = file_kinds()[kind]
    schema = file_kind.model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = f"Sentinel {file_kind.pattern}"
    return schema


def write_schemas(directory: Path) -> dict[str, Path]:
    """Write ``<kind>.json`` for every kind into ``directory``; return the paths by kind."""
    directory.mkdir(parents=True, exist_ok=True)
    written = {}
    for kind in file_kinds():
        path = directory / f"{kind}.json"
        path.write_text(json.dumps(json_schema(kind), indent=2) + "\n", encoding="utf-8")
        written[kind] = path
    return written
