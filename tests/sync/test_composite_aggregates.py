"""Composites over a templated rule: ``ALARM(any x)``, ``ALARM(all x)``, ``count(ALARM(x)) >= 2``
expanded over the rule's alarms at plan time, kept up to date as resources come and go, and
evaluated by the emulator as CloudWatch does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sentinel.aws.session import SessionFactory
from sentinel.errors import ConfigError
from sentinel.sync.engine import apply, plan
from sentinel.sync.model import Action

from .shop import context, shop_files, write_config

BALANCER_ALARMS = """\
alarms:
  - name: lb-5xx
    severity: warning
    for_each: {resource: "elasticloadbalancing:loadbalancer", tags: {Team: payments}}
    namespace: AWS/ApplicationELB
    metric: HTTPCode_ELB_5XX_Count
    dimensions: {LoadBalancer: "{attr:dimension}"}
    statistic: Sum
    condition: "> 50"

composites:
  - name: lbs-failing
    severity: critical
    description: Two load balancers or more fail at once
    rule: count(ALARM(lb-5xx)) >= 2
  - name: some-lb-failing
    severity: warning
    rule: ALARM(any lb-5xx)
  - name: every-lb-failing
    severity: critical
    rule: ALARM(all lb-5xx) AND NOT ALARM(lbs-failing-half)
  - name: lbs-failing-half
    severity: warning
    rule: count(NOT OK(lb-5xx)) >= 50%
