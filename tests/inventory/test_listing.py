"""Types listed from the catalog's data alone: attributes, tags, ARNs, and one call per page."""

from __future__ import annotations

from sentinel.aws.session import SessionFactory
from sentinel.inventory import Inventory, resource_type

PASSWORD = "not-a-secret-1"


def create_db(aws: SessionFactory, name: str, **extra: object) -> None:
    aws.client("rds").create_db_instance(
        DBInstanceIdentifier=name,
        DBInstanceClass=extra.pop("DBInstanceClass", "db.t3.micro"),
        Engine=extra.pop("Engine", "postgres"),
        AllocatedStorage=20,
        MasterUsername="admin",
        MasterUserPassword=PASSWORD,
        **extra,
    )


def test_rds_instances_and_clusters(aws: SessionFactory) -> None:
    rds = aws.client("rds")
    create_db(
        aws,
        "orders",
        DBInstanceClass="db.m5.large",
        MultiAZ=True,
        Tags=[{"Key": "Environment", "Value": "production"}],
    )
    rds.create_db_cluster(
        DBClusterIdentifier="catalog",
        Engine="aurora-postgresql",
        MasterUsername="admin",
        MasterUserPassword=PASSWORD,
        Tags=[{"Key": "Team", "Value": "search"}],
    )
    rds.create_db_instance(
        DBInstanceIdentifier="catalog-1",
        DBClusterIdentifier="catalog",
        DBInstanceClass="db.r6g.large",
        Engine="aurora-postgresql",
    )
    aws.counter.reset()
    inventory = Inventory(aws)

    dbs = {r.id: r for r in inventory.discover("rds:db")}
    (cluster,) = inventory.discover("rds:cluster")

    orders = dbs["orders"]
    assert orders.arn == "arn:aws:rds:us-east-1:123456789012:db:orders"
    assert orders.account == "123456789012"
    assert dict(orders.tags) == {"Environment": "production"}
    assert {k: orders.attributes[k] for k in ("instance_class", "engine", "multi_az")} == {
        "instance_class": "db.m5.large",
        "engine": "postgres",
        "multi_az": True,
    }
    assert orders.attributes["allocated_storage"] == 20
    assert orders.attributes["engine_version"]
    assert orders.attributes["cluster"] is None
    assert dbs["catalog-1"].attributes["cluster"] == "catalog"
    assert dict(dbs["catalog-1"].tags) == {}
    assert cluster.id == "catalog"
    assert cluster.attributes["engine"] == "aurora-postgresql"
    assert cluster.attributes["members"] == ["catalog-1"]
    assert dict(cluster.tags) == {"Team": "search"}
    assert aws.counter.rows() == [
        ("rds", "DescribeDBClusters", 1),
        ("rds", "DescribeDBInstances", 1),
    ]


def test_rds_instances_one_call_per_page(aws: SessionFactory) -> None:
    for n in range(41):
        create_db(aws, f"db-{n:02d}")
    aws.counter.reset()

    # 20 is the smallest page DescribeDBInstances accepts, whatever is asked for.
    found = Inventory(aws, page_size=5).discover("rds:db")

    assert len(found) == 41
    assert aws.counter.total("rds", "DescribeDBInstances") == 3


def test_elasticache_clusters_with_tags_from_the_tagging_api(aws: SessionFactory) -> None:
    elasticache = aws.client("elasticache")
    elasticache.create_cache_cluster(
        CacheClusterId="sessions",
        Engine="redis",
        CacheNodeType="cache.r6g.large",
        NumCacheNodes=1,
        Tags=[{"Key": "Environment", "Value": "production"}],
    )
    elasticache.create_cache_cluster(
        CacheClusterId="scratch",
        Engine="memcached",
        CacheNodeType="cache.t3.micro",
        NumCacheNodes=2,
    )
    aws.counter.reset()

    found = {r.id: r for r in Inventory(aws).discover("elasticache:cluster")}

    sessions = found["sessions"]
    assert sessions.arn == "arn:aws:elasticache:us-east-1:123456789012:cluster:sessions"
    assert dict(sessions.tags) == {"Environment": "production"}
    assert sessions.attributes["node_type"] == "cache.r6g.large"
    assert sessions.attributes["engine"] == "redis"
    assert found["scratch"].attributes["num_nodes"] == 2
    assert dict(found["scratch"].tags) == {}
    assert aws.counter.total() == 2


def test_lambda_functions(aws: SessionFactory, function_role: str) -> None:
    functions = aws.client("lambda")
    for name, tags in (("resize", {"Environment": "production"}), ("cleanup", {})):
        functions.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=function_role,
            Handler="app.handler",
            Code={"ZipFile": b"code"},
            MemorySize=512,
            Tags=tags,
        )
    aws.counter.reset()

    found = {r.id: r for r in Inventory(aws).discover("lambda:function")}

    resize = found["resize"]
    assert resize.arn == "arn:aws:lambda:us-east-1:123456789012:function:resize"
    assert resize.attributes["runtime"] == "python3.12"
    assert resize.attributes["memory_size"] == 512
    assert dict(resize.tags) == {"Environment": "production"}
    assert dict(found["cleanup"].tags) == {}
    assert aws.counter.rows() == [
        ("lambda", "ListFunctions", 1),
        ("resource-groups-tagging-api", "GetResources", 1),
    ]


