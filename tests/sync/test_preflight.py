"""Every request of a config, built and checked before apply: validate, plan and the emulator."""

from __future__ import annotations

import itertools
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from sentinel.aws.session import SessionFactory
from sentinel.cli import main
from sentinel.config import load_config
from sentinel.errors import ConfigError
from sentinel.sync import preflight
from sentinel.sync.engine import plan

from .shop import ALARMS, PROJECT, ROUTING, context, shop_files, write_config

REPOSITORY = Path(__file__).parents[2]
CONFIGURATIONS = ["."] + [f"examples/{name}" for name in ("calculator", "ips", "caja", "chat")]
WRITES = {
    ("cloudwatch", "PutMetricAlarm"),
    ("cloudwatch", "PutCompositeAlarm"),
    ("cloudwatch", "PutDashboard"),
    ("cloudwatch", "TagResource"),
    ("sns", "CreateTopic"),
    ("sns", "SetTopicAttributes"),
    ("sns", "TagResource"),
    ("budgets", "CreateBudget"),
    ("budgets", "UpdateBudget"),
    ("budgets", "CreateNotification"),
    ("budgets", "TagResource"),
    ("budgets", "CreateSubscriber"),
    ("budgets", "DeleteSubscriber"),
}


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> Counter[tuple[str, str]]:
    """Counts the requests the checks see, by service and operation."""
    seen: Counter[tuple[str, str]] = Counter()
    original = preflight.check_request

    def counting(service: str, operation: str, params: dict[str, Any]) -> list[Any]:
        seen[(service, operation)] += 1
        return original(service, operation, params)

    monkeypatch.setattr(preflight, "check_request", counting)
    return seen


@pytest.mark.parametrize("where", CONFIGURATIONS)
def test_every_request_of_the_five_configurations_passes_the_checks(
    where: str, checked: Counter[tuple[str, str]]
) -> None:
    config = load_config(REPOSITORY / where)

    assert preflight.check_config(config) == []
    assert {("cloudwatch", "PutMetricAlarm"), ("sns", "CreateTopic")} <= set(checked)
    assert sum(checked.values()) > 40


def test_the_five_configurations_send_every_kind_of_write(
    checked: Counter[tuple[str, str]],
) -> None:
    for where in CONFIGURATIONS:
        assert preflight.check_config(load_config(REPOSITORY / where)) == []

    assert set(checked) >= WRITES
    assert ("sns", "Subscribe") in checked and ("sqs", "CreateQueue") in checked


def _problems(tmp_path: Path, overrides: dict[str, str]) -> list[str]:
    root = write_config(tmp_path / "cfg", shop_files(overrides))
    try:
        config = load_config(root)
    except ConfigError as exc:
        return [str(p) for p in exc.problems]
    return [str(p) for p in preflight.check_config(config)]


def test_the_shop_is_valid(tmp_path: Path) -> None:
    assert _problems(tmp_path, {}) == []


BUDGET = """\
budgets:
  - name: {name}
    amount: {amount}
    alerts: [80%]
    notify: [finance@shop.example.com]
"""


def test_a_budget_in_a_currency_aws_budgets_refuses_is_an_error_at_its_name(
    tmp_path: Path,
) -> None:
    problems = _problems(
        tmp_path, {"budgets/budgets.yaml": BUDGET.format(name="monthly", amount="500 EUR")}
    )

    assert len(problems) == 1
    assert problems[0].startswith(str(tmp_path / "cfg" / "budgets" / "budgets.yaml") + ":2:")
    assert "CreateBudget Budget.BudgetLimit.Unit" in problems[0]
    assert "USD only" in problems[0]


def test_the_ownership_tag_cannot_be_set_anywhere(tmp_path: Path) -> None:
    project = PROJECT.replace("Team: payments", "Team: payments, sentinel:project: other")
    alarms = ALARMS.replace("tags: {Service: api}", "tags: {Service: api, sentinel:project: x}")
    tagging = """\
    tagging:
      required:
        - key: sentinel:managed-by
          default: terraform
    """

    problems = _problems(
        tmp_path,
        {"sentinel.yaml": project, "alarms/shop.yaml": alarms, "budgets/tagging.yaml": tagging},
    )

    assert len(problems) == 3, problems
    assert all("ownership tag" in p and "cannot be set or overridden" in p for p in problems)
    assert any("sentinel.yaml:3:" in p for p in problems)
    assert any("shop.yaml:" in p and "alarm 'api-errors'" in p for p in problems)


