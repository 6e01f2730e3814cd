"""Create the demo account's resources through the AWS API, as Terraform would.

Network (the seed's VPC with public, app and data subnets and its security groups), EC2
instances, ECS clusters, task definitions and services behind the ALB, RDS PostgreSQL,
DocumentDB, ElastiCache Redis, the ALB with its target groups and listener, the assets bucket
and a Lambda function. Every resource carries the tags of ``layout.LAYOUT``.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sentinel.aws.session import SessionFactory
from sentinel.emulator.demo.layout import LAYOUT, REGION, AccountLayout
from sentinel.emulator.demo.metrics import MetricTargets

# Amazon Linux 2 in us-east-1, one of the images moto knows.
IMAGE_ID = "ami-12c6146b"
DATABASE_PASSWORD = "p2p-demo-password"

_SUBNETS = {
    "public": ["10.0.1.0/24", "10.0.2.0/24", "10.0.3.0/24"],
    "app": ["10.0.11.0/24", "10.0.12.0/24", "10.0.13.0/24"],
    "data": ["10.0.21.0/24", "10.0.22.0/24", "10.0.23.0/24"],
}
_ZONES = ["us-east-1a", "us-east-1b", "us-east-1c"]


@dataclass
class CreatedResources:
    """What the seed created: counts per kind and the identifiers metrics need."""

    counts: Counter[str] = field(default_factory=Counter)
    instance_ids: dict[str, str] = field(default_factory=dict)
    load_balancer_dimension: str = ""
    target_group_dimensions: dict[str, str] = field(default_factory=dict)
    target_group_arns: dict[str, str] = field(default_factory=dict)

    def metric_targets(self) -> MetricTargets:
        return MetricTargets(
            instance_ids=dict(self.instance_ids),
            load_balancer=self.load_balancer_dimension,
            target_groups=dict(self.target_group_dimensions),
        )


@dataclass(frozen=True)
class Network:
    """The VPC, its subnets by tier (public, app, data) and security groups by role."""

    vpc: str
    subnets: dict[str, list[str]]
    groups: dict[str, str]


def _tag_list(tags: dict[str, str], name: str | None = None) -> list[dict[str, str]]:
    pairs = {**({"Name": name} if name else {}), **tags}
    return [{"Key": k, "Value": v} for k, v in pairs.items()]


def _ecs_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in tags.items()]


def create_resources(factory: SessionFactory, layout: AccountLayout = LAYOUT) -> CreatedResources:
    created = CreatedResources()
    network = _network(factory, layout, created)
    _instances(factory, layout, network, created)
    _load_balancers(factory, layout, network, created)
    _ecs(factory, layout, network, created)
    _databases(factory, layout, network, created)
    _cache(factory, layout, network, created)
    _storage_and_functions(factory, layout, created)
    return created


def _network(factory: SessionFactory, layout: AccountLayout, created: CreatedResources) -> Network:
    ec2 = factory.client("ec2", REGION)
    tags = layout.network_tags

    def spec(kind: str, name: str) -> list[dict[str, Any]]:
        return [{"ResourceType": kind, "Tags": _tag_list(tags, name)}]

    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16", TagSpecifications=spec("vpc", "p2p-vpc"))
    vpc_id = vpc["Vpc"]["VpcId"]
    subnets: dict[str, list[str]] = {}
    for tier, blocks in _SUBNETS.items():
        for block, zone in zip(blocks, _ZONES, strict=True):
            subnet = ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=block,
                AvailabilityZone=zone,
                TagSpecifications=spec("subnet", f"p2p-{tier}-{zone[-1]}"),
            )
            subnets.setdefault(tier, []).append(subnet["Subnet"]["SubnetId"])
            created.counts["ec2:subnet"] += 1
    groups: dict[str, str] = {}
    # Security group -> ingress (port, from group; None: from anywhere), as in the seed.
    rules: dict[str, list[tuple[int, str | None]]] = {
        "alb": [(80, None), (443, None)],
        "ecs-backend": [(8000, "alb")],
        "rds": [(5432, "ecs-backend")],
        "redis": [(6379, "ecs-backend")],
        "docdb": [(27017, "ecs-backend")],
    }
    for name, ingress in rules.items():
        group = ec2.create_security_group(
            GroupName=f"p2p-{name}",
            Description=f"P2P Sandbox {name}",
            VpcId=vpc_id,
            TagSpecifications=spec("security-group", f"p2p-{name}"),
        )
        groups[name] = group["GroupId"]
        created.counts["ec2:security-group"] += 1
        permissions = []
        for port, source in ingress:
            permission: dict[str, Any] = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port}
            if source is None:
                permission["IpRanges"] = [{"CidrIp": "0.0.0.0/0"}]
            else:
                permission["UserIdGroupPairs"] = [{"GroupId": groups[source]}]
            permissions.append(permission)
        ec2.authorize_security_group_ingress(GroupId=groups[name], IpPermissions=permissions)
    created.counts["ec2:vpc"] += 1
    return Network(vpc_id, subnets, groups)


def _instances(
    factory: SessionFactory, layout: AccountLayout, network: Network, created: CreatedResources
) -> None:
    ec2 = factory.client("ec2", REGION)
    for i, instance in enumerate(layout.instances):
        # The root volume is tagged from the instance's template, mistakes included.
        tags = _tag_list(instance.tags, instance.name)
        specs = [
            {"ResourceType": "instance", "Tags": tags},
            {"ResourceType": "volume", "Tags": tags},
        ]
        reservation = ec2.run_instances(
            ImageId=IMAGE_ID,
            InstanceType=instance.instance_type,
            MinCount=1,
            MaxCount=1,
            SubnetId=network.subnets["app"][i % len(_ZONES)],
            BlockDeviceMappings=[
                {
                    "DeviceName": "/dev/xvda",
                    "Ebs": {"VolumeSize": instance.volume_gb, "VolumeType": "gp3"},
                }
            ],
            TagSpecifications=specs,
        )
        created.instance_ids[instance.name] = reservation["Instances"][0]["InstanceId"]
        created.counts["ec2:instance"] += 1


def _load_balancers(
    factory: SessionFactory, layout: AccountLayout, network: Network, created: CreatedResources
) -> None:
    elb = factory.client("elbv2", REGION)
    for balancer in layout.load_balancers:
        arn = elb.create_load_balancer(
            Name=balancer.name,
            Subnets=network.subnets["public"],
            SecurityGroups=[network.groups["alb"]],
            Type="application",
            Scheme="internet-facing",
            Tags=_tag_list(balancer.tags),
        )["LoadBalancers"][0]["LoadBalancerArn"]
        created.load_balancer_dimension = arn.split(":loadbalancer/", 1)[1]
        created.counts["elasticloadbalancing:loadbalancer"] += 1
        arns = created.target_group_arns
        for group, port in balancer.target_groups.items():
            target_group = elb.create_target_group(
                Name=group,
                Protocol="HTTP",
                Port=port,
                VpcId=network.vpc,
                TargetType="ip",
                HealthCheckPath="/api/v1/health" if "backend" in group else "/",
                Tags=_tag_list(balancer.tags),
            )["TargetGroups"][0]
            arns[group] = target_group["TargetGroupArn"]
            created.target_group_dimensions[group] = arns[group].split(":", 5)[5]
            created.counts["elasticloadbalancing:targetgroup"] += 1
        listener = elb.create_listener(
            LoadBalancerArn=arn,
            Protocol="HTTP",
            Port=80,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": arns["p2p-frontend-tg"]}],
        )["Listeners"][0]["ListenerArn"]
        elb.create_rule(
            ListenerArn=listener,
            Priority=10,
            Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
            Actions=[{"Type": "forward", "TargetGroupArn": arns["p2p-backend-tg"]}],
        )


def _ecs(
    factory: SessionFactory, layout: AccountLayout, network: Network, created: CreatedResources
) -> None:
    ecs = factory.client("ecs", REGION)
    arns = created.target_group_arns
    for cluster, tags in layout.ecs_clusters.items():
        ecs.create_cluster(clusterName=cluster, tags=_ecs_tags(tags))
        created.counts["ecs:cluster"] += 1
    for service in layout.ecs_services:
        container = service.family.removeprefix("p2p-").split("-")[0]
        port = 8000 if container == "backend" else 3000
        ecs.register_task_definition(
            family=service.family,
            cpu=str(service.cpu),
            memory=str(service.memory),
            networkMode="awsvpc",
            requiresCompatibilities=["FARGATE"],
            containerDefinitions=[
                {
                    "name": container,
                    "image": f"p2p-sandbox/{container}:latest",
                    "essential": True,
                    "portMappings": [{"containerPort": port, "protocol": "tcp"}],
                }
            ],
            tags=_ecs_tags(service.tags),
        )
        created.counts["ecs:task-definition"] += 1
        extra: dict[str, Any] = {}
        if service.target_group:
            extra["loadBalancers"] = [
                {
                    "targetGroupArn": arns[service.target_group],
                    "containerName": container,
                    "containerPort": port,
                }
            ]
        ecs.create_service(
            cluster=service.cluster,
            serviceName=service.name,
            taskDefinition=service.family,
            desiredCount=service.desired,
            launchType="FARGATE",
            networkConfiguration={
                "awsvpcConfiguration": {
                    "subnets": network.subnets["app"],
                    "securityGroups": [network.groups["ecs-backend"]],
                }
            },
            tags=_ecs_tags(service.tags),
            **extra,
        )
        created.counts["ecs:service"] += 1


def _databases(
    factory: SessionFactory, layout: AccountLayout, network: Network, created: CreatedResources
) -> None:
    rds = factory.client("rds", REGION)
    rds.create_db_subnet_group(
        DBSubnetGroupName="p2p-data",
        DBSubnetGroupDescription="P2P Sandbox data tier",
        SubnetIds=network.subnets["data"],
        Tags=_tag_list(layout.network_tags),
    )
    for database in layout.databases:
        rds.create_db_instance(
            DBInstanceIdentifier=database.identifier,
            DBInstanceClass=database.instance_class,
            Engine=database.engine,
            EngineVersion="15.4",
            MultiAZ=database.multi_az,
            AllocatedStorage=database.storage_gb,
            StorageType="gp3",
            MasterUsername="p2p",
            MasterUserPassword=DATABASE_PASSWORD,
            DBSubnetGroupName="p2p-data",
            VpcSecurityGroupIds=[network.groups["rds"]],
            BackupRetentionPeriod=7,
            PreferredBackupWindow="03:00-04:00",
            StorageEncrypted=True,
            Tags=_tag_list(database.tags),
        )
        created.counts["rds:db"] += 1
    docdb = factory.client("docdb", REGION)
    for cluster in layout.document_clusters:
        docdb.create_db_cluster(
            DBClusterIdentifier=cluster.identifier,
            Engine="docdb",
            MasterUsername="p2p",
            MasterUserPassword=DATABASE_PASSWORD,
            DBSubnetGroupName="p2p-data",
            VpcSecurityGroupIds=[network.groups["docdb"]],
            StorageEncrypted=True,
            Tags=_tag_list(cluster.tags),
        )
        created.counts["rds:cluster"] += 1
        for instance in cluster.instances:
            docdb.create_db_instance(
                DBInstanceIdentifier=instance,
                DBInstanceClass=cluster.instance_class,
                Engine="docdb",
                DBClusterIdentifier=cluster.identifier,
                Tags=_tag_list(cluster.tags),
            )
            created.counts["rds:db"] += 1


def _cache(
    factory: SessionFactory, layout: AccountLayout, network: Network, created: CreatedResources
) -> None:
    elasticache = factory.client("elasticache", REGION)
    for cluster in layout.cache_clusters:
        elasticache.create_cache_cluster(
            CacheClusterId=cluster.identifier,
            Engine="redis",
            EngineVersion="7.0",
            CacheNodeType=cluster.node_type,
            NumCacheNodes=1,
            SecurityGroupIds=[network.groups["redis"]],
            SnapshotRetentionLimit=1,
            Tags=_tag_list(cluster.tags),
        )
        created.counts["elasticache:cluster"] += 1


def _storage_and_functions(
    factory: SessionFactory, layout: AccountLayout, created: CreatedResources
) -> None:
    s3 = factory.client("s3", REGION)
    for bucket in layout.buckets:
        s3.create_bucket(Bucket=bucket.name)
        s3.put_bucket_versioning(Bucket=bucket.name, VersioningConfiguration={"Status": "Enabled"})
        s3.put_bucket_tagging(Bucket=bucket.name, Tagging={"TagSet": _tag_list(bucket.tags)})
        created.counts["s3:bucket"] += 1
    if not layout.functions:
        return
    iam = factory.client("iam", REGION)
    role = iam.create_role(
        RoleName="p2p-lambda-execution",
        AssumeRolePolicyDocument=json.dumps(
            {
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Effect": "Allow",
                        "Principal": {"Service": "lambda.amazonaws.com"},
                        "Action": "sts:AssumeRole",
                    }
                ],
            }
        ),
    )["Role"]["Arn"]
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    awslambda = factory.client("lambda", REGION)
    for function in layout.functions:
        awslambda.create_function(
            FunctionName=function.name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
            MemorySize=function.memory_mb,
            Tags=function.tags,
        )
        created.counts["lambda:function"] += 1
