"""Input that cannot hurt the tool: alias bombs, deep nesting, huge and unreadable files.

Each case ends with a clear error at file:line (or a warning naming what is not read), never
a traceback, a hang or the machine's memory. Time and memory figures are in
``bench/validate_scale.py``; here a hard memory limit makes a regression fail, not swap.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

from sentinel.config import load_config
from sentinel.config.loader import MAX_FILE_BYTES
from sentinel.config.yaml_source import MAX_DEPTH, YamlSyntaxError, parse_yaml
from sentinel.errors import ConfigError

from .cases import REPOSITORY, RESOURCE_TYPES

ROUTING = "severities:\n  critical:\n    notify:\n      - email: ops@example.com\n"
RULE = (
    "  - name: {name}\n    severity: critical\n    namespace: AWS/SQS\n"
    "    metric: ApproximateNumberOfMessagesVisible\n    dimensions: {{QueueName: {name}}}\n"
    '    statistic: Maximum\n    condition: "> 100"\n'
)
# A hard ceiling for the child process: far above what validate needs, far below a bomb.
MEMORY_LIMIT = 1024 * 1024 * 1024


def billion_laughs(levels: int = 9) -> str:
    """The classic: each anchor is ten aliases of the one before; 10**levels strings."""
    lines = ["lol0: &lol0 [" + ", ".join(["lol"] * 10) + "]"]
    for level in range(1, levels + 1):
        lines.append(f"lol{level}: &lol{level} [" + ", ".join([f"*lol{level - 1}"] * 10) + "]")
    return "\n".join(lines) + "\n"


def write(root: Path, files: dict[str, str | bytes]) -> Path:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return root


def project(root: Path, **files: str | bytes) -> Path:
    base: dict[str, str | bytes] = {
        "sentinel.yaml": "project: shop\nregions: [us-east-1]\n",
        "alarms/routing.yaml": ROUTING,
    }
    return write(root, {**base, **{name.replace("__", "/"): c for name, c in files.items()}})


def problems(root: Path) -> list[str]:
    with pytest.raises(ConfigError) as caught:
        load_config(root, known_resource_types=RESOURCE_TYPES)
    return [str(p) for p in caught.value.problems]


def test_an_alias_bomb_is_refused_at_the_anchor_it_repeats(tmp_path: Path) -> None:
    root = project(tmp_path, **{"alarms__bomb.yaml": billion_laughs()})

    (found,) = problems(root)

    # lol3 (line 4) is the first value past 2 x 33 written values + 10,000.
    assert found.startswith(f"{root}/alarms/bomb.yaml:4:7: invalid YAML: aliases expand")
    assert "past 10,031 values (the file writes out 31)" in found


def test_a_bomb_of_merge_keys_is_refused() -> None:
    lines = ["a0: &a0 {" + ", ".join(f"k{i}: {i}" for i in range(10)) + "}"]
    for level in range(1, 8):
        values = ", ".join(f"v{i}: *a{level - 1}" for i in range(10))
        lines.append(f"a{level}: &a{level} {{<<: *a{level - 1}, {values}}}")

    with pytest.raises(YamlSyntaxError, match="aliases expand this value past"):
        parse_yaml("\n".join(lines))


def test_an_alias_bomb_fails_in_a_child_with_a_memory_limit(tmp_path: Path) -> None:
    """A regression would hit the limit (MemoryError, exit 1 with a traceback) or the timeout."""
    root = project(tmp_path, **{"alarms__bomb.yaml": billion_laughs(levels=30)})

    def limit_memory() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    result = subprocess.run(
        [sys.executable, "-m", "sentinel", "validate", "-C", str(root)],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit_memory,
        env={**os.environ, "PYTHONPATH": str(REPOSITORY / "src")},
    )

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert "bomb.yaml:4:7: invalid YAML: aliases expand this value past" in result.stderr


def test_anchors_and_merge_keys_within_bounds_are_read() -> None:
    text = (
        "defaults: &defaults {period: 1m, for: 5m, statistic: Maximum}\n"
        "dims: &dims {QueueName: q}\n"
        "alarms:\n"
        "  - <<: *defaults\n    name: a\n    dimensions: *dims\n"
        "  - <<: *defaults\n    name: b\n    for: 10m\n"
    )

    data = parse_yaml(text)

    assert data["alarms"][0] == {
        "period": "1m",
        "for": "5m",
        "statistic": "Maximum",
        "name": "a",
        "dimensions": {"QueueName": "q"},
    }
    assert data["alarms"][1]["for"] == "10m"  # a key of the mapping overrides a merged one
    assert data["alarms"][1].key_positions["for"].line == 9


def test_a_key_written_twice_is_still_an_error_beside_a_merge() -> None:
    with pytest.raises(YamlSyntaxError, match="duplicate key 'for' \\(first at line 4\\)"):
        parse_yaml("d: &d {for: 1m}\na:\n  <<: *d\n  for: 1m\n  for: 2m\n")


@pytest.mark.parametrize(
    "text",
    ["a: &a [*a]\n", "a: &a {b: *a}\n", "a: &a {<<: *a}\n"],
    ids=["sequence", "mapping", "merge"],
)
def test_an_alias_inside_its_own_anchor_is_an_error(text: str) -> None:
    with pytest.raises(YamlSyntaxError, match="an alias refers to a value it is part of") as caught:
        parse_yaml(text)

    assert caught.value.position.line == 1


@pytest.mark.parametrize("levels", [MAX_DEPTH + 1, 900, 5000, 100_000])
def test_deep_nesting_is_an_error_not_a_recursion_error(levels: int) -> None:
    flow = "a: " + "[" * levels + "]" * levels + "\n"

    with pytest.raises(YamlSyntaxError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_yaml(flow)


def test_deep_block_nesting_is_an_error() -> None:
    block = "".join("  " * i + "a:\n" for i in range(200)) + "  " * 200 + "b\n"

    with pytest.raises(YamlSyntaxError, match=f"nested deeper than {MAX_DEPTH} levels"):
        parse_yaml(block)


def test_nesting_up_to_the_limit_is_read() -> None:
    depth = MAX_DEPTH - 1
    data = parse_yaml("a: " + "[" * depth + "1" + "]" * depth + "\n")

    for _ in range(depth + 1):
        data = data["a"] if isinstance(data, dict) else data[0]
    assert data == 1


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("2026-13-45", "month must be in 1..12"),
        ("2026-02-30", "day is out of range for month"),
        ("9" * 5000, "Exceeds the limit (4300 digits) for integer string conversion"),
    ],
)
def test_a_value_yaml_cannot_build_is_an_error_at_its_place(value: str, reason: str) -> None:
    with pytest.raises(YamlSyntaxError, match="quote it to keep it as text") as caught:
        parse_yaml(f"name: x\nstart: {value}\n")

    assert caught.value.position == (2, 8)
    assert reason in str(caught.value)
    assert len(str(caught.value)) < 200


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    padding = "# " + "x" * 98 + "\n"
    body = "alarms: []\n" + padding * (MAX_FILE_BYTES // len(padding) + 1)
    root = project(tmp_path, **{"alarms__huge.yaml": body})

    (found,) = problems(root)

    assert found == (
        f"{root}/alarms/huge.yaml:1:1: file is 5.0 MB: a config file is at most 5 MB; "
        "split it into several files"
    )


def test_a_file_that_is_not_utf8_is_an_error_at_the_byte(tmp_path: Path) -> None:
    text = "alarms:\n  - name: caf\xe9\n".encode("latin-1")
    root = project(tmp_path, **{"alarms__latin.yaml": text})

    assert problems(root) == [
        f"{root}/alarms/latin.yaml:2:14: not UTF-8 text: byte 0xe9 cannot be decoded; "
        "save the file as UTF-8"
    ]


def test_a_utf8_byte_order_mark_is_read(tmp_path: Path) -> None:
    root = project(tmp_path, **{"alarms__bom.yaml": b"\xef\xbb\xbf" + RULE_FILE.encode()})

    assert [rule.name for rule in load_config(root, RESOURCE_TYPES).alarms] == ["queue-deep"]


RULE_FILE = "alarms:\n" + RULE.format(name="queue-deep")


def test_upper_case_suffixes_are_read(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        **{
            "alarms__QUEUES.YAML": RULE_FILE,
            "alarms__more.Yml": "alarms:\n" + RULE.format(name="queue-deeper"),
        },
    )
    (root / "alarms/routing.yaml").rename(root / "alarms/Routing.YML")

    config = load_config(root, RESOURCE_TYPES)

    assert sorted(rule.name for rule in config.alarms) == ["queue-deep", "queue-deeper"]
    assert config.routing is not None
    assert config.warnings == []


def test_a_project_file_spelt_sentinel_yml_is_read(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / "sentinel.yaml").rename(root / "sentinel.yml")

    assert load_config(root, RESOURCE_TYPES).name == "shop"


def test_a_second_project_file_is_named(tmp_path: Path) -> None:
    root = project(tmp_path, **{"sentinel.yml": "project: other\n"})

    config = load_config(root, RESOURCE_TYPES)

    assert config.name == "shop"
    assert [str(w) for w in config.warnings] == [
        f"{root}/sentinel.yml:1:1: warning: not read: a second project file: sentinel.yaml is read"
    ]


def test_a_broken_symbolic_link_is_an_error(tmp_path: Path) -> None:
    root = project(tmp_path, **{"alarms__queues.yaml": RULE_FILE})
    (root / "alarms/shared.yaml").symlink_to(tmp_path / "elsewhere/shared.yaml")

    assert problems(root) == [
        f"{root}/alarms/shared.yaml:1:1: cannot read file: a broken symbolic link to "
        f"{tmp_path}/elsewhere/shared.yaml"
    ]


def test_a_fifo_with_a_yaml_name_is_refused_without_blocking(tmp_path: Path) -> None:
    root = project(tmp_path)
    os.mkfifo(root / "alarms/pipe.yaml")

    assert problems(root) == [f"{root}/alarms/pipe.yaml:1:1: cannot read file: not a regular file"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads a file whatever its mode")
def test_an_unreadable_file_is_an_error(tmp_path: Path) -> None:
    root = project(tmp_path, **{"alarms__secret.yaml": RULE_FILE})
    (root / "alarms/secret.yaml").chmod(0)

    assert problems(root) == [f"{root}/alarms/secret.yaml:1:1: cannot read file: Permission denied"]


def test_what_is_not_read_is_named_in_a_warning(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        **{
            "alarms__queues.yaml__rules.yaml": RULE_FILE,  # a directory named queues.yaml
            "alarms__critical.yaml.bak": "alarms: []\n",
            "alarms__NOTES.md": "notes\n",
            "alarms__.gitkeep": "",
        },
    )
    (root / "alarms/old.txt").symlink_to(tmp_path / "gone.txt")

    config = load_config(root, RESOURCE_TYPES)

    assert [rule.name for rule in config.alarms] == ["queue-deep"]  # the directory's file
    assert [str(w) for w in config.warnings] == [
        f"{root}/alarms/NOTES.md:1:1: warning: not read: not a .yaml or .yml file",
        f"{root}/alarms/critical.yaml.bak:1:1: warning: not read: not a .yaml or .yml file",
        f"{root}/alarms/old.txt:1:1: warning: not read: a broken symbolic link, "
        "and not a YAML name",
        f"{root}/alarms/queues.yaml:1:1: warning: not read: a directory, not a YAML file "
        "(the files in it are read)",
    ]


def test_linked_directories_are_followed_and_a_loop_is_named(tmp_path: Path) -> None:
    shared = write(tmp_path / "shared", {"queues.yaml": RULE_FILE})
    root = project(tmp_path / "config")
    (root / "alarms/shared").symlink_to(shared)
    (root / "alarms/shared-again").symlink_to(root / "alarms")

    config = load_config(root, RESOURCE_TYPES)

    assert [rule.name for rule in config.alarms] == ["queue-deep"]
    assert [str(w) for w in config.warnings] == [
        f"{root}/alarms/shared-again:1:1: warning: not read: a directory link back into "
        "itself: not followed"
    ]


def test_warnings_travel_with_the_errors(tmp_path: Path) -> None:
    root = project(tmp_path, **{"alarms__broken.yaml": "alarms: [\n", "alarms__x.json": "{}"})

    with pytest.raises(ConfigError) as caught:
        load_config(root, known_resource_types=RESOURCE_TYPES)

    assert [w.message for w in caught.value.warnings] == ["not read: not a .yaml or .yml file"]
    assert len(caught.value.problems) == 1


def test_thousands_of_rules_in_one_file_are_read(tmp_path: Path) -> None:
    rules = "".join(RULE.format(name=f"queue-{i}") for i in range(2_000))
    root = project(tmp_path, **{"alarms__many.yaml": "alarms:\n" + rules})

    config = load_config(root, RESOURCE_TYPES)

    assert len(config.alarms) == 2_000
    assert config.source("alarm", "queue-1999").endswith("alarms/many.yaml:13995")


def test_of_two_merged_mappings_the_first_listed_wins() -> None:
    data = parse_yaml("b: &b {p: 1}\nc: &c {p: 3, r: 1}\nd: {<<: [*b, *c]}\n")

    assert data["d"] == {"p": 1, "r": 1}