def test_tags_aws_refuses_are_errors_at_their_keys(tmp_path: Path) -> None:
    project = PROJECT.replace("Team: payments", f"'aws:team': payments, Owner: '{'x' * 257}'")

    problems = _problems(tmp_path, {"sentinel.yaml": project})

    assert len(problems) == 2, problems
    assert any("prefix is reserved for AWS" in p for p in problems)
    assert any("at most 256" in p for p in problems)


def test_fifty_tags_with_the_ownership_tags_is_one_too_many(tmp_path: Path) -> None:
    # 47 project tags, 2 ownership tags and the rule's own Service tag: 50 on api-errors.
    tags = ", ".join(f"t{i}: v" for i in range(47))
    ok = _problems(
        tmp_path, {"sentinel.yaml": PROJECT.replace("Team: payments, CostCenter: cc-42", tags)}
    )
    tags = ", ".join(f"t{i}: v" for i in range(48))

    over = _problems(
        tmp_path, {"sentinel.yaml": PROJECT.replace("Team: payments, CostCenter: cc-42", tags)}
    )

    assert ok == []
    assert len(over) == 1
    assert "alarm 'shop-api-errors': AWS would refuse PutMetricAlarm Tags: has 51 tags" in over[0]


def test_dashboards_that_become_one_aws_name_are_an_error_naming_both(tmp_path: Path) -> None:
    dashboards = """\
    dashboards:
      - name: api.v1
        rows: [{widgets: [{type: text, markdown: one}]}]
      - name: api-v1
        rows: [{widgets: [{type: text, markdown: two}]}]
    """

    problems = _problems(tmp_path, {"dashboards/api.yaml": dashboards})

    assert len(problems) == 1
    assert "dashboard 'api-v1' and dashboard 'api.v1'" in problems[0]
    assert "api.yaml:2" in problems[0] and problems[0].split(":")[1] == "4"


def test_severities_that_become_one_topic_are_an_error(tmp_path: Path) -> None:
    routing = ROUTING + "  warning.low:\n    notify: [{email: a@shop.example.com}]\n"
    routing += "  warning-low:\n    notify: [{email: b@shop.example.com}]\n"

    problems = _problems(tmp_path, {"alarms/routing.yaml": routing})

    assert any(
        "severity 'warning-low' and severity 'warning.low' are both SNS topic" in p
        for p in problems
    ), problems


def test_severities_sharing_a_topic_on_purpose_are_fine(tmp_path: Path) -> None:
    routing = ROUTING.replace("  warning:\n", "  warning:\n    topic: alerts\n")
    routing += "  info:\n    topic: alerts\n    notify: [{email: a@shop.example.com}]\n"

    assert _problems(tmp_path, {"alarms/routing.yaml": routing}) == []


def test_a_composite_and_a_template_instance_of_one_alarm_name_are_caught(
    tmp_path: Path,
) -> None:
    # Different config names, one AWS alarm name once the template expands at validate.
    template = """\
alarms:
  - name: depth
    severity: warning
    for_each: {resource: "sqs:queue"}
    namespace: AWS/SQS
    metric: ApproximateNumberOfMessagesVisible
    dimensions: {QueueName: "{id}"}
    condition: "> 100"
"""
    alarms = ALARMS.replace(
        "  - name: api-down\n", "  - name: depth-orders-production-events-queue\n"
    )

    problems = _problems(tmp_path, {"alarms/shop.yaml": alarms, "alarms/queues.yaml": template})

    assert len(problems) == 1, problems
    assert (
        "CloudWatch alarm name 'shop-depth-orders-production-events-queue' is made twice"
        in (problems[0])
    )
    assert "queues.yaml:2" in problems[0] and "shop.yaml:" in problems[0]


