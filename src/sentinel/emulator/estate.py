"""A hand-made estate for ``sentinel import``: resources and the alarms a team made over years.

Six resource types (EC2 instances, RDS databases, Lambda functions, SQS queues, load balancers,
DynamoDB tables), tagged by environment and team; alarms made per resource with a console-like
naming (some under the project's prefix, some not: ``<function>-errors``), metric-math and
percentile alarms among them, a set of alarms on an arbitrary handful of functions (which no tag
selects), an alarm that notifies nothing; three SNS topics with email, https (one a PagerDuty
integration URL), SQS and Lambda subscriptions; composite alarms; dashboards (one with a widget
that has no YAML form, one whose layout rows cannot draw); budgets. Nothing carries Sentinel's
ownership tag. ``scale`` multiplies the resources (and with them the alarms), for benchmarks.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory

PROJECT = "estate"
REGION = "us-east-1"
PAGERDUTY_KEY = "e93facc04764012d7bfb002500d5d1a6"
WEBHOOK_URL = "https://hooks.example.com/services/T000/B000/Zq9sEcReTwebhookToken42"
SECRETS = {
    "ESTATE_CRITICAL_PAGERDUTY_KEY": PAGERDUTY_KEY,
    "ESTATE_OPS_PAGER_WEBHOOK_URL": WEBHOOK_URL,
}
PER_SCALE = {"ec2": 40, "rds": 10, "lambda": 20, "sqs": 20, "alb": 6, "dynamodb": 10}
UNMATCHED_FUNCTIONS = (1, 4, 6, 9, 12, 15, 17)  # lambda duration alarms: no tag selects these


@dataclass
class Estate:
    """What was made: counts per kind, and the names tests look for."""

    alarms: int = 0
    composites: int = 0
    dashboards: list[str] = field(default_factory=list)
    budgets: list[str] = field(default_factory=list)
    topics: dict[str, str] = field(default_factory=dict)
    resources: dict[str, int] = field(default_factory=dict)
    unmatched: list[str] = field(default_factory=list)
    unrouted: list[str] = field(default_factory=list)


def build_estate(factory: SessionFactory, scale: int = 1) -> Estate:
    estate = Estate()
    account = factory.caller_account()
    counts = {kind: n * scale for kind, n in PER_SCALE.items()}
    topics = _topics(factory, account, estate)
    instances = _instances(factory, counts["ec2"])
    databases = _databases(factory, counts["rds"])
    functions = _functions(factory, counts["lambda"], account)
    queues = _queues(factory, counts["sqs"])
    balancers = _balancers(factory, counts["alb"])
    tables = _tables(factory, counts["dynamodb"])
    estate.resources = {
        "ec2:instance": len(instances),
        "rds:db": len(databases),
        "lambda:function": len(functions),
        "sqs:queue": len(queues),
        "elasticloadbalancing:loadbalancer": len(balancers),
        "dynamodb:table": len(tables),
    }
    _subscriptions(factory, topics, queues[0][0], functions[0][0], account)
    cloudwatch = factory.client("cloudwatch", REGION)
    alarms = _Alarms(cloudwatch, topics, estate)
    for instance, env in instances:
        production = env == "production"
        alarms.put(
            f"{PROJECT}-ec2-cpu-high-{instance}",
            "critical" if production else "warning",
            f"EC2 CPU above {90 if production else 95}% on {instance}",
            namespace="AWS/EC2",
            metric="CPUUtilization",
            dims={"InstanceId": instance},
            statistic="Average",
            threshold=90 if production else 95,
            period=300,
            periods=3,
        )
        alarms.put(
            f"{PROJECT}-ec2-status-check-{instance}",
            "critical",
            "Instance or system status check failed. Runbook: https://wiki.example.com/ec2",
            namespace="AWS/EC2",
            metric="StatusCheckFailed",
            dims={"InstanceId": instance},
            statistic="Maximum",
            threshold=0,
            period=60,
            periods=2,
            missing="breaching",
        )
        alarms.put(
            f"{PROJECT}-ec2-network-in-{instance}",
            "warning",
            "Unusual inbound traffic",
            namespace="AWS/EC2",
            metric="NetworkIn",
            dims={"InstanceId": instance},
            statistic="Sum",
            threshold=5e9,
            period=300,
            periods=1,
        )
    for db, engine in databases:
        alarms.put(
            f"{PROJECT}-rds-cpu-{db}",
            "critical",
            "RDS CPU above 85%",
            namespace="AWS/RDS",
            metric="CPUUtilization",
            dims={"DBInstanceIdentifier": db},
            statistic="Average",
            threshold=85,
            period=300,
            periods=3,
        )
        alarms.put(
            f"{PROJECT}-rds-read-latency-p99-{db}",
            "warning",
            "p99 read latency above 20 ms",
            namespace="AWS/RDS",
            metric="ReadLatency",
            dims={"DBInstanceIdentifier": db},
            statistic="p99",
            threshold=0.02,
            period=300,
            periods=3,
            datapoints=2,
        )
        if engine == "postgres":
            alarms.put(
                f"{PROJECT}-rds-free-storage-{db}",
                "critical",
                "Less than 10 GB free",
                namespace="AWS/RDS",
                metric="FreeStorageSpace",
                dims={"DBInstanceIdentifier": db},
                statistic="Minimum",
                threshold=10737418240,
                comparison="LessThanThreshold",
                period=300,
                periods=1,
            )
    for n, (function, _team) in enumerate(functions):
        alarms.put(
            f"{function}-errors",
            "ops-pager",
            "Errors in the function",
            namespace="AWS/Lambda",
            metric="Errors",
            dims={"FunctionName": function},
            statistic="Sum",
            threshold=5,
            period=60,
            periods=5,
            missing="notBreaching",
        )
        alarms.put(
            f"{function}-throttles",
            "warning",
            None,
            namespace="AWS/Lambda",
            metric="Throttles",
            dims={"FunctionName": function},
            statistic="Sum",
            threshold=0,
            period=60,
            periods=1,
            missing="notBreaching",
        )
        if n % 20 in UNMATCHED_FUNCTIONS:
            name = f"{PROJECT}-lambda-duration-p90-{function}"
            estate.unmatched.append(name)
            alarms.put(
                name,
                "warning",
                "p90 duration above 3 s",
                namespace="AWS/Lambda",
                metric="Duration",
                dims={"FunctionName": function},
                statistic="p90",
                threshold=3000,
                period=300,
                periods=2,
            )
    for queue, _ in queues:
        alarms.put(
            f"{PROJECT}-sqs-depth-{queue}",
            "warning",
            "Backlog above 1,000 messages",
            namespace="AWS/SQS",
            metric="ApproximateNumberOfMessagesVisible",
            dims={"QueueName": queue},
            statistic="Maximum",
            threshold=1000,
            period=300,
            periods=2,
        )
        alarms.put(
            f"{PROJECT}-sqs-oldest-{queue}",
            "critical",
            "Oldest message older than 15 minutes",
            namespace="AWS/SQS",
            metric="ApproximateAgeOfOldestMessage",
            dims={"QueueName": queue},
            statistic="Maximum",
            threshold=900,
            period=60,
            periods=5,
        )
        alarms.put(
            f"{PROJECT}-sqs-sent-{queue}",
            "warning",
            "Nothing sent for an hour",
            namespace="AWS/SQS",
            metric="NumberOfMessagesSent",
            dims={"QueueName": queue},
            statistic="Sum",
            threshold=1,
            comparison="LessThanThreshold",
            period=3600,
            periods=1,
            missing="breaching",
        )
    for name, dimension in balancers:
        alarms.put(
            f"{PROJECT}-alb-error-rate-{name}",
            "critical",
            "More than 5% of requests fail",
            threshold=5,
            period=60,
            periods=5,
            missing="notBreaching",
            metrics=_error_rate(dimension),
            label="alb-error-rate",
        )
        alarms.put(
            f"{PROJECT}-alb-latency-p99-{name}",
            "warning",
            "p99 response time above 2 s",
            namespace="AWS/ApplicationELB",
            metric="TargetResponseTime",
            dims={"LoadBalancer": dimension},
            statistic="p99",
            threshold=2,
            period=300,
            periods=2,
        )
        alarms.put(
            f"{PROJECT}-alb-5xx-{name}",
            "critical",
            "Load balancer 5xx burst",
            namespace="AWS/ApplicationELB",
            metric="HTTPCode_ELB_5XX_Count",
            dims={"LoadBalancer": dimension},
            statistic="Sum",
            threshold=50,
            period=60,
            periods=3,
        )
    for table in tables:
        for metric in ("ReadThrottleEvents", "WriteThrottleEvents", "SystemErrors"):
            alarms.put(
                f"{PROJECT}-dynamodb-{metric.lower()}-{table}",
                "warning",
                f"{metric} on {table}",
                namespace="AWS/DynamoDB",
                metric=metric,
                dims={"TableName": table},
                statistic="Sum",
                threshold=10,
                period=300,
                periods=1,
                missing="notBreaching",
            )
    alarms.put(
        "billing-estimated-charges",
        "critical",
        "Estimated charges above 10,000 USD",
        namespace="AWS/Billing",
        metric="EstimatedCharges",
        dims={"Currency": "USD"},
        statistic="Maximum",
        threshold=10000,
        period=21600,
        periods=1,
    )
    silent = f"{PROJECT}-canary-heartbeat"
    estate.unrouted.append(silent)
    alarms.put(
        silent,
        None,
        "Heartbeat of the canary (no one is told)",
        namespace="Estate/Canary",
        metric="Heartbeat",
        dims={},
        statistic="SampleCount",
        threshold=1,
        comparison="LessThanThreshold",
        period=300,
        periods=1,
    )
    _composites(cloudwatch, topics, estate, functions, balancers)
    _dashboards(cloudwatch, estate, instances, queues, functions, account)
    _budgets(factory, account, topics, estate)
    return estate


class _Alarms:
    def __init__(self, cloudwatch: Any, topics: dict[str, str], estate: Estate) -> None:
        self.cloudwatch, self.topics, self.estate = cloudwatch, topics, estate

    def put(
        self,
        name: str,
        severity: str | None,
        description: str | None,
        *,
        threshold: float,
        period: int,
        periods: int,
        namespace: str | None = None,
        metric: str | None = None,
        dims: dict[str, str] | None = None,
        statistic: str | None = None,
        comparison: str = "GreaterThanThreshold",
        missing: str = "missing",
        datapoints: int | None = None,
        metrics: list[dict[str, Any]] | None = None,
        label: str | None = None,
    ) -> None:
        params: dict[str, Any] = {
            "AlarmName": name,
            "EvaluationPeriods": periods,
            "DatapointsToAlarm": datapoints or periods,
            "Threshold": float(threshold),
            "ComparisonOperator": comparison,
            "TreatMissingData": missing,
            "Tags": [{"Key": "Team", "Value": "platform"}],
        }
        if description:
            params["AlarmDescription"] = description
        if severity is not None:
            topic = self.topics[severity]
            params["AlarmActions"] = [topic]
            params["OKActions"] = [topic]
        if metrics is not None:
            for query in metrics:
                if "MetricStat" in query:
                    query["MetricStat"]["Period"] = period
            metrics[0]["Label"] = label
            params["Metrics"] = metrics
        else:
            params.update(
                Namespace=namespace,
                MetricName=metric,
                Dimensions=[{"Name": k, "Value": v} for k, v in (dims or {}).items()],
                Period=period,
            )
            if statistic and statistic.startswith("p"):
                params["ExtendedStatistic"] = statistic
            else:
                params["Statistic"] = statistic or "Average"
        self.cloudwatch.put_metric_alarm(**params)
        self.estate.alarms += 1


def _error_rate(dimension: str) -> list[dict[str, Any]]:
    def stat(metric_id: str, metric: str) -> dict[str, Any]:
        return {
            "Id": metric_id,
            "MetricStat": {
                "Metric": {
                    "Namespace": "AWS/ApplicationELB",
                    "MetricName": metric,
                    "Dimensions": [{"Name": "LoadBalancer", "Value": dimension}],
                },
                "Period": 60,
                "Stat": "Sum",
            },
            "ReturnData": False,
        }

    return [
        {"Id": "e1", "Expression": "100 * errors / MAX([requests, 1])", "ReturnData": True},
        stat("errors", "HTTPCode_Target_5XX_Count"),
        stat("requests", "RequestCount"),
    ]


def _tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _topics(factory: SessionFactory, account: str, estate: Estate) -> dict[str, str]:
    """Topics a team made: SNS's default policy, and on the topics budgets notify, a statement
    added by hand that lets Budgets publish (as Budgets needs)."""
    sns = factory.client("sns", REGION)
    made = {}
    for severity, name, shown in (
        ("critical", f"{PROJECT}-critical", f"{PROJECT} critical"),
        ("warning", f"{PROJECT}-warning", "Estate warnings"),
        ("ops-pager", "ops-pager", "Ops pager"),
    ):
        arn = sns.create_topic(Name=name, Attributes={"DisplayName": shown})["TopicArn"]
        if severity in ("critical", "warning"):  # the topics budgets notify
            policy = json.loads(sns.get_topic_attributes(TopicArn=arn)["Attributes"]["Policy"])
            policy["Statement"].append(
                {
                    "Sid": "AllowBudgets",
                    "Effect": "Allow",
                    "Principal": {"Service": "budgets.amazonaws.com"},
                    "Action": "SNS:Publish",
                    "Resource": arn,
                }
            )
            sns.set_topic_attributes(
                TopicArn=arn, AttributeName="Policy", AttributeValue=json.dumps(policy)
            )
        made[severity] = arn
    estate.topics = dict(made)
    return made


def _subscriptions(
    factory: SessionFactory, topics: dict[str, str], queue: str, function: str, account: str
) -> None:
    sns = factory.client("sns", REGION)
    pagerduty = f"https://events.pagerduty.com/integration/{PAGERDUTY_KEY}/enqueue"
    for topic, protocol, endpoint in (
        ("critical", "email", "oncall@example.com"),
        ("critical", "https", pagerduty),
        ("warning", "email", "platform@example.com"),
        ("warning", "sqs", f"arn:aws:sqs:{REGION}:{account}:{queue}"),
        ("warning", "lambda", f"arn:aws:lambda:{REGION}:{account}:function:{function}"),
        ("ops-pager", "https", WEBHOOK_URL),
    ):
        sns.subscribe(TopicArn=topics[topic], Protocol=protocol, Endpoint=endpoint)


def _instances(factory: SessionFactory, count: int) -> list[tuple[str, str]]:
    ec2 = factory.client("ec2", REGION)
    made = []
    for n in range(count):
        env = "production" if n % 4 else "staging"
        team = ("payments", "search", "identity")[n % 3]
        instance = ec2.run_instances(
            ImageId="ami-12c6146b",
            MinCount=1,
            MaxCount=1,
            InstanceType="t3.medium",
            TagSpecifications=[
                {
                    "ResourceType": "instance",
                    "Tags": _tags({"Name": f"app-{n}", "Environment": env, "Team": team}),
                }
            ],
        )["Instances"][0]["InstanceId"]
        made.append((instance, env))
    return made


def _databases(factory: SessionFactory, count: int) -> list[tuple[str, str]]:
    rds = factory.client("rds", REGION)
    made = []
    for n in range(count):
        engine = "postgres" if n % 5 else "mysql"
        name = f"db-{n:03d}"
        rds.create_db_instance(
            DBInstanceIdentifier=name,
            DBInstanceClass="db.t3.medium",
            Engine=engine,
            AllocatedStorage=100,
            MasterUsername="estate",
            MasterUserPassword="estate-password-1",
            Tags=_tags({"Environment": "production", "Team": "data"}),
        )
        made.append((name, engine))
    return made


def _functions(factory: SessionFactory, count: int, account: str) -> list[tuple[str, str]]:
    role = f"arn:aws:iam::{account}:role/estate-lambda"
    factory.client("iam", REGION).create_role(
        RoleName="estate-lambda",
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
    )
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("handler.py", "def handler(event, context):\n    return event\n")
    awslambda = factory.client("lambda", REGION)
    made = []
    for n in range(count):
        team = ("payments", "search")[n % 2]
        name = f"{team}-fn-{n:03d}"
        awslambda.create_function(
            FunctionName=name,
            Runtime="python3.12",
            Role=role,
            Handler="handler.handler",
            Code={"ZipFile": code.getvalue()},
            Tags={"Team": team, "Environment": "production"},
        )
        made.append((name, team))
    return made


def _queues(factory: SessionFactory, count: int) -> list[tuple[str, str]]:
    sqs = factory.client("sqs", REGION)
    made = []
    for n in range(count):
        name = f"jobs-{n:03d}"
        sqs.create_queue(QueueName=name, tags={"Team": "platform", "Environment": "production"})
        made.append((name, "platform"))
    return made


def _balancers(factory: SessionFactory, count: int) -> list[tuple[str, str]]:
    ec2 = factory.client("ec2", REGION)
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{n}.0/24", AvailabilityZone=zone)["Subnet"][
            "SubnetId"
        ]
        for n, zone in enumerate([f"{REGION}a", f"{REGION}b"], start=1)
    ]
    elb = factory.client("elbv2", REGION)
    made = []
    for n in range(count):
        name = f"web-{n:03d}"
        tier = "edge" if n == 0 else "internal"  # the composite's own, and the others
        arn = elb.create_load_balancer(
            Name=name,
            Subnets=subnets,
            Type="application",
            Tags=_tags({"Environment": "production", "Team": "web", "Tier": tier}),
        )["LoadBalancers"][0]["LoadBalancerArn"]
        made.append((name, arn.split(":loadbalancer/", 1)[1]))
    return made


def _tables(factory: SessionFactory, count: int) -> list[str]:
    dynamodb = factory.client("dynamodb", REGION)
    made = []
    for n in range(count):
        name = f"orders-{n:03d}"
        dynamodb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
            Tags=_tags({"Team": "payments"}),
        )
        made.append(name)
    return made


def _composites(
    cloudwatch: Any,
    topics: dict[str, str],
    estate: Estate,
    functions: list[tuple[str, str]],
    balancers: list[tuple[str, str]],
) -> None:
    first, _ = balancers[0]
    unmatched = estate.unmatched[:2]
    for name, rule, description in (
        (
            f"{PROJECT}-web-down",
            f'ALARM("{PROJECT}-alb-error-rate-{first}") AND ALARM("{PROJECT}-alb-5xx-{first}")',
            "The first web load balancer fails",
        ),
        (
            f"{PROJECT}-slow-functions",
            " OR ".join(f'ALARM("{name}")' for name in unmatched)
            + ' OR ALARM("billing-estimated-charges")',
            "Slow functions or a bill out of line",
        ),
    ):
        cloudwatch.put_composite_alarm(
            AlarmName=name,
            AlarmRule=rule,
            AlarmDescription=description,
            AlarmActions=[topics["critical"]],
            OKActions=[topics["critical"]],
        )
        estate.composites += 1


def _dashboards(
    cloudwatch: Any,
    estate: Estate,
    instances: list[tuple[str, str]],
    queues: list[tuple[str, str]],
    functions: list[tuple[str, str]],
    account: str,
) -> None:
    def widget(kind: str, x: int, y: int, w: int, h: int, **properties: Any) -> dict[str, Any]:
        return {"type": kind, "x": x, "y": y, "width": w, "height": h, "properties": properties}

    cpu = [["AWS/EC2", "CPUUtilization", "InstanceId", i] for i, _ in instances[:3]]
    alarm_arn = f"arn:aws:cloudwatch:{REGION}:{account}:alarm:billing-estimated-charges"
    bodies = {
        f"{PROJECT}-overview": [
            widget("text", 0, 0, 24, 1, markdown="# Estate overview"),
            widget(
                "metric",
                0,
                1,
                12,
                6,
                title="EC2 CPU",
                region=REGION,
                stat="Average",
                period=300,
                view="timeSeries",
                stacked=False,
                metrics=cpu,
            ),
            widget(
                "metric",
                12,
                1,
                12,
                6,
                title="Network in",
                region=REGION,
                stat="Sum",
                period=300,
                metrics=[
                    ["AWS/EC2", "NetworkIn", "InstanceId", instances[0][0]],
                    [".", ".", ".", instances[1][0]],
                ],
            ),
            widget("text", 0, 7, 8, 3, markdown="Runbooks: https://wiki.example.com"),
            widget(
                "alarm",
                8,
                7,
                16,
                3,
                title="Billing",
                alarms=[alarm_arn],
                sortBy="stateUpdatedTimestamp",
            ),
        ],
        f"{PROJECT}-queues": [
            widget(
                "metric",
                0,
                0,
                16,
                6,
                title="Backlog",
                region=REGION,
                stat="Maximum",
                period=60,
                view="timeSeries",
                stacked=True,
                metrics=[
                    ["AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", q, {"label": q}]
                    for q, _ in queues[:4]
                ],
                yAxis={"left": {"min": 0, "label": "messages"}},
                annotations={"horizontal": [{"value": 1000, "label": "alarm"}]},
            ),
            widget(
                "log",
                16,
                0,
                8,
                6,
                title="Worker errors",
                region=REGION,
                view="table",
                query="SOURCE '/aws/lambda/workers' | fields @timestamp, @message "
                "| filter @message like /ERROR/ | limit 20",
            ),
        ],
        f"{PROJECT}-functions": [
            widget(
                "metric",
                8 * n,
                0,
                8,
                4,
                title=f"{name} invocations",
                region=REGION,
                stat="Sum",
                period=300,
                view="singleValue",
                metrics=[["AWS/Lambda", "Invocations", "FunctionName", name]],
            )
            for n, (name, _) in enumerate(functions[:3])
        ]
        + [
            widget(
                "metric",
                0,
                4,
                24,
                6,
                title="Error ratio",
                region=REGION,
                stat="Sum",
                period=300,
                metrics=[
                    [
                        "AWS/Lambda",
                        "Errors",
                        "FunctionName",
                        functions[0][0],
                        {"id": "errors", "visible": False},
                    ],
                    [".", "Invocations", ".", ".", {"id": "calls", "visible": False}],
                    [{"expression": "100 * errors / calls", "label": "error %", "id": "ratio"}],
                ],
            ),
        ],
        "team-payments": [
            widget(
                "explorer",
                0,
                0,
                24,
                8,
                metrics=[
                    {
                        "metricName": "CPUUtilization",
                        "resourceType": "AWS::EC2::Instance",
                        "stat": "Average",
                    }
                ],
                labels=[{"key": "Team", "value": "payments"}],
                period=300,
                widgetOptions={"legend": {"position": "bottom"}, "view": "timeSeries"},
            ),
            widget(
                "metric",
                0,
                8,
                12,
                6,
                title="Payments CPU",
                region=REGION,
                stat="Average",
                period=300,
                sparkline=True,
                view="singleValue",
                metrics=[["AWS/EC2", "CPUUtilization", "InstanceId", instances[0][0]]],
            ),
            widget("text", 12, 8, 12, 6, markdown="Payments team: #payments-oncall"),
        ],
        f"{PROJECT}-databases": [
            widget(
                "metric",
                0,
                0,
                12,
                6,
                title="RDS CPU",
                region=REGION,
                stat="Average",
                period=300,
                metrics=[
                    [
                        "AWS/RDS",
                        "CPUUtilization",
                        "DBInstanceIdentifier",
                        "db-001",
                        {"color": "#1f77b4"},
                    ]
                ],
            ),
            widget(
                "metric",
                12,
                0,
                12,
                6,
                title="RDS read latency p99",
                region=REGION,
                stat="p99",
                period=300,
                metrics=[["AWS/RDS", "ReadLatency", "DBInstanceIdentifier", "db-001"]],
            ),
        ],
        "legacy-layout": [
            widget("text", 0, 0, 6, 3, markdown="left"),
            widget("text", 12, 0, 6, 3, markdown="a gap on its left"),
        ],
    }
    for name, widgets in bodies.items():
        cloudwatch.put_dashboard(DashboardName=name, DashboardBody=json.dumps({"widgets": widgets}))
        estate.dashboards.append(name)


def _budgets(factory: SessionFactory, account: str, topics: dict[str, str], estate: Estate) -> None:
    client = factory.client("budgets", REGION)

    def notify(
        threshold: float,
        kind: str = "ACTUAL",
        unit: str = "PERCENTAGE",
        sns: str | None = None,
        email: str = "finance@example.com",
    ) -> dict[str, Any]:
        subscribers = [{"SubscriptionType": "EMAIL", "Address": email}]
        if sns:
            subscribers.append({"SubscriptionType": "SNS", "Address": topics[sns]})
        return {
            "Notification": {
                "NotificationType": kind,
                "ComparisonOperator": "GREATER_THAN",
                "Threshold": threshold,
                "ThresholdType": unit,
            },
            "Subscribers": subscribers,
        }

    def below(threshold: float, sns: str) -> dict[str, Any]:
        alert = notify(threshold, sns=sns)
        return {
            **alert,
            "Notification": {**alert["Notification"], "ComparisonOperator": "LESS_THAN"},
        }

    budgets: list[tuple[dict[str, Any], list[dict[str, Any]]]] = [
        (
            {
                "BudgetName": f"{PROJECT}-monthly",
                "BudgetLimit": {"Amount": "5000", "Unit": "USD"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "COST",
            },
            [notify(80, sns="critical"), notify(100, "FORECASTED", sns="critical")],
        ),
        (
            {
                "BudgetName": f"{PROJECT}-payments",
                "BudgetLimit": {"Amount": "1200.5", "Unit": "USD"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "COST",
                "CostFilters": {"TagKeyValue": ["user:Team$payments"]},
            },
            [notify(90, email="payments@example.com")],
        ),
        (
            {
                "BudgetName": f"{PROJECT}-ec2-production",
                "BudgetLimit": {"Amount": "9000", "Unit": "USD"},
                "TimeUnit": "QUARTERLY",
                "BudgetType": "COST",
                "Metrics": ["UnblendedCost"],
                "FilterExpression": {
                    "And": [
                        {
                            "Dimensions": {
                                "Key": "SERVICE",
                                "Values": ["Amazon Elastic Compute Cloud - Compute"],
                            }
                        },
                        {"Tags": {"Key": "Environment", "Values": ["production"]}},
                    ]
                },
            },
            [notify(75), notify(100, sns="warning")],
        ),
        (
            {
                "BudgetName": "finance-annual",
                "BudgetLimit": {"Amount": "100000", "Unit": "USD"},
                "TimeUnit": "ANNUALLY",
                "BudgetType": "COST",
            },
            [notify(90000, unit="ABSOLUTE_VALUE")],
        ),
        (
            {
                "BudgetName": f"{PROJECT}-rds-reservations",
                "BudgetLimit": {"Amount": "100", "Unit": "PERCENTAGE"},
                "TimeUnit": "MONTHLY",
                "BudgetType": "RI_UTILIZATION",
                "CostFilters": {"Service": ["Amazon Relational Database Service"]},
            },
            [below(85, sns="warning")],
        ),
    ]
    for budget, notifications in budgets:
        client.create_budget(
            AccountId=account, Budget=budget, NotificationsWithSubscribers=notifications
        )
        estate.budgets.append(budget["BudgetName"])
