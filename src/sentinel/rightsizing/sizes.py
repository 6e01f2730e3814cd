"""Size ladders of instance families and Fargate task sizes, from ``instance_sizes.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

SIZES_FILE = "instance_sizes.yaml"
Service = Literal["ec2", "rds", "elasticache"]


@dataclass(frozen=True)
class Size:
    """One instance type (``m5.xlarge``, ``db.r6g.large``, ``cache.t3.medium``)."""

    name: str
    family: str
    vcpu: int
    memory_gib: float
    baseline: float | None = None  # burstable: CPU % usable without spending credits

    @property
    def burstable(self) -> bool:
        return self.baseline is not None


@dataclass(frozen=True)
class TaskSize:
    """A Fargate task size: CPU units (1,024 a vCPU) and memory in MiB."""

    cpu: int
    memory: int

    def __str__(self) -> str:
        return f"{self.cpu / 1024:g} vCPU / {self.memory / 1024:g} GB"


def split_type(name: str) -> tuple[str, str]:
    """``m5.xlarge`` -> (``m5``, ``xlarge``); ``db.r6g.large`` -> (``db.r6g``, ``large``)."""
    family, _, size = name.rpartition(".")
    return family, size


@cache
def _raw() -> dict[str, Any]:
    text = resources.files("sentinel").joinpath("data", SIZES_FILE).read_text("utf-8")
    return dict(yaml.safe_load(text))


@cache
def ladder(service: Service, family: str) -> tuple[Size, ...]:
    """The family's sizes, smallest first; empty for a family the table does not know."""
    sizes = _raw()[service].get(family) or {}
    return tuple(
        Size(
            name=f"{family}.{size}",
            family=family,
            vcpu=int(spec["vcpu"]),
            memory_gib=float(spec["memory_gib"]),
            baseline=float(spec["baseline"]) if "baseline" in spec else None,
        )
        for size, spec in sizes.items()
    )


def size_of(service: Service, name: str) -> Size | None:
    family, _ = split_type(name)
    return next((s for s in ladder(service, family) if s.name == name), None)


def smaller(service: Service, name: str) -> list[Size]:
    """The family's sizes below ``name``, nearest first."""
    family, _ = split_type(name)
    sizes = ladder(service, family)
    names = [s.name for s in sizes]
    if name not in names:
        return []
    return list(reversed(sizes[: names.index(name)]))


def larger(service: Service, name: str) -> Size | None:
    family, _ = split_type(name)
    sizes = ladder(service, family)
    names = [s.name for s in sizes]
    if name not in names or names.index(name) == len(sizes) - 1:
        return None
    return sizes[names.index(name) + 1]


@cache
def task_sizes() -> dict[int, tuple[int, ...]]:
    """Fargate CPU units -> the memory sizes (MiB) allowed with them, ascending."""
    sizes: dict[int, tuple[int, ...]] = {}
    for cpu, memory in _raw()["fargate"].items():
        if isinstance(memory, dict):
            values = range(int(memory["from"]), int(memory["to"]) + 1, int(memory["step"]))
            sizes[int(cpu)] = tuple(values)
        else:
            sizes[int(cpu)] = tuple(int(m) for m in memory)
    return dict(sorted(sizes.items()))


def smaller_tasks(task: TaskSize) -> list[int]:
    """CPU sizes below the task's, nearest first."""
    return sorted((cpu for cpu in task_sizes() if cpu < task.cpu), reverse=True)


def larger_task_cpu(task: TaskSize) -> int | None:
    return min((cpu for cpu in task_sizes() if cpu > task.cpu), default=None)