"""


def _composites(aws: SessionFactory) -> dict[str, dict[str, Any]]:
    found = aws.client("cloudwatch").describe_alarms(
        AlarmNamePrefix="shop-", AlarmTypes=["CompositeAlarm"]
    )["CompositeAlarms"]
    return {alarm["AlarmName"]: alarm for alarm in found}


def _shop(tmp_path: Path, alarms: str = BALANCER_ALARMS) -> Path:
    return write_config(tmp_path / "shop", shop_files({"alarms/shop.yaml": alarms}))


def test_aggregates_expand_to_the_instances_of_the_templated_rule(
    aws: SessionFactory, tmp_path: Path, load_balancer: Any
) -> None:
    for name in ("web", "api"):
        load_balancer(name, {"Team": "payments"})
    load_balancer("search", {"Team": "search"})
    shop = _shop(tmp_path)
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx)).ok

    rules = {name: alarm["AlarmRule"] for name, alarm in _composites(aws).items()}
    assert rules == {
        "shop-lbs-failing": 'AT_LEAST(2, ALARM, ("shop-lb-5xx-api", "shop-lb-5xx-web"))',
        "shop-some-lb-failing": '(ALARM("shop-lb-5xx-api") OR ALARM("shop-lb-5xx-web"))',
        "shop-every-lb-failing": (
            '(ALARM("shop-lb-5xx-api") AND ALARM("shop-lb-5xx-web")) '
            'AND NOT ALARM("shop-lbs-failing-half")'
        ),
        "shop-lbs-failing-half": 'AT_LEAST(50%, NOT OK, ("shop-lb-5xx-api", "shop-lb-5xx-web"))',
    }
    assert plan(context(aws, shop)).is_empty


def test_a_templated_composite_fires_when_two_instances_fire(
    aws: SessionFactory, tmp_path: Path, load_balancer: Any
) -> None:
    for name in ("api", "web", "admin"):
        load_balancer(name, {"Team": "payments"})
    shop = _shop(tmp_path)
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx)).ok
    sqs = aws.client("sqs")
    queue = sqs.create_queue(QueueName="pager-inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    critical = aws.client("sns").create_topic(Name="shop-critical")["TopicArn"]
    aws.client("sns").subscribe(
        TopicArn=critical,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
    )
    cloudwatch = aws.client("cloudwatch")

    def state(name: str) -> str:
        return str(_composites(aws)[name]["StateValue"])

    cloudwatch.set_alarm_state(
        AlarmName="shop-lb-5xx-api", StateValue="ALARM", StateReason="5xx above 50"
    )
    assert state("shop-some-lb-failing") == "ALARM"
    assert state("shop-lbs-failing") == "OK"
    assert sqs.receive_message(QueueUrl=queue).get("Messages", []) == []

    cloudwatch.set_alarm_state(
        AlarmName="shop-lb-5xx-web", StateValue="ALARM", StateReason="5xx above 50"
    )
    assert state("shop-lbs-failing") == "ALARM"
    assert state("shop-every-lb-failing") == "OK"  # the third is still OK
    [received] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    message = json.loads(received["Body"])
    assert message["AlarmName"] == "shop-lbs-failing"
    assert (message["OldStateValue"], message["NewStateValue"]) == ("OK", "ALARM")
    assert message["AlarmRule"].startswith("AT_LEAST(2, ALARM, (")
    assert message["AlarmDescription"] == "Two load balancers or more fail at once"

    cloudwatch.set_alarm_state(AlarmName="shop-lb-5xx-api", StateValue="OK", StateReason="ok")
    assert state("shop-lbs-failing") == "OK"
    [recovered] = sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10)["Messages"]
    assert json.loads(recovered["Body"])["NewStateValue"] == "OK"


def test_a_new_instance_changes_the_rule_and_the_plan_shows_it(
    aws: SessionFactory, tmp_path: Path, load_balancer: Any
) -> None:
    load_balancer("api", {"Team": "payments"})
    load_balancer("web", {"Team": "payments"})
    shop = _shop(tmp_path)
    ctx = context(aws, shop)
    assert apply(ctx, plan(ctx)).ok

    load_balancer("admin", {"Team": "payments"})
    grown = plan(context(aws, shop))
    by_key = {c.key: c for c in grown.changes}
    assert by_key["shop-lb-5xx-admin"].action is Action.CREATE
    change = by_key["shop-lbs-failing"]
    assert change.action is Action.UPDATE
    assert [c.field for c in change.fields] == ["rule"]
    assert '"shop-lb-5xx-admin"' in str(change.fields[0].new)
    assert apply(context(aws, shop), grown).ok
    assert _composites(aws)["shop-lbs-failing"]["AlarmRule"] == (
        'AT_LEAST(2, ALARM, ("shop-lb-5xx-admin", "shop-lb-5xx-api", "shop-lb-5xx-web"))'
    )
    assert plan(context(aws, shop)).is_empty


def test_no_instance_leaves_the_composite_out_with_a_warning(
    aws: SessionFactory, tmp_path: Path, load_balancer: Any
) -> None:
    arn = load_balancer("api", {"Team": "payments"})
    shop = _shop(tmp_path)
    ctx = context(aws, shop)
    first = plan(ctx)
    # One load balancer: two of them can never fire, the others are planned.
    composites = {c.key for c in first.changes if c.kind == "composite alarm"}
    assert composites == {"shop-some-lb-failing", "shop-every-lb-failing", "shop-lbs-failing-half"}
    [warning] = [w for w in first.warnings if "lbs-failing" in w.message]
    assert str(warning) == (
        f"{shop / 'alarms/shop.yaml'}:12: warning: composite 'lbs-failing' is not planned: "
        "count(ALARM(lb-5xx)) >= 2 can never be reached: alarm rule 'lb-5xx' has 1 alarm"
    )
    assert apply(ctx, first).ok

    elb = aws.client("elbv2")
    [balancer] = elb.describe_load_balancers(Names=["api"])["LoadBalancers"]
    assert balancer["LoadBalancerArn"].endswith(arn)
    elb.delete_load_balancer(LoadBalancerArn=balancer["LoadBalancerArn"])
    emptied = plan(context(aws, shop))
    deleted = {c.key for c in emptied.changes if c.action is Action.DELETE}
    assert deleted == {
        "shop-lb-5xx-api",
        "shop-some-lb-failing",
        "shop-every-lb-failing",
        "shop-lbs-failing-half",
    }
    messages = [w.message for w in emptied.warnings]
    assert (
        "composite 'some-lb-failing' is not planned: ALARM(any lb-5xx) has no alarm to "
        "aggregate: alarm rule 'lb-5xx' matches no resource"
    ) in messages
    assert apply(context(aws, shop), emptied).ok
    assert _composites(aws) == {}
    assert plan(context(aws, shop)).is_empty


OVER_AN_UNPLANNED = """\
alarms:
  - name: lb-5xx
    severity: warning
    for_each: {resource: "elasticloadbalancing:loadbalancer", tags: {Team: payments}}
    namespace: AWS/ApplicationELB
    metric: HTTPCode_ELB_5XX_Count
    dimensions: {LoadBalancer: "{attr:dimension}"}
    statistic: Sum
    condition: "> 50"
  - name: cpu
    severity: warning
    namespace: AWS/EC2
    metric: CPUUtilization
    statistic: Average
    condition: "> 90"

composites:
  - name: outer
    severity: critical
    rule: ALARM(lbs-failing) OR ALARM(cpu)
  - name: lbs-failing
    severity: critical
    rule: count(ALARM(lb-5xx)) >= 2
