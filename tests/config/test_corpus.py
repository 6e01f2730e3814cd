"""Every broken configuration under ``corpus/`` gives exactly the lines in its expected.txt.

Each case directory is a config directory; paths in expected.txt are relative to it, as the
loader shows paths relative to the working directory.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sentinel.config import load_config
from sentinel.errors import ConfigError

from .cases import CORPUS, RESOURCE_TYPES, corpus_cases

# Written inline in corpus/secret-inline/alarms/routing.yaml; no message may repeat them.
INLINE_SECRETS = (
    "R0ZXcXNjYXJ5c2VjcmV0a2V5MTIz",
    "XyZzY-s3cr3t-t0k3n",
    "hooks.example.com",
    "xoxb-1111-2222-ToPsEcReT",
)
# Every secret written inline anywhere in the corpus.
ALL_INLINE_SECRETS = (*INLINE_SECRETS, "xoxb-123-456-abc")


def problems_of(case: str, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    monkeypatch.chdir(CORPUS / case)
    with pytest.raises(ConfigError) as caught:
        load_config(".", known_resource_types=RESOURCE_TYPES)
    return [str(problem) for problem in caught.value.problems]


def test_the_corpus_is_large_and_every_case_has_expectations() -> None:
    cases = corpus_cases()
    assert len(cases) >= 30
    for case in cases:
        expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8")
        assert expected.strip(), f"{case}/expected.txt is empty"


@pytest.mark.parametrize("case", corpus_cases())
def test_corpus_case(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = (CORPUS / case / "expected.txt").read_text(encoding="utf-8").splitlines()

    assert problems_of(case, monkeypatch) == expected


def test_all_errors_of_several_files_come_in_one_run_sorted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    lines = problems_of("several-errors", monkeypatch)

    files = {line.split(":")[0] for line in lines}
    assert files == {
        "alarms/api.yaml",
        "alarms/composite.yaml",
        "alarms/db.yaml",
        "budgets/budgets.yaml",
        "dashboards/ops.yaml",
        "monitors/slos.yaml",
        "sentinel.yaml",
    }
    keys = [
        (line.split(":")[0], int(line.split(":")[1]), int(line.split(":")[2])) for line in lines
    ]
    assert keys == sorted(keys)


def test_an_inline_secret_is_never_repeated(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = problems_of("secret-inline", monkeypatch)

    assert len(lines) == 3
    text = "\n".join(lines)
    for secret in INLINE_SECRETS:
        assert secret not in text
    source = (CORPUS / "secret-inline" / "alarms" / "routing.yaml").read_text(encoding="utf-8")
    assert all(secret in source for secret in INLINE_SECRETS)  # the case really holds them


def test_error_message_counts_the_problems(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(CORPUS / "bad-duration")
    with pytest.raises(ConfigError) as caught:
        load_config(".", known_resource_types=RESOURCE_TYPES)

    assert str(caught.value) == "3 errors in configuration"
    assert caught.value.exit_code == 1


def test_paths_are_shown_relative_to_the_working_directory(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(CORPUS)
    with pytest.raises(ConfigError) as caught:
        load_config(Path("yaml-tab"), known_resource_types=RESOURCE_TYPES)

    assert [str(p) for p in caught.value.problems] == [
        "yaml-tab/alarms/cpu.yaml:4:1: invalid YAML: found character '\\t' that cannot start "
        "any token (indent with spaces, not tabs)"
    ]


def test_a_missing_directory_is_one_problem(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "nowhere", known_resource_types=RESOURCE_TYPES)

    assert [p.message for p in caught.value.problems] == ["config directory does not exist"]


def test_no_case_of_the_corpus_repeats_a_secret() -> None:
    # expected.txt equals the output (test_corpus_case), so reading it reads every message.
    text = "".join((CORPUS / case / "expected.txt").read_text() for case in corpus_cases())
    for secret in ALL_INLINE_SECRETS:
        assert secret not in text