def test_an_alarm_in_more_composite_rules_than_aws_allows_is_caught(tmp_path: Path) -> None:
    # "Any single alarm can be included in the rule expressions of as many as 150 composite
    # alarms" (PutCompositeAlarm): the 151st and 152nd are named, nothing before them.
    composites = "".join(
        f"  - name: watch-{i}\n    severity: critical\n"
        "    rule: ALARM(api-errors) AND ALARM(api-errors)\n"
        for i in range(151)  # and the shop's api-down
    )
    alarms = ALARMS + composites

    problems = _problems(tmp_path, {"alarms/shop.yaml": alarms})

    assert len(problems) == 2, problems
    for problem, composites_named in zip(problems, (151, 152), strict=True):
        assert f"alarm 'shop-api-errors' would be in the rules of {composites_named} composite" in (
            problem
        )
        assert "AWS allows at most 150" in problem
    assert all("shop.yaml:" in problem for problem in problems)


def _expression_rule(expression: str, metrics: int = 2, stat: str = "Sum") -> str:
    lines = ["alarms:", "  - name: ratio", "    severity: critical"]
    lines.append(f"    expression: {expression!r}")
    lines.append("    metrics:")
    for i in range(metrics):
        lines.append(f"      m{i}: {{namespace: AWS/X, metric: N{i}, stat: {stat!r}}}")
    lines.append('    condition: "> 1"')
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize(
    ("expression", "metrics", "stat", "words"),
    [
        ("m0 / m1", 2, "Sum", None),
        ("m0 / m2", 2, "Sum", "m2, which no query defines"),
        ("(m0 / m1", 2, "Sum", "unbalanced"),
        (" + ".join(f"m{i}" for i in range(10)), 10, "Sum", None),
        (" + ".join(f"m{i}" for i in range(11)), 11, "Sum", "uses 11 metrics; at most 10"),
        ("m0 / m1", 2, "TM(10%:90%)", None),
        ("m0 / m1", 2, "WM(5%:95%)", None),
        ("m0 / m1", 2, "PR(5%:10%)", "not percentages"),
    ],
)
def test_metric_math_rules(
    tmp_path: Path, expression: str, metrics: int, stat: str, words: str | None
) -> None:
    problems = _problems(
        tmp_path, {"alarms/math.yaml": _expression_rule(expression, metrics, stat)}
    )

    if words is None:
        assert problems == []
    else:
        assert problems and all(words in p for p in problems), problems
        assert "alarms/math.yaml:" in problems[0]


def _generated_rules() -> list[tuple[str, dict[str, str], str | None]]:
    """Rules and budgets made from combinations of edge values: each either valid or refused
    with the expected words."""
    cases: list[tuple[str, dict[str, str], str | None]] = []
    statistics = [
        ("p99.9", None),
        ("p100", None),
        ("IQM", None),
        ("TM(10%:90%)", None),
        ("TM(5%:90%)", "between 10 and 90"),
        ("tc90", None),
        ("PR(100:2000)", None),
    ]
    periods = [("1m", None), ("10s", None), ("1h", None)]
    descriptions = [("", None), ("d" * 2000, None)]
    for (stat, stat_words), (period, _), (description, _) in itertools.product(
        statistics, periods, descriptions
    ):
        rule = ["alarms:", "  - name: edge", "    severity: critical"]
        if description:
            rule.append(f"    description: {description}")
        rule += [
            "    namespace: AWS/X",
            "    metric: Latency",
            f"    statistic: {stat!r}",
            f"    period: {period}",
            '    condition: "> 1"',
        ]
        cases.append(
            (
                f"alarm-{stat}-{period}-{len(description)}",
                {"alarms/edge.yaml": "\n".join(rule) + "\n"},
                stat_words,
            )
        )
    for name_length, currency in itertools.product((90, 95), ("USD", "EUR", "GBP")):
        name = "b" * name_length
        words = None if currency == "USD" else "USD only"
        cases.append(
            (
                f"budget-{name_length}-{currency}",
                {"budgets/budgets.yaml": BUDGET.format(name=name, amount=f"10 {currency}")},
                words,
            )
        )
    for count in (46, 47, 48):
        tags = ", ".join(f"t{i}: v" for i in range(count))
        cases.append(
            (
                f"tags-{count}",
                {"sentinel.yaml": PROJECT.replace("Team: payments, CostCenter: cc-42", tags)},
                # The shop's api-errors rule adds one tag of its own.
                None if count + 3 <= 50 else "at most 50",
            )
        )
    return cases