"""


def test_a_composite_using_one_left_out_is_left_out_too(
    aws: SessionFactory, tmp_path: Path, load_balancer: Any
) -> None:
    load_balancer("api", {"Team": "payments"})
    shop = _shop(tmp_path, OVER_AN_UNPLANNED)
    ctx = context(aws, shop)
    first = plan(ctx)

    assert not [c for c in first.changes if c.kind == "composite alarm"]
    warnings = {str(w) for w in first.warnings if "composite" in w.message}
    where = shop / "alarms/shop.yaml"
    assert warnings == {
        f"{where}:18: warning: composite 'outer' is not planned: it uses composite "
        "'lbs-failing', which is not planned",
        f"{where}:21: warning: composite 'lbs-failing' is not planned: "
        "count(ALARM(lb-5xx)) >= 2 can never be reached: alarm rule 'lb-5xx' has 1 alarm",
    }
    report = apply(ctx, first)
    assert report.ok
    assert _composites(aws) == {}
    assert plan(context(aws, shop)).is_empty


LONG_NAMES = """\
alarms:
  - name: node-down
    severity: warning
    aws_name: "shop-a-node-of-the-storage-cluster-serving-checkout-and-the-carts-is-down-{id}"
    for_each: {resource: "ec2:instance", tags: {Role: storage}}
    namespace: AWS/EC2
    metric: StatusCheckFailed
    dimensions: {InstanceId: "{id}"}
    statistic: Maximum
    condition: "> 0"

composites:
  - name: storage-down
    severity: critical
    rule: ALARM(all node-down)
"""


def test_an_expanded_rule_over_the_length_limit_is_refused_at_plan_time(
    aws: SessionFactory, tmp_path: Path
) -> None:
    ec2 = aws.client("ec2")
    image = ec2.describe_images()["Images"][0]["ImageId"]
    ec2.run_instances(
        ImageId=image,
        MinCount=99,
        MaxCount=99,
        TagSpecifications=[
            {"ResourceType": "instance", "Tags": [{"Key": "Role", "Value": "storage"}]}
        ],
    )
    shop = _shop(tmp_path, LONG_NAMES)
    with pytest.raises(ConfigError) as caught:
        plan(context(aws, shop))
    [problem] = [str(p) for p in caught.value.problems if "AlarmRule" in str(p)]
    assert problem.startswith(f"{shop / 'alarms/shop.yaml'}:13:")
    refused = "composite alarm 'shop-storage-down': AWS would refuse PutCompositeAlarm AlarmRule"
    assert refused in problem
    assert "at most 10240 allowed" in problem
    assert aws.client("cloudwatch").describe_alarms()["MetricAlarms"] == []


OVER_COMPOSITES = """\
alarms:
  - name: lb-5xx
    severity: warning
    for_each: &balancers {resource: "elasticloadbalancing:loadbalancer", tags: {Team: payments}}
    namespace: AWS/ApplicationELB
    metric: HTTPCode_ELB_5XX_Count
    dimensions: {LoadBalancer: "{attr:dimension}"}
    statistic: Sum
    condition: "> 50"

composites:
  - name: all-down
    severity: critical
    rule: count(ALARM(lb-down)) >= 2
  - name: lb-down
    severity: warning
    for_each: *balancers
    rule: ALARM(lb-5xx)
"""


def test_an_aggregate_over_templated_composites_goes_after_them_and_is_deleted_before(
    aws: SessionFactory, tmp_path: Path, load_balancer: Any
) -> None:
    load_balancer("api", {"Team": "payments"})
    load_balancer("web", {"Team": "payments"})
    shop = _shop(tmp_path, OVER_COMPOSITES)
    ctx = context(aws, shop)
    order: list[str] = []
    assert apply(ctx, plan(ctx), on_result=lambda r: order.append(r.change.key)).ok
    assert order.index("shop-lb-down-api") < order.index("shop-all-down")
    assert order.index("shop-lb-down-web") < order.index("shop-all-down")
    assert _composites(aws)["shop-all-down"]["AlarmRule"] == (
        'AT_LEAST(2, ALARM, ("shop-lb-down-api", "shop-lb-down-web"))'
    )

    shop = write_config(shop, {"alarms/shop.yaml": OVER_COMPOSITES.split("composites:")[0]})
    order.clear()
    removal = plan(context(aws, shop))
    assert apply(context(aws, shop), removal, on_result=lambda r: order.append(r.change.key)).ok
    assert order.index("shop-all-down") < order.index("shop-lb-down-api")
    assert _composites(aws) == {}
