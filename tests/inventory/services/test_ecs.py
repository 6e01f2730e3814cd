from __future__ import annotations

from sentinel.aws.session import SessionFactory
from sentinel.inventory import Inventory, resource_type
from sentinel.inventory.services.ecs import task_size


def register(aws: SessionFactory, family: str, cpu: str, memory: str) -> str:
    return aws.client("ecs").register_task_definition(
        family=family,
        containerDefinitions=[{"name": "app", "image": "app:1", "memory": 256, "cpu": 128}],
        cpu=cpu,
        memory=memory,
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
    )["taskDefinition"]["taskDefinitionArn"]


def test_clusters_with_tags_and_without(aws: SessionFactory) -> None:
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="main", tags=[{"key": "Environment", "value": "production"}])
    ecs.create_cluster(clusterName="batch")
    aws.counter.reset()

    found = {r.id: r for r in Inventory(aws).discover("ecs:cluster")}

    assert set(found) == {"main", "batch"}
    assert dict(found["main"].tags) == {"Environment": "production"}
    assert dict(found["batch"].tags) == {}
    assert found["main"].arn == "arn:aws:ecs:us-east-1:123456789012:cluster/main"
    assert found["main"].attributes["status"] == "ACTIVE"
    assert aws.counter.total("ecs", "ListClusters") == 1
    assert aws.counter.total("ecs", "DescribeClusters") == 1


def test_services_in_batches_of_ten_and_each_task_definition_once(aws: SessionFactory) -> None:
    ecs = aws.client("ecs")
    ecs.create_cluster(clusterName="main")
    ecs.create_cluster(clusterName="jobs")
    web = register(aws, "web", cpu="512", memory="1024")
    worker = register(aws, "worker", cpu="1024", memory="2048")
    for n in range(12):
        tags = [{"key": "Environment", "value": "production"}] if n == 0 else []
        ecs.create_service(
            cluster="main",
            serviceName=f"web-{n:02d}",
            taskDefinition=web if n % 2 else worker,
            desiredCount=2,
            launchType="FARGATE",
            **({"tags": tags} if tags else {}),
        )
    ecs.create_service(
        cluster="jobs", serviceName="cron", taskDefinition=worker, desiredCount=1, launchType="EC2"
    )
    aws.counter.reset()

    found = {r.id: r for r in Inventory(aws).discover("ecs:service")}

    assert len(found) == 13
    first, second, cron = found["web-00"], found["web-01"], found["cron"]
    assert dict(first.tags) == {"Environment": "production"}
    assert dict(second.tags) == {}
    assert first.attributes["cluster"] == "main"
    assert (first.attributes["cpu"], first.attributes["memory"]) == (1024, 2048)
    assert (second.attributes["cpu"], second.attributes["memory"]) == (512, 1024)
    assert second.attributes["task_definition"] == web
    assert second.attributes["desired_count"] == 2
    assert second.attributes["launch_type"] == "FARGATE"
    assert cron.attributes["cluster"] == "jobs"
    assert cron.attributes["launch_type"] == "EC2"
    assert resource_type("ecs:service").dimensions_for(cron) == {
        "ClusterName": "jobs",
        "ServiceName": "cron",
    }
    assert aws.counter.total("ecs", "ListClusters") == 1
    assert aws.counter.total("ecs", "ListServices") == 2  # one page per cluster
    assert aws.counter.total("ecs", "DescribeServices") == 3  # 10 + 2 in main, 1 in jobs
    assert aws.counter.total("ecs", "DescribeTaskDefinition") == 2


def test_task_size_from_the_task_or_its_containers() -> None:
    assert task_size({"cpu": "256", "memory": "512"}) == (256, 512)
    assert task_size({"cpu": "0.5 vCPU", "memory": "1 GB"}) == (512, 1024)
    containers = [
        {"cpu": 128, "memory": 256},
        {"cpu": 64, "memoryReservation": 128},
        {"name": "sidecar"},
    ]
    assert task_size({"containerDefinitions": containers}) == (192, 384)
    assert task_size({}) == (None, None)