GENERATED = _generated_rules()


@pytest.mark.parametrize(("case", "overrides", "words"), GENERATED, ids=[g[0] for g in GENERATED])
def test_generated_edge_cases(
    tmp_path: Path, case: str, overrides: dict[str, str], words: str | None
) -> None:
    problems = _problems(tmp_path, overrides)

    if words is None:
        assert problems == [], problems
    else:
        assert problems and all(words in p for p in problems), problems


def test_validate_touches_no_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    # An endpoint nobody listens on: any request would fail the command.
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")

    for where in CONFIGURATIONS:
        result = CliRunner().invoke(main, ["validate", "-C", str(REPOSITORY / where)])
        assert result.exit_code == 0, result.output


def test_validate_prints_request_problems_at_file_line_and_exits_1(tmp_path: Path) -> None:
    root = write_config(
        tmp_path / "cfg",
        shop_files({"budgets/budgets.yaml": BUDGET.format(name="monthly", amount="9 JPY")}),
    )

    result = CliRunner().invoke(main, ["validate", "-C", str(root)])

    assert result.exit_code == 1
    assert f"{root / 'budgets' / 'budgets.yaml'}:2:" in result.stderr
    assert "JPY" in result.stderr and "error: 1 error in configuration" in result.stderr


def _aws_state(aws: SessionFactory) -> dict[str, int]:
    cloudwatch, sns = aws.client("cloudwatch"), aws.client("sns")
    alarms = cloudwatch.describe_alarms(AlarmTypes=["MetricAlarm", "CompositeAlarm"])
    return {
        "alarms": len(alarms["MetricAlarms"]) + len(alarms["CompositeAlarms"]),
        "topics": len(sns.list_topics()["Topics"]),
        "dashboards": len(cloudwatch.list_dashboards()["DashboardEntries"]),
        "budgets": len(
            aws.client("budgets").describe_budgets(AccountId="123456789012").get("Budgets", [])
        ),
    }


def test_an_invalid_request_at_plan_time_writes_nothing(
    aws: SessionFactory, tmp_path: Path
) -> None:
    root = write_config(
        tmp_path / "cfg",
        shop_files({"budgets/budgets.yaml": BUDGET.format(name="monthly", amount="500 EUR")}),
    )

    with pytest.raises(ConfigError) as caught:
        plan(context(aws, root))

    assert any("USD only" in str(p) for p in caught.value.problems)
    assert _aws_state(aws) == {"alarms": 0, "topics": 0, "dashboards": 0, "budgets": 0}


