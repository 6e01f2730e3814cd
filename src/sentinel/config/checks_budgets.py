"""Checks of a budget's type against what AWS Budgets takes for it.

Cost and usage budgets have an amount. Reservation (RI) and Savings Plans utilization and
coverage budgets are percentages: AWS's ``BudgetLimit`` for them can only be ``100`` in
``PERCENTAGE``, so they have a ``target`` (the alert: the figure falls below it) and no amount;
their alerts are actual percentages (AWS does not forecast them). An RI budget covers one
service, among those AWS reserves capacity for (the ``CostFilters`` documentation of
botocore's Budgets model); a Savings Plans budget covers every service a plan applies to, so it
takes no service filter. Tags and usage types do not filter these budgets.
"""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.models.budgets import Budget, BudgetsFile

# The Service filter values AWS Budgets takes for RI budgets.
RI_SERVICES = (
    "Amazon Elastic Compute Cloud - Compute",
    "Amazon Relational Database Service",
    "Amazon Redshift",
    "Amazon ElastiCache",
    "Amazon OpenSearch Service",
)
PERCENT_MAX = 100


def check_budgets(model: BudgetsFile, source: Source, build: Assembly) -> None:
    for b, budget in enumerate(model.budgets):
        if budget.is_commitment:
            _check_commitment(budget, source, build, b)
        else:
            _check_spend(budget, source, build, b)


def _check_spend(budget: Budget, source: Source, build: Assembly, b: int) -> None:
    owner = f"budget {budget.name!r}"
    if budget.amount is None:
        build.problem(source.where("budgets", b), f"{owner}: a {budget.type} budget needs `amount`")
    if budget.target is not None:
        build.problem(
            source.at_key("budgets", b, "target"),
            f"{owner}: `target` is for utilization and coverage budgets; a {budget.type} "
            "budget has `amount` and `alerts`",
        )


def _check_commitment(budget: Budget, source: Source, build: Assembly, b: int) -> None:
    owner = f"budget {budget.name!r} ({budget.type})"
    if budget.amount is not None:
        build.problem(
            source.at_key("budgets", b, "amount"),
            f"{owner}: a utilization or coverage budget has no amount (AWS tracks it against "
            "100%); set `target`, the percentage to stay above",
        )
    if budget.target is None and not budget.alerts:
        build.problem(
            source.where("budgets", b),
            f"{owner}: needs `target`, the percentage below which it alerts, like 80%",
        )
    elif budget.target is not None and not 0 < budget.target <= PERCENT_MAX:
        build.problem(
            source.where("budgets", b, "target"),
            f"{owner}: target {budget.target}% is not above 0% and at most 100%",
        )
    written = _written_keys(source, b)
    if budget.target is not None and "alerts" in written:
        build.problem(
            source.at_key("budgets", b, "target"),
            f"{owner}: has both `target` and `alerts`; set one (`target: 80%` is the alert "
            "`alerts: [80%]`)",
        )
    for a, alert in enumerate(budget.alerts if "alerts" in written else []):
        spot = source.where("budgets", b, "alerts", a)
        threshold = alert.threshold
        if threshold.kind != "PERCENTAGE" or not 0 < threshold.value <= PERCENT_MAX:
            build.problem(spot, f"{owner}: alert {threshold} is not a percentage up to 100%")
        if alert.type != "actual":
            build.problem(
                spot, f"{owner}: AWS Budgets alerts on actual utilization and coverage only"
            )
    filters = budget.filters
    services_at = (
        source.where("budgets", b, "filters", "services")
        if filters.services
        else source.where("budgets", b)
    )
    if budget.type.startswith("ri_"):
        if len(filters.services) != 1:
            build.problem(
                services_at,
                f"{owner}: an RI budget covers exactly one service (filters: services: [...]), "
                f"one of {', '.join(RI_SERVICES)}",
            )
        for s, service in enumerate(filters.services):
            if service not in RI_SERVICES:
                build.problem(
                    source.where("budgets", b, "filters", "services", s),
                    f"{owner}: AWS Budgets has no reservation budget for {service!r}; "
                    f"one of {', '.join(RI_SERVICES)}",
                )
    elif filters.services:
        build.problem(
            services_at,
            f"{owner}: a Savings Plans budget applies to every service the plans cover; it "
            "takes no services filter",
        )
    for key in ("tags", "usage_types"):
        if getattr(filters, key):
            build.problem(
                source.at_key("budgets", b, "filters", key),
                f"{owner}: utilization and coverage budgets are not filtered by {key}",
            )


def _written_keys(source: Source, b: int) -> set[str]:
    """The keys written for the ``b``-th budget (``alerts`` may come from ``target``)."""
    item = source.data["budgets"][b]
    return {str(key) for key in item} if isinstance(item, dict) else set()
