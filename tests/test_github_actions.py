"""examples/github-actions/: the workflows pass actionlint, and say what the README says they do."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).parents[1] / "examples" / "github-actions"
WORKFLOWS = sorted(EXAMPLES.glob("*.yml"))
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@v\d+\.\d+\.\d+$")


def _actionlint() -> str:
    """The actionlint of the dev extras (installed next to this Python), or one on PATH."""
    beside = Path(sys.executable).parent / "actionlint"
    found = str(beside) if beside.exists() else shutil.which("actionlint")
    if found is None:
        pytest.fail("actionlint is not installed: pip install -e '.[dev]'")
    return found


def _lint(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [_actionlint(), "-no-color", "-oneline", *map(str, paths)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _steps(workflow: Path) -> list[dict[str, object]]:
    document = yaml.safe_load(workflow.read_text(encoding="utf-8"))
    return [step for job in document["jobs"].values() for step in job["steps"]]


def test_workflows_pass_actionlint(tmp_path: Path) -> None:
    assert [w.name for w in WORKFLOWS] == ["sentinel-apply.yml", "sentinel-plan.yml"]
    result = _lint(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr
    # actionlint knows each popular action's inputs by its major tag (v5), not by a release
    # (v5.0.0): lint copies pinned to the major tags too, so every `with:` input is checked.
    copies = []
    for workflow in WORKFLOWS:
        copy = tmp_path / workflow.name
        text = workflow.read_text(encoding="utf-8")
        copy.write_text(re.sub(r"@(v\d+)\.[\d.]+", r"@\1", text), encoding="utf-8")
        copies.append(copy)
    result = _lint(copies)
    assert result.returncode == 0, result.stdout + result.stderr


def test_actionlint_reports_a_mistake(tmp_path: Path) -> None:
    """The check above can fail: a misspelt input of a pinned action is a finding."""
    text = (EXAMPLES / "sentinel-plan.yml").read_text(encoding="utf-8")
    broken = tmp_path / "broken.yml"
    broken.write_text(
        re.sub(r"@(v\d+)\.[\d.]+", r"@\1", text).replace("role-to-assume", "role-to-asume"),
        encoding="utf-8",
    )
    result = _lint([broken])
    assert result.returncode == 1
    assert 'input "role-to-asume" is not defined' in result.stdout


def test_every_action_is_pinned_to_a_release() -> None:
    uses = [str(step["uses"]) for w in WORKFLOWS for step in _steps(w) if "uses" in step]
    assert uses and all(PINNED.match(u) for u in uses), uses


def test_plan_on_pull_requests_and_apply_the_saved_plan_on_merge() -> None:
    plan = yaml.safe_load((EXAMPLES / "sentinel-plan.yml").read_text(encoding="utf-8"))
    apply = yaml.safe_load((EXAMPLES / "sentinel-apply.yml").read_text(encoding="utf-8"))
    # PyYAML reads the key `on` as True
    assert "pull_request" in plan[True]
    assert apply[True]["push"]["branches"] == ["main"]
    for workflow in (plan, apply):
        assert workflow["permissions"]["id-token"] == "write"
    runs = {
        name: [str(step.get("run", "")) for step in _steps(EXAMPLES / name)]
        for name in ("sentinel-plan.yml", "sentinel-apply.yml")
    }
    assert any(r.startswith("sentinel validate") for r in runs["sentinel-plan.yml"])
    assert any(
        "sentinel plan" in r and "--out plan.json --format markdown > plan.md" in r
        for r in runs["sentinel-plan.yml"]
    )
    assert any(
        "sentinel apply" in r and "plan.json" in r and "--lock-timeout 10m" in r
        for r in runs["sentinel-apply.yml"]
    )
    assert apply["concurrency"]["cancel-in-progress"] is False
    roles = [
        step["with"]["role-to-assume"]
        for name in ("sentinel-plan.yml", "sentinel-apply.yml")
        for step in _steps(EXAMPLES / name)
        if str(step.get("uses", "")).startswith("aws-actions/configure-aws-credentials@")
    ]
    assert roles == ["${{ vars.SENTINEL_PLAN_ROLE_ARN }}", "${{ vars.SENTINEL_APPLY_ROLE_ARN }}"]
