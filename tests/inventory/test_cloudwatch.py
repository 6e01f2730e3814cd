from __future__ import annotations

from typing import Any

from sentinel.inventory import Resource, resource_type
from sentinel.inventory.cloudwatch import render


def make(type_: str, id_: str, **attributes: Any) -> Resource:
    return Resource(
        type=type_,
        id=id_,
        arn=f"arn:aws:x:us-east-1:123456789012:{id_}",
        region="us-east-1",
        account="123456789012",
        attributes=attributes,
    )


def target(resource: Resource) -> tuple[str, dict[str, str]]:
    spec = resource_type(resource.type)
    return spec.namespace_for(resource), spec.dimensions_for(resource)


def test_rds_instance_and_cluster_namespaces_follow_the_engine() -> None:
    assert target(make("rds:db", "orders", engine="postgres")) == (
        "AWS/RDS",
        {"DBInstanceIdentifier": "orders"},
    )
    assert target(make("rds:db", "docs-1", engine="docdb"))[0] == "AWS/DocDB"
    assert target(make("rds:cluster", "docs", engine="docdb")) == (
        "AWS/DocDB",
        {"DBClusterIdentifier": "docs"},
    )
    assert target(make("rds:cluster", "aurora", engine="aurora-postgresql"))[0] == "AWS/RDS"


def test_load_balancer_dimension_and_namespace_by_type() -> None:
    alb = make(
        "elasticloadbalancing:loadbalancer", "web", type="application", dimension="app/web/1a2b"
    )
    nlb = make("elasticloadbalancing:loadbalancer", "tcp", type="network", dimension="net/tcp/3c4d")
    assert target(alb) == ("AWS/ApplicationELB", {"LoadBalancer": "app/web/1a2b"})
    assert target(nlb) == ("AWS/NetworkELB", {"LoadBalancer": "net/tcp/3c4d"})


def test_target_group_dimensions_include_its_load_balancer_when_attached() -> None:
    attached = make(
        "elasticloadbalancing:targetgroup",
        "web",
        dimension="targetgroup/web/9f8e",
        load_balancer_dimension="app/web/1a2b",
        load_balancer_type="application",
    )
    loose = make(
        "elasticloadbalancing:targetgroup",
        "spare",
        dimension="targetgroup/spare/7d6c",
        load_balancer_dimension=None,
        load_balancer_type="network",
    )
    assert target(attached) == (
        "AWS/ApplicationELB",
        {"TargetGroup": "targetgroup/web/9f8e", "LoadBalancer": "app/web/1a2b"},
    )
    assert target(loose) == ("AWS/NetworkELB", {"TargetGroup": "targetgroup/spare/7d6c"})


def test_ecs_service_dimensions_name_its_cluster() -> None:
    service = make("ecs:service", "checkout", cluster="main")
    assert target(service) == ("AWS/ECS", {"ClusterName": "main", "ServiceName": "checkout"})


def test_other_types() -> None:
    assert target(make("ec2:instance", "i-1")) == ("AWS/EC2", {"InstanceId": "i-1"})
    assert target(make("lambda:function", "f")) == ("AWS/Lambda", {"FunctionName": "f"})
    assert target(make("sqs:queue", "q")) == ("AWS/SQS", {"QueueName": "q"})
    assert target(make("apigateway:restapis", "a1b2", name="orders-api")) == (
        "AWS/ApiGateway",
        {"ApiName": "orders-api"},
    )
    assert target(make("kafka:cluster", "events")) == ("AWS/Kafka", {"Cluster Name": "events"})
    assert target(make("cloudfront:distribution", "E123")) == (
        "AWS/CloudFront",
        {"DistributionId": "E123", "Region": "Global"},
    )
    assert target(make("s3:bucket", "logs")) == (
        "AWS/S3",
        {"BucketName": "logs", "StorageType": "StandardStorage"},
    )


def test_render_fills_fields_and_attributes_and_reports_missing_values() -> None:
    resource = make("ecs:service", "checkout", cluster="main")
    assert render("{region}/{account}/{attr:cluster}/{name}", resource) == (
        "us-east-1/123456789012/main/checkout"
    )
    assert render("{attr:missing}", resource) is None
    assert render("constant", resource) == "constant"
