"""Small hand-made accounts for the import tests: a topic, alarms, instances."""

from __future__ import annotations

from typing import Any

from sentinel.aws.session import SessionFactory


def topic(aws: SessionFactory, name: str = "shop-critical") -> str:
    return str(aws.client("sns").create_topic(Name=name)["TopicArn"])


def instances(aws: SessionFactory, tags: list[dict[str, str]]) -> list[str]:
    ec2 = aws.client("ec2")
    made = []
    for tag in tags:
        made.append(
            ec2.run_instances(
                ImageId="ami-12c6146b",
                MinCount=1,
                MaxCount=1,
                TagSpecifications=[
                    {
                        "ResourceType": "instance",
                        "Tags": [{"Key": k, "Value": v} for k, v in tag.items()],
                    }
                ],
            )["Instances"][0]["InstanceId"]
        )
    return made


def cpu_alarm(aws: SessionFactory, name: str, instance: str, topic_arn: str, **extra: Any) -> None:
    aws.client("cloudwatch").put_metric_alarm(
        AlarmName=name,
        Namespace="AWS/EC2",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "InstanceId", "Value": instance}],
        Statistic="Average",
        Period=300,
        EvaluationPeriods=2,
        Threshold=extra.pop("threshold", 80.0),
        ComparisonOperator="GreaterThanThreshold",
        AlarmActions=[topic_arn],
        OKActions=[topic_arn],
        **extra,
    )
