from __future__ import annotations

from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.inventory import Inventory, resource_type


def create_balancer(
    aws: SessionFactory, name: str, subnets: list[str], **extra: Any
) -> dict[str, Any]:
    return aws.client("elbv2").create_load_balancer(Name=name, Subnets=subnets, **extra)[
        "LoadBalancers"
    ][0]


def test_load_balancers_with_cloudwatch_dimension_and_tags(
    aws: SessionFactory, subnets: list[str]
) -> None:
    alb = create_balancer(aws, "web", subnets, Tags=[{"Key": "Environment", "Value": "production"}])
    nlb = create_balancer(aws, "tcp", subnets, Type="network")
    aws.counter.reset()

    found = {r.id: r for r in Inventory(aws).discover("elasticloadbalancing:loadbalancer")}

    web = found["web"]
    assert web.arn == alb["LoadBalancerArn"]
    assert web.attributes["type"] == "application"
    assert web.attributes["dns_name"] == alb["DNSName"]
    assert web.attributes["dimension"] == "app/web/" + alb["LoadBalancerArn"].rsplit("/", 1)[1]
    assert dict(web.tags) == {"Environment": "production"}
    # AWS names a network load balancer "net/<name>/<hash>" in its ARN (moto 5.2.5 says "app/");
    # the dimension is whatever the ARN says.
    assert found["tcp"].attributes["dimension"] == nlb["LoadBalancerArn"].split(":loadbalancer/")[1]
    assert found["tcp"].attributes["dimension"].endswith("/tcp/" + nlb["LoadBalancerArn"][-16:])
    assert dict(found["tcp"].tags) == {}

    spec = resource_type("elasticloadbalancing:loadbalancer")
    assert spec.namespace_for(web) == "AWS/ApplicationELB"
    assert spec.dimensions_for(web) == {"LoadBalancer": web.attributes["dimension"]}
    assert spec.namespace_for(found["tcp"]) == "AWS/NetworkELB"
    assert aws.counter.rows() == [
        ("elastic-load-balancing-v2", "DescribeLoadBalancers", 1),
        ("elastic-load-balancing-v2", "DescribeTags", 1),
    ]


def test_target_groups_know_their_load_balancer(
    aws: SessionFactory, subnets: list[str], vpc: str
) -> None:
    alb = create_balancer(aws, "web", subnets)
    elbv2 = aws.client("elbv2")
    attached = elbv2.create_target_group(
        Name="web", Protocol="HTTP", Port=80, VpcId=vpc, Tags=[{"Key": "Team", "Value": "shop"}]
    )["TargetGroups"][0]
    elbv2.create_target_group(Name="spare", Protocol="TCP", Port=5432, VpcId=vpc)
    elbv2.create_listener(
        LoadBalancerArn=alb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": attached["TargetGroupArn"]}],
    )

    found = {r.id: r for r in Inventory(aws).discover("elasticloadbalancing:targetgroup")}

    web, spare = found["web"], found["spare"]
    balancer = "app/web/" + alb["LoadBalancerArn"].rsplit("/", 1)[1]
    assert (
        web.attributes["dimension"]
        == "targetgroup/web/" + attached["TargetGroupArn"].rsplit("/", 1)[1]
    )
    assert web.attributes["load_balancer_dimensions"] == [balancer]
    assert web.attributes["protocol"] == "HTTP"
    assert dict(web.tags) == {"Team": "shop"}
    assert spare.attributes["load_balancer_dimensions"] == []
    assert spare.attributes["load_balancer_type"] == "network"

    spec = resource_type("elasticloadbalancing:targetgroup")
    assert spec.dimensions_for(web) == {
        "TargetGroup": web.attributes["dimension"],
        "LoadBalancer": balancer,
    }
    assert spec.namespace_for(spare) == "AWS/NetworkELB"


def test_tags_are_read_twenty_load_balancers_a_call(
    aws: SessionFactory, subnets: list[str]
) -> None:
    for n in range(25):
        create_balancer(aws, f"lb-{n:02d}", subnets, Tags=[{"Key": "N", "Value": str(n)}])
    aws.counter.reset()

    found = Inventory(aws, page_size=10).discover("elasticloadbalancing:loadbalancer")

    assert sorted(r.tags["N"] for r in found) == sorted(str(n) for n in range(25))
    assert aws.counter.total("elastic-load-balancing-v2", "DescribeLoadBalancers") == 3
    assert aws.counter.total("elastic-load-balancing-v2", "DescribeTags") == 2
