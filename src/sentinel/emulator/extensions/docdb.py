"""DocumentDB through moto's RDS backend: the ``docdb`` engine for clusters and instances.

The DocumentDB API is the RDS API with ``Engine="docdb"``; moto serves both clients from one
backend but rejects that engine. This accepts it, with DocumentDB's defaults (engine version
5.0.0, port 27017, cluster storage that grows by itself).
"""

from __future__ import annotations

from typing import Any

from moto.rds import models
from moto.rds.utils import ClusterEngine, DbInstanceEngine

ENGINE = "docdb"
ENGINE_VERSION = "5.0.0"
PORT = 27017


def install() -> None:
    _add_engine(ClusterEngine, "list_cluster_engines")
    _add_engine(DbInstanceEngine, "valid_db_instance_engine")
    models.DBInstance.default_engine_versions[ENGINE] = ENGINE_VERSION
    _default_for_docdb(models.DBCluster, "default_engine_version", ENGINE_VERSION)
    _default_for_docdb(models.DBCluster, "default_port", PORT)
    _default_for_docdb(models.DBCluster, "default_allocated_storage", 0)
    _default_for_docdb(models.DBInstance, "default_port", PORT)


def _add_engine(enum: Any, method: str) -> None:
    original = getattr(enum, method)
    if getattr(original, "sentinel_docdb", False):
        return

    def engines(cls: Any) -> list[str]:
        return sorted({*original(), ENGINE})

    engines.sentinel_docdb = True  # type: ignore[attr-defined]
    setattr(enum, method, classmethod(engines))


def _default_for_docdb(model: type, name: str, docdb_value: object) -> None:
    original = getattr(model, name)
    if getattr(original, "sentinel_docdb", False):
        return

    def default(engine: str, *args: Any, **kwargs: Any) -> Any:
        if engine == ENGINE:
            return docdb_value
        return original(engine, *args, **kwargs)

    default.sentinel_docdb = True  # type: ignore[attr-defined]
    setattr(model, name, staticmethod(default))
