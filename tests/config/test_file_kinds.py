"""The registry of file kinds: every file a config directory holds is read by one of them."""

from __future__ import annotations

from fnmatch import fnmatch
from pathlib import Path

import pytest

from sentinel.config.files import config_files
from sentinel.config.kinds import file_kinds

ROOT = Path(__file__).resolve().parents[2]
CONFIGS = [ROOT, *sorted(p.parent for p in (ROOT / "examples").glob("*/sentinel.yaml"))]


@pytest.mark.parametrize("root", CONFIGS, ids=lambda p: p.name)
def test_every_file_is_read_by_the_kind_whose_pattern_it_matches(root: Path) -> None:
    kinds = file_kinds()
    found = config_files(root)
    assert {kind for kind, _ in found} == set(kinds)
    for kind, path in found:
        relative = path.relative_to(root).as_posix()
        pattern = kinds[kind].pattern
        # alarms/*.yaml also matches routing.yaml: the more specific kind reads that one.
        assert fnmatch(relative, pattern) or fnmatch(relative, pattern.replace("*", "*/*"))


def test_a_kind_that_defines_names_says_so() -> None:
    defines = {name: kind.defines for name, kind in file_kinds().items()}
    assert defines["routing"] == ("severity",)
    assert defines["alarms"] == ("alarm",)
    assert defines["project"] == ()
