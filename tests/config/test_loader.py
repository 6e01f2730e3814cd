"""The repository root (the P2P Sandbox) is a valid configuration; what the loader builds."""

from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from sentinel.config import Config, load_config
from sentinel.config.files import config_files
from sentinel.errors import ConfigError

from .cases import REPOSITORY, RESOURCE_TYPES


@pytest.fixture
def root(monkeypatch: pytest.MonkeyPatch) -> Config:
    monkeypatch.chdir(REPOSITORY)
    return load_config(".", known_resource_types=RESOURCE_TYPES)


def test_root_config_is_valid(root: Config) -> None:
    assert root.name == "p2p"
    assert root.project.timezone == "Europe/London"
    assert root.project.defaults.alarms.period == 60
    assert root.routing is not None
    assert {"critical", "warning"} <= set(root.routing.severities)
    assert root.alarms and root.composites and root.dashboards and root.budgets and root.slos
    assert root.tagging is not None and root.cost_report is not None


def test_root_config_with_the_catalog_of_resource_types(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPOSITORY)

    assert load_config(".").name == "p2p"


def test_units_are_read_into_numbers(root: Config) -> None:
    rds_cpu = next(rule for rule in root.alarms if rule.name == "rds-cpu-high")
    assert rds_cpu.for_ == 300
    assert rds_cpu.period == 60
    assert str(rds_cpu.condition) == "> 90"
    availability = next(slo for slo in root.slos if slo.name == "api-availability")
    assert availability.objective == Decimal("99.9")
    latency = next(slo for slo in root.slos if slo.name == "api-latency")
    assert latency.latency is not None and latency.latency.threshold == pytest.approx(0.2)
    total = next(budget for budget in root.budgets if budget.name == "monthly-total")
    assert total.amount.amount == Decimal("2500")
    assert [str(alert.threshold) for alert in total.alerts] == ["80%", "100%", "120%"]


def test_sources_name_file_and_line(root: Config) -> None:
    assert re.fullmatch(r"alarms/critical\.yaml:\d+", root.source("alarm", "rds-cpu-high"))
    assert re.fullmatch(r"budgets/budgets\.yaml:\d+", root.source("budget", "monthly-total"))
    assert root.source("alarm", "no-such-alarm") == "."


def test_every_yaml_file_is_read_in_a_stable_order() -> None:
    files = config_files(REPOSITORY)
    names = [str(path.relative_to(REPOSITORY)) for _, path in files]

    assert files[0] == ("project", REPOSITORY / "sentinel.yaml")
    assert [kind for kind, _ in files].count("routing") == 1
    order = ["alarms", "dashboards", "budgets", "monitors"]
    assert names[1:] == sorted(names[1:], key=lambda name: (order.index(name.split("/")[0]), name))
    assert config_files(REPOSITORY) == files


def test_a_copy_elsewhere_shows_absolute_paths(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = tmp_path / "config"
    shutil.copytree(REPOSITORY / "tests/config/corpus/yaml-duplicate-key", case)
    monkeypatch.chdir(REPOSITORY)  # the copy is outside the working directory

    with pytest.raises(ConfigError) as caught:
        load_config(case, known_resource_types=RESOURCE_TYPES)

    [problem] = caught.value.problems
    assert problem.file == str(case / "alarms" / "cpu.yaml")
    assert (problem.line, problem.column) == (7, 5)


def test_nothing_is_returned_when_only_sentinel_yaml_is_wrong(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shutil.copytree(REPOSITORY / "alarms", tmp_path / "alarms")
    (tmp_path / "sentinel.yaml").write_text("project: p2p\nregoins: [us-east-1]\n")
    monkeypatch.chdir(tmp_path)

    with pytest.raises(ConfigError) as caught:
        load_config(".", known_resource_types=RESOURCE_TYPES)

    # The alarms are still checked, but not against defaults sentinel.yaml could not give.
    assert [str(p) for p in caught.value.problems] == [
        "sentinel.yaml:2:1: unknown key 'regoins'; did you mean 'regions'?"
    ]


def test_sentinel_store_in_the_environment_replaces_the_store_of_sentinel_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sentinel.store import open_store

    (tmp_path / "sentinel.yaml").write_text("project: shop\nstore: sqlite:///from-the-file.db\n")
    monkeypatch.setenv("SENTINEL_STORE", "sqlite:///state/from-the-environment.db")
    config = load_config(tmp_path)
    assert config.project.store == "sqlite:///state/from-the-environment.db"
    store = open_store(config)
    with store.engine.connect():
        pass
    store.dispose()
    # relative to the config directory, like a relative path in sentinel.yaml
    assert (tmp_path / "state" / "from-the-environment.db").is_file()
    assert not (tmp_path / "from-the-file.db").exists()

    monkeypatch.setenv("SENTINEL_STORE", "")
    assert load_config(tmp_path).project.store == "sqlite:///from-the-file.db"
