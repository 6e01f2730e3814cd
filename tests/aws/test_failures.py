"""Each botocore failure as one line, with the IAM action a call needs, against moto."""

from __future__ import annotations

import json

import boto3
import botocore.exceptions
import botocore.session
import pytest
from moto import mock_aws
from moto.core.authorization import ActionAuthenticatorMixin

from sentinel.aws.failures import Call, call_of, describe, iam_action, is_fatal
from sentinel.aws.session import SessionFactory


@pytest.mark.parametrize(
    ("service", "operation", "action"),
    [
        ("cloudwatch", "DescribeAlarms", "cloudwatch:DescribeAlarms"),  # signs as "monitoring"
        ("resourcegroupstaggingapi", "GetResources", "tag:GetResources"),  # "tagging"
        ("sesv2", "SendEmail", "ses:SendEmail"),  # "email"
        ("pricing", "GetProducts", "pricing:GetProducts"),  # endpoint "api.pricing"
        ("elbv2", "DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancers"),
        ("docdb", "DescribeDBClusters", "rds:DescribeDBClusters"),
        ("ce", "GetCostAndUsage", "ce:GetCostAndUsage"),
        ("sns", "ListTopics", "sns:ListTopics"),
    ],
)
def test_the_iam_action_of_an_operation(service: str, operation: str, action: str) -> None:
    model = botocore.session.get_session().get_service_model(service)
    assert iam_action(model, operation) == action


def test_a_failed_call_carries_its_action_region_and_attempts(aws: SessionFactory) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        aws.client("cloudwatch", region="eu-west-1").get_dashboard(DashboardName="nope")

    assert call_of(raised.value) == Call("cloudwatch:GetDashboard", "eu-west-1", 1)


def test_a_denied_call_names_the_action_and_the_principal() -> None:
    with mock_aws():
        iam = boto3.client("iam", region_name="us-east-1")
        iam.create_user(UserName="reader")
        policy = {
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sns:ListTopics", "Resource": "*"}],
        }
        iam.put_user_policy(UserName="reader", PolicyName="r", PolicyDocument=json.dumps(policy))
        key = iam.create_access_key(UserName="reader")["AccessKey"]
        session = boto3.Session(
            aws_access_key_id=key["AccessKeyId"],
            aws_secret_access_key=key["SecretAccessKey"],
            region_name="us-east-1",
        )
        factory = SessionFactory(session=session)

        @ActionAuthenticatorMixin.set_initial_no_auth_action_count(0)
        def create_topic() -> BaseException:
            factory.client("sns").list_topics()  # allowed
            with pytest.raises(botocore.exceptions.ClientError) as raised:
                factory.client("sns").create_topic(Name="x")
            return raised.value

        denied = create_topic()

    assert describe(denied) == (
        "access denied: arn:aws:iam::123456789012:user/reader may not call sns:CreateTopic in "
        "us-east-1 (AccessDenied); allow the IAM action sns:CreateTopic in its policy"
    )
    assert is_fatal(denied)


def test_an_error_without_advice_is_code_message_and_call(aws: SessionFactory) -> None:
    with pytest.raises(botocore.exceptions.ClientError) as raised:
        aws.client("sns").get_topic_attributes(TopicArn="arn:aws:sns:us-east-1:123456789012:nope")
    assert describe(raised.value) == (
        "NotFound: Topic does not exist (sns:GetTopicAttributes in us-east-1)"
    )
    assert describe(raised.value, name_call=False) == "NotFound: Topic does not exist"
    assert not is_fatal(raised.value)