def test_apply_of_an_invalid_config_exits_1_and_writes_nothing(
    aws: SessionFactory, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_config(
        tmp_path / "cfg",
        shop_files({"budgets/budgets.yaml": BUDGET.format(name="monthly", amount="500 EUR")}),
    )
    from sentinel.cli import options

    monkeypatch.setattr(options.Workspace, "factory", property(lambda self: aws))

    result = CliRunner().invoke(main, ["apply", "-C", str(root), "--auto-approve"])

    assert result.exit_code == 1, result.output
    assert "USD only" in result.stderr
    assert _aws_state(aws) == {"alarms": 0, "topics": 0, "dashboards": 0, "budgets": 0}


def test_a_for_each_whose_resources_share_an_id_is_an_error_at_plan(
    aws: SessionFactory, tmp_path: Path
) -> None:
    ecs = aws.client("ecs")
    for cluster in ("blue", "green"):
        ecs.create_cluster(clusterName=cluster)
        ecs.register_task_definition(
            family="api", containerDefinitions=[{"name": "api", "image": "api", "memory": 64}]
        )
        ecs.create_service(cluster=cluster, serviceName="api", taskDefinition="api", desiredCount=1)
    rule = """\
alarms:
  - name: cpu
    severity: warning
    for_each: {resource: "ecs:service"}
    namespace: AWS/ECS
    metric: CPUUtilization
    dimensions: {ClusterName: "{attr:cluster}", ServiceName: "{id}"}
    condition: "> 90"
"""
    root = write_config(tmp_path / "cfg", shop_files({"alarms/ecs.yaml": rule}))

    with pytest.raises(ConfigError) as caught:
        plan(context(aws, root))

    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 1, messages
    assert "CloudWatch alarm name 'shop-cpu-api' is made twice by the for_each at" in messages[0]
    assert _aws_state(aws)["alarms"] == 0


def test_a_static_rule_and_a_template_instance_of_one_name_are_an_error_at_plan(
    aws: SessionFactory, tmp_path: Path
) -> None:
    aws.client("sqs").create_queue(QueueName="orders")
    rules = """\
alarms:
  - name: depth
    severity: warning
    for_each: {resource: "sqs:queue"}
    namespace: AWS/SQS
    metric: ApproximateNumberOfMessagesVisible
    dimensions: {QueueName: "{id}"}
    condition: "> 100"
  - name: depth-orders
    severity: warning
    namespace: AWS/SQS
    metric: ApproximateNumberOfMessagesVisible
    dimensions: {QueueName: orders}
    condition: "> 10"
"""
    root = write_config(tmp_path / "cfg", shop_files({"alarms/sqs.yaml": rules}))

    with pytest.raises(ConfigError) as caught:
        plan(context(aws, root))

    messages = [str(p) for p in caught.value.problems]
    assert len(messages) == 1, messages
    assert "'shop-depth-orders' is made twice: by " in messages[0]
    assert "sqs.yaml:2 and by" in messages[0] and "sqs.yaml:9:" in messages[0]


def test_plan_refuses_dashboards_of_one_aws_name_too(aws: SessionFactory, tmp_path: Path) -> None:
    dashboards = """\
dashboards:
  - name: api.v1
    rows: [{widgets: [{type: text, markdown: one}]}]
  - name: api-v1
    rows: [{widgets: [{type: text, markdown: two}]}]
"""
    root = write_config(tmp_path / "cfg", shop_files({"dashboards/api.yaml": dashboards}))

    with pytest.raises(ConfigError) as caught:
        plan(context(aws, root))

    assert [
        "are both CloudWatch dashboard 'shop-api-v1'" in str(p) for p in caught.value.problems
    ] == [True]
    assert _aws_state(aws)["dashboards"] == 0


def test_a_no_change_plan_checks_no_request_and_a_change_checks_its_own(
    aws: SessionFactory, tmp_path: Path, checked: Counter[tuple[str, str]]
) -> None:
    from sentinel.sync.engine import apply

    root = write_config(tmp_path / "cfg", shop_files())
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok
    checked.clear()

    assert plan(context(aws, root)).is_empty
    assert checked == Counter()

    changed = shop_files({"alarms/shop.yaml": ALARMS.replace('"> 50"', '"> 70"', 1)})
    again = plan(context(aws, write_config(tmp_path / "changed", changed)))

    assert [(c.kind, c.action.value) for c in again.changes] == [("alarm", "update")]
    assert set(checked) == {("cloudwatch", "PutMetricAlarm"), ("cloudwatch", "TagResource")}


def test_an_update_aws_would_refuse_is_refused_at_plan_and_writes_nothing(
    aws: SessionFactory, tmp_path: Path
) -> None:
    from sentinel.sync.engine import apply

    usd = BUDGET.format(name="monthly", amount="500 USD")
    root = write_config(tmp_path / "cfg", shop_files({"budgets/budgets.yaml": usd}))
    ctx = context(aws, root)
    assert apply(ctx, plan(ctx)).ok
    eur = BUDGET.format(name="monthly", amount="500 EUR")
    changed = write_config(tmp_path / "eur", shop_files({"budgets/budgets.yaml": eur}))

    with pytest.raises(ConfigError) as caught:
        plan(context(aws, changed))

    assert any("USD only" in str(p) for p in caught.value.problems)
    budget = aws.client("budgets").describe_budgets(AccountId="123456789012")["Budgets"][0]
    assert budget["BudgetLimit"] == {"Amount": "500.0", "Unit": "USD"}
