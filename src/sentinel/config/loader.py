"""Load a config directory into one ``Config``: every error at once, each with file:line:col."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ValidationError

from sentinel.config.assembly import Assembly, Source
from sentinel.config.configuration import Config
from sentinel.config.files import PROJECT_FILE, config_files, skipped_files
from sentinel.config.kinds import file_kinds
from sentinel.config.models import Project
from sentinel.config.problems import problems_from_validation
from sentinel.config.references import References
from sentinel.config.yaml_source import Position, YamlMap, YamlSyntaxError, parse_yaml
from sentinel.errors import ConfigError, ConfigProblem, ConfigWarning
from sentinel.gc_pause import gc_paused

__all__ = ["MAX_FILE_BYTES", "STORE_ENV", "Config", "load_config", "read_text"]

# A config file larger than this is refused before it is read: 10,000 alarm rules take ~2 MB.
MAX_FILE_BYTES = 5_000_000
# Replaces sentinel.yaml's store: a container gets its database URL (password and all) from a
# secret in the environment, never from a file baked into the image or mounted beside the config.
STORE_ENV = "SENTINEL_STORE"


@gc_paused()
def load_config(root: str | Path, known_resource_types: Iterable[str] | None = None) -> Config:
    """Read and validate every file; raise ``ConfigError`` with all problems found."""
    root = Path(root)
    problems: list[ConfigProblem] = []
    if not root.is_dir():
        raise ConfigError([ConfigProblem(str(root), 1, 1, "config directory does not exist")])
    files = config_files(root)
    if not any(kind == "project" for kind, _ in files):
        where = _display(root / PROJECT_FILE, root)
        message = (
            "no sentinel.yaml: this directory holds no Sentinel configuration"
            if not files
            else "missing sentinel.yaml: it names the project (project: NAME)"
        )
        problems.append(ConfigProblem(where, 1, 1, message))

    warnings = [
        ConfigWarning(_display(skipped.path, root), 1, 1, f"not read: {skipped.reason}")
        for skipped in skipped_files(root)
    ]
    parsed: list[tuple[str, Source, BaseModel]] = []
    broken: set[str] = set()
    for kind, path in files:
        display = _display(path, root)
        data, model, file_problems = _read(kind, path, display)
        problems.extend(file_problems)
        if model is not None and isinstance(data, YamlMap):
            parsed.append((kind, Source(display, data), model))
        else:
            broken.add(kind)

    config, more = _assemble(root, parsed, known_resource_types, broken)
    problems.extend(more)
    kinds = file_kinds()
    for kind, source, model in parsed:
        warnings.extend(kinds[kind].warnings(model, source, config))
    if problems:  # a missing or invalid sentinel.yaml is one of them
        raise ConfigError(problems, warnings)
    config.warnings = sorted(warnings)
    if os.environ.get(STORE_ENV):
        config.project = config.project.model_copy(update={"store": os.environ[STORE_ENV]})
    return config


def _display(path: Path, root: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _read(
    kind: str, path: Path, display: str
) -> tuple[object, BaseModel | None, list[ConfigProblem]]:
    text, problem = read_text(path, display)
    if problem is not None:
        return None, None, [problem]
    try:
        data = parse_yaml(text)
    except YamlSyntaxError as exc:
        return (
            None,
            None,
            [ConfigProblem(display, exc.position.line, exc.position.column, str(exc))],
        )
    model_class = file_kinds()[kind].model
    if data is None:
        if kind == "project":
            return None, None, [ConfigProblem(display, 1, 1, "empty file: expected project: NAME")]
        data = YamlMap()
        data.position, data.key_positions, data.value_positions = Position(1, 1), {}, {}
    if not isinstance(data, dict):
        got = "a list" if isinstance(data, list) else repr(data)
        return (
            data,
            None,
            [
                ConfigProblem(
                    display,
                    1,
                    1,
                    f"expected a mapping (key: value lines) at the top of the file, got {got}",
                )
            ],
        )
    try:
        return data, model_class.model_validate(data), []
    except ValidationError as exc:
        return data, None, problems_from_validation(exc, model_class, data, display)


def read_text(path: Path, display: str) -> tuple[str, ConfigProblem | None]:
    """The text of a config file, or why it cannot be read (never a partial read)."""

    def problem(message: str, line: int = 1, column: int = 1) -> tuple[str, ConfigProblem]:
        return "", ConfigProblem(display, line, column, message)

    if path.is_symlink() and not path.exists():
        return problem(f"cannot read file: a broken symbolic link to {os.readlink(path)}")
    try:
        if not path.is_file():  # a FIFO or a device would block or never end
            return problem("cannot read file: not a regular file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return problem(
                f"file is {size / 1e6:.1f} MB: a config file is at most "
                f"{MAX_FILE_BYTES / 1e6:.0f} MB; split it into several files"
            )
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        return problem(f"cannot read file: {exc.strerror or exc}")
    if len(raw) > MAX_FILE_BYTES:  # it grew while being read
        return problem(f"file is over {MAX_FILE_BYTES / 1e6:.0f} MB: split it into several files")
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        return problem(
            f"not UTF-8 text: byte 0x{raw[exc.start]:02x} cannot be decoded; "
            "save the file as UTF-8",
            line,
            column,
        )


def _assemble(
    root: Path,
    parsed: list[tuple[str, Source, BaseModel]],
    known_resource_types: Iterable[str] | None,
    broken: set[str],
) -> tuple[Config, list[ConfigProblem]]:
    """Every file kind defines its names, then every file kind checks its references."""
    kinds = file_kinds()
    # Names defined in a file that failed to load are unknown, not missing: no second error.
    refs = References(incomplete={ns for kind in broken for ns in kinds[kind].defines})
    project = next((m for _, _, m in parsed if isinstance(m, Project)), None)
    if known_resource_types is None:
        from sentinel.inventory import KNOWN_RESOURCE_TYPES

        known_resource_types = KNOWN_RESOURCE_TYPES
    build = Assembly(
        config=Config(root=root, project=project or Project(project="unnamed")),
        refs=refs,
        known_types=list(known_resource_types),
        valid_project=project is not None,
    )
    for kind, source, model in parsed:
        kinds[kind].define(model, source, build)
    for kind, source, model in parsed:
        kinds[kind].check(model, source, build)
    return build.config, refs.problems
