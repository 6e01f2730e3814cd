"""Where an import writes: a new directory, or one holding only its sentinel.yaml."""

from __future__ import annotations

from pathlib import Path

import yaml

from sentinel.aws.session import SessionFactory

from .conftest import Run
from .small import cpu_alarm, instances, topic


def _tree(root: Path) -> dict[str, str]:
    return {str(p.relative_to(root)): p.read_text() for p in root.rglob("*") if p.is_file()}


def test_a_directory_that_is_not_empty_is_refused_without_force(
    aws: SessionFactory, run: Run, tmp_path: Path
) -> None:
    arn = topic(aws)
    [instance] = instances(aws, [{"Name": "one"}])
    cpu_alarm(aws, "shop-cpu", instance, arn)
    out = tmp_path / "shop"
    (out / "alarms").mkdir(parents=True)
    (out / "alarms" / "mine.yaml").write_text("alarms: []\n")
    before = _tree(out)

    refused = run("import", "-C", str(out), "--project", "shop")

    assert refused.exit_code == 1
    assert "is not empty (alarms)" in refused.output and "--force" in refused.output
    assert _tree(out) == before

    forced = run("import", "-C", str(out), "--project", "shop", "--force")

    assert forced.exit_code == 0, forced.output
    assert [
        r["name"] for r in yaml.safe_load((out / "alarms/critical.yaml").read_text())["alarms"]
    ] == ["cpu"]
    # The file it did not replace is kept, and said to be: the import did not compare it.
    assert (out / "alarms" / "mine.yaml").read_text() == "alarms: []\n"
    said = " ".join(forced.output.split())
    assert "1 configuration file(s) already in" in said
    assert "were kept as they were (alarms/mine.yaml)" in said
    # Imported again over its own files: each is replaced, none kept.
    again = run("import", "-C", str(out), "--project", "shop", "--force")
    assert again.exit_code == 0, again.output
    assert "(alarms/mine.yaml)" in " ".join(again.output.split())
    (out / "alarms" / "mine.yaml").unlink()
    last = run("import", "-C", str(out), "--project", "shop", "--force")
    assert last.exit_code == 0 and "were kept as they were" not in last.output


def test_the_project_comes_from_sentinel_yaml_or_project(
    aws: SessionFactory, run: Run, tmp_path: Path
) -> None:
    arn = topic(aws, "team-critical")
    [instance] = instances(aws, [{"Name": "one"}])
    cpu_alarm(aws, "team-cpu", instance, arn)
    nameless = tmp_path / "nameless"

    missing = run("import", "-C", str(nameless))

    assert missing.exit_code == 1
    assert "name the project with --project NAME" in missing.output
    assert not nameless.exists()

    kept = tmp_path / "kept"
    kept.mkdir()
    settings = "project: team\nregions: [us-east-1]\ndefaults:\n  alarms: {period: 1m}\n"
    (kept / "sentinel.yaml").write_text(settings)

    result = run("import", "-C", str(kept))

    assert result.exit_code == 0, result.output
    assert (kept / "sentinel.yaml").read_text() == settings
    [rule] = yaml.safe_load((kept / "alarms/critical.yaml").read_text())["alarms"]
    assert rule["name"] == "cpu" and rule["period"] == "5m"  # against the file's 1m default
