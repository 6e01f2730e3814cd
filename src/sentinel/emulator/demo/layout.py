"""The demo account's resources: the P2P Sandbox system in us-east-1, with its tags.

Tags follow the seed's tagging strategy (Environment, Service, Owner, CostCenter, Project), except
for the few deliberate violations listed in ``ground_truth.TAG_VIOLATIONS``.
"""

from __future__ import annotations

from dataclasses import dataclass

REGION = "us-east-1"
PROJECT = "p2p-sandbox"
ACCOUNT_NAME = "p2p-sandbox"


def tags(environment: str, service: str, owner: str, cost_center: str) -> dict[str, str]:
    """The five tags of the tagging strategy."""
    return {
        "Environment": environment,
        "Service": service,
        "Owner": owner,
        "CostCenter": cost_center,
        "Project": PROJECT,
    }


PLATFORM = ("platform-team", "ENG-100")
BACKEND = ("backend-team", "ENG-200")
FRONTEND = ("frontend-team", "ENG-200")
DATA = ("data-team", "DATA-300")


@dataclass(frozen=True)
class Instance:
    """An EC2 instance; ``load`` says how its metrics look: busy, idle or oversized."""

    name: str
    instance_type: str
    load: str
    tags: dict[str, str]
    volume_gb: int


@dataclass(frozen=True)
class EcsService:
    cluster: str
    name: str
    family: str
    cpu: int
    memory: int
    desired: int
    target_group: str | None
    tags: dict[str, str]


@dataclass(frozen=True)
class Database:
    identifier: str
    engine: str
    instance_class: str
    multi_az: bool
    storage_gb: int
    tags: dict[str, str]


@dataclass(frozen=True)
class DocumentCluster:
    identifier: str
    instance_class: str
    instances: tuple[str, ...]
    tags: dict[str, str]


@dataclass(frozen=True)
class CacheCluster:
    identifier: str
    node_type: str
    tags: dict[str, str]


@dataclass(frozen=True)
class LoadBalancer:
    name: str
    target_groups: dict[str, int]
    tags: dict[str, str]


@dataclass(frozen=True)
class Bucket:
    name: str
    tags: dict[str, str]


@dataclass(frozen=True)
class Function:
    name: str
    memory_mb: int
    tags: dict[str, str]


@dataclass(frozen=True)
class AccountLayout:
    network_tags: dict[str, str]
    instances: tuple[Instance, ...]
    ecs_clusters: dict[str, dict[str, str]]
    ecs_services: tuple[EcsService, ...]
    databases: tuple[Database, ...]
    document_clusters: tuple[DocumentCluster, ...]
    cache_clusters: tuple[CacheCluster, ...]
    load_balancers: tuple[LoadBalancer, ...]
    buckets: tuple[Bucket, ...]
    functions: tuple[Function, ...]

    def tags_of(self, name: str) -> dict[str, str]:
        """The tags of the resource called ``name`` (an ECS service as cluster/service)."""
        named: dict[str, dict[str, str]] = {
            **{i.name: i.tags for i in self.instances},
            **{d.identifier: d.tags for d in self.databases},
            **{c.identifier: c.tags for c in self.document_clusters},
            **{c.identifier: c.tags for c in self.cache_clusters},
            **{b.name: b.tags for b in self.load_balancers},
            **{b.name: b.tags for b in self.buckets},
            **{f.name: f.tags for f in self.functions},
            **{f"{s.cluster}/{s.name}": s.tags for s in self.ecs_services},
            **self.ecs_clusters,
        }
        if name not in named:
            raise KeyError(f"no resource called {name} in the demo account")
        return named[name]


LAYOUT = AccountLayout(
    network_tags=tags("production", "network", *PLATFORM),
    instances=(
        Instance("p2p-bastion", "t3.large", "idle", tags("production", "bastion", *PLATFORM), 30),
        Instance("p2p-worker-1", "m5.xlarge", "busy", tags("production", "worker", *DATA), 100),
        Instance(
            "p2p-worker-2",
            "m5.xlarge",
            "busy",
            {**tags("production", "worker", *DATA), "Environment": "Production"},
            100,
        ),
        Instance(
            "p2p-worker-3", "m5.xlarge", "oversized", tags("production", "worker", *DATA), 100
        ),
        Instance("p2p-staging-worker", "t3.large", "busy", tags("staging", "worker", *DATA), 50),
        Instance("p2p-dev-sandbox", "t3.large", "idle", {}, 50),
    ),
    ecs_clusters={
        "p2p-production": tags("production", "compute", *PLATFORM),
        "p2p-staging": tags("staging", "compute", *PLATFORM),
        "p2p-dev": tags("dev", "compute", *PLATFORM),
    },
    ecs_services=(
        EcsService(
            "p2p-production",
            "p2p-backend",
            "p2p-backend",
            1024,
            2048,
            3,
            "p2p-backend-tg",
            tags("production", "backend", *BACKEND),
        ),
        EcsService(
            "p2p-production",
            "p2p-frontend",
            "p2p-frontend",
            512,
            1024,
            2,
            "p2p-frontend-tg",
            tags("production", "frontend", *FRONTEND),
        ),
        EcsService(
            "p2p-staging",
            "p2p-backend",
            "p2p-backend-staging",
            512,
            1024,
            1,
            None,
            tags("staging", "backend", *BACKEND),
        ),
        EcsService(
            "p2p-dev",
            "p2p-backend",
            "p2p-backend-dev",
            256,
            512,
            1,
            None,
            tags("dev", "backend", *BACKEND),
        ),
    ),
    databases=(
        Database(
            "p2p-postgres",
            "postgres",
            "db.r6g.large",
            True,
            100,
            tags("production", "database", *BACKEND),
        ),
        Database(
            "p2p-staging-postgres",
            "postgres",
            "db.t4g.medium",
            False,
            50,
            tags("staging", "database", *BACKEND),
        ),
    ),
    document_clusters=(
        DocumentCluster(
            "p2p-docdb",
            "db.r6g.large",
            ("p2p-docdb-1", "p2p-docdb-2", "p2p-docdb-3"),
            tags("production", "database", *BACKEND),
        ),
    ),
    cache_clusters=(
        CacheCluster(
            "p2p-redis",
            "cache.r6g.large",
            {k: v for k, v in tags("production", "cache", *BACKEND).items() if k != "CostCenter"},
        ),
    ),
    load_balancers=(
        LoadBalancer(
            "p2p-alb",
            {"p2p-backend-tg": 8000, "p2p-frontend-tg": 3000},
            tags("production", "loadbalancer", *PLATFORM),
        ),
    ),
    buckets=(
        Bucket(
            "p2p-sandbox-assets",
            {**tags("production", "storage", *FRONTEND), "Environment": "prod"},
        ),
    ),
    functions=(Function("p2p-image-resizer", 512, tags("production", "backend", *BACKEND)),),
)