def test_s3_buckets_by_region_with_tags(aws: SessionFactory) -> None:
    s3 = aws.client("s3")
    s3.create_bucket(Bucket="acme-logs")
    s3.put_bucket_tagging(
        Bucket="acme-logs", Tagging={"TagSet": [{"Key": "Environment", "Value": "production"}]}
    )
    s3.create_bucket(Bucket="acme-scratch")
    s3.create_bucket(
        Bucket="acme-eu", CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
    )
    aws.counter.reset()
    inventory = Inventory(aws, ["us-east-1", "eu-west-1"])

    found = {r.id: r for r in inventory.discover("s3:bucket")}

    assert {name: r.region for name, r in found.items()} == {
        "acme-logs": "us-east-1",
        "acme-scratch": "us-east-1",
        "acme-eu": "eu-west-1",
    }
    logs = found["acme-logs"]
    assert logs.arn == "arn:aws:s3:::acme-logs"
    assert logs.account is None
    assert dict(logs.tags) == {"Environment": "production"}
    assert dict(found["acme-scratch"].tags) == {}
    assert aws.counter.total("s3", "ListBuckets") == 2


def test_dynamodb_tables_take_the_account_from_sts_once(aws: SessionFactory) -> None:
    dynamodb = aws.client("dynamodb")
    for n in range(7):
        dynamodb.create_table(
            TableName=f"table-{n}",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            **({"Tags": [{"Key": "Environment", "Value": "dev"}]} if n == 0 else {}),
        )
    aws.counter.reset()

    found = {r.id: r for r in Inventory(aws, page_size=3).discover("dynamodb:table")}

    assert len(found) == 7
    first = found["table-0"]
    assert first.arn == "arn:aws:dynamodb:us-east-1:123456789012:table/table-0"
    assert first.account == "123456789012"
    assert dict(first.tags) == {"Environment": "dev"}
    assert dict(found["table-1"].tags) == {}
    assert aws.counter.total("dynamodb", "ListTables") == 3
    assert aws.counter.total("sts", "GetCallerIdentity") == 1
    assert aws.counter.total("resource-groups-tagging-api", "GetResources") == 1


def test_api_gateway_rest_apis(aws: SessionFactory) -> None:
    apigateway = aws.client("apigateway")
    api = apigateway.create_rest_api(name="orders-api", tags={"Environment": "production"})
    apigateway.create_rest_api(name="internal-api")
    aws.counter.reset()

    found = {r.attributes["name"]: r for r in Inventory(aws).discover("apigateway:restapis")}

    orders = found["orders-api"]
    assert orders.id == api["id"]
    assert orders.arn == f"arn:aws:apigateway:us-east-1::/restapis/{api['id']}"
    assert dict(orders.tags) == {"Environment": "production"}
    assert dict(found["internal-api"].tags) == {}
    assert resource_type("apigateway:restapis").dimensions_for(orders) == {"ApiName": "orders-api"}
    assert aws.counter.total() == 1


def test_msk_clusters(aws: SessionFactory, subnets: list[str]) -> None:
    aws.client("kafka").create_cluster_v2(
        ClusterName="events",
        Provisioned={
            "BrokerNodeGroupInfo": {"InstanceType": "kafka.m5.large", "ClientSubnets": subnets},
            "KafkaVersion": "3.5.1",
            "NumberOfBrokerNodes": 2,
        },
        Tags={"Environment": "production"},
    )
    aws.counter.reset()

    (events,) = Inventory(aws).discover("kafka:cluster")

    assert events.id == "events"
    assert events.arn.startswith("arn:aws:kafka:us-east-1:123456789012:cluster/")
    assert dict(events.tags) == {"Environment": "production"}
    assert events.attributes["instance_type"] == "kafka.m5.large"
    assert events.attributes["broker_count"] == 2
    assert events.attributes["cluster_type"] == "PROVISIONED"
    assert aws.counter.total() == 1


def test_cloudfront_distributions_are_global(aws: SessionFactory) -> None:
    origin = {
        "Id": "site",
        "DomainName": "example.com",
        "CustomOriginConfig": {
            "HTTPPort": 80,
            "HTTPSPort": 443,
            "OriginProtocolPolicy": "https-only",
        },
    }
    config = {
        "CallerReference": "site",
        "Origins": {"Quantity": 1, "Items": [origin]},
        "DefaultCacheBehavior": {
            "TargetOriginId": "site",
            "ViewerProtocolPolicy": "redirect-to-https",
            "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
            "MinTTL": 0,
            "TrustedSigners": {"Enabled": False, "Quantity": 0},
        },
        "Comment": "site",
        "Enabled": True,
    }
    created = aws.client("cloudfront").create_distribution_with_tags(
        DistributionConfigWithTags={
            "DistributionConfig": config,
            "Tags": {"Items": [{"Key": "Environment", "Value": "production"}]},
        }
    )["Distribution"]
    aws.counter.reset()
    inventory = Inventory(aws, ["eu-west-1", "ap-southeast-2"])

    (site,) = inventory.discover("cloudfront:distribution")

    assert site.id == created["Id"]
    assert site.region == "us-east-1"
    assert site.arn == created["ARN"]
    assert site.attributes["domain_name"] == created["DomainName"]
    assert dict(site.tags) == {"Environment": "production"}
    assert aws.counter.total("cloudfront", "ListDistributions") == 1
