"""What an account holds, read in pages as plan reads it: the estate an import starts from.

DescribeAlarms 100 a page (metric and composite alarms apart), ListDashboards then one
GetDashboard each, DescribeBudgets with each budget's notifications and their subscribers,
ListTopics with each topic's attributes and ListSubscriptionsByTopic; every list follows its
pages to the end. Tags are read only for ``--tag``, through the Resource Groups Tagging API,
100 ARNs a request (budgets, which that API does not answer for, one ListTagsForResource each).

What another Sentinel project already manages (its ``sentinel:project`` tag) is left out and
named: one GetResources listing of the tagged alarms and topics (a page per 100 of them, not a
request per resource), one ListTagsForResource per dashboard and budget.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sentinel.aws.regions import partition_of
from sentinel.aws.tagging import tags_of
from sentinel.naming import PROJECT_TAG, prefix
from sentinel.sync.alarms import PAGE_SIZE, alarm_pages
from sentinel.sync.budgets import BudgetDocument, read_notifications
from sentinel.sync.topics import topic_name_of

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory

KINDS = ("alarms", "composites", "dashboards", "topics", "subscriptions", "budgets")
Progress = Callable[[str, int], None]
"""Called as resources are read: (what is being read, how many so far)."""


@dataclass(frozen=True)
class Selection:
    """What to import: some kinds, names starting with a prefix, resources with one tag."""

    kinds: frozenset[str] = frozenset(KINDS)
    prefix: str = ""
    tag: tuple[str, str] | None = None


@dataclass
class Estate:
    region: str
    account: str
    partition: str
    metric_alarms: list[dict[str, Any]] = field(default_factory=list)
    composite_alarms: list[dict[str, Any]] = field(default_factory=list)
    dashboards: dict[str, str] = field(default_factory=dict)
    """Dashboard name -> its body (JSON text)."""
    budgets: list[BudgetDocument] = field(default_factory=list)
    topics: dict[str, dict[str, str]] = field(default_factory=dict)
    """Topic ARN -> its attributes."""
    subscriptions: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    """Topic ARN -> its subscriptions."""
    managed: list[tuple[str, str, str]] = field(default_factory=list)
    """(kind, name, project) of what another Sentinel project manages: left out."""
    owned: set[tuple[str, str]] = field(default_factory=set)
    """(kind, name) of what this project's tag marks: a plan deletes it if the config does not
    write it."""

    def arn(self, service: str, resource: str, regional: bool = True) -> str:
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account}:{resource}"


def read_estate(
    factory: SessionFactory,
    region: str,
    selection: Selection,
    progress: Progress | None = None,
    project: str | None = None,
    budgets_here: bool = True,
) -> Estate:
    """Every resource of the selection, in pages; nothing is written. ``budgets_here``: the
    account's budgets are planned in this region (its first)."""
    report = progress or (lambda what, count: None)
    cloudwatch = factory.client("cloudwatch", region=region)
    estate = Estate(region, factory.caller_account(), partition_of(region))
    kinds = selection.kinds
    if "alarms" in kinds:
        estate.metric_alarms = list(
            _counted(describe_alarms(cloudwatch, "MetricAlarm", selection.prefix), "alarms", report)
        )
    if "composites" in kinds:
        estate.composite_alarms = list(
            _counted(
                describe_alarms(cloudwatch, "CompositeAlarm", selection.prefix),
                "composite alarms",
                report,
            )
        )
    if "dashboards" in kinds:
        estate.dashboards = read_dashboards(cloudwatch, selection.prefix, report)
    if kinds & {"topics", "subscriptions"}:
        sns = factory.client("sns", region=region)
        estate.topics = read_topics(sns, selection.prefix)
        if "subscriptions" in kinds:
            estate.subscriptions = read_subscriptions(sns, list(estate.topics))
    if "budgets" in kinds:
        estate.budgets = read_budgets(factory.client("budgets", region=region), estate.account)
        estate.budgets = [
            b for b in estate.budgets if b.budget["BudgetName"].startswith(selection.prefix)
        ]
    narrowed = bool(selection.prefix) or not {"alarms", "composites"} <= kinds
    _drop_managed(factory, region, estate, project, list_owners=narrowed)
    if project is not None:
        _owned_unread(factory, region, estate, project, selection, budgets_here)
    if selection.tag is not None:
        _keep_tagged(factory, region, estate, selection.tag)
    return estate


# The Tagging API's resource types of the alarms and topics an import reads.
_TAGGED_TYPES = ["cloudwatch:alarm", "sns:topic"]


def _drop_managed(
    factory: SessionFactory,
    region: str,
    estate: Estate,
    project: str | None,
    list_owners: bool = False,
) -> None:
    """Leave out what a Sentinel project other than ``project`` owns, naming it; note what
    ``project`` owns."""
    tagging = factory.client("resourcegroupstaggingapi", region=region)
    owners: dict[str, str] = {}
    # Listed when something tagged was read, or when the selection may have left some of the
    # project's alarms unread.
    if estate.metric_alarms or estate.composite_alarms or estate.topics or list_owners:
        paginator = tagging.get_paginator("get_resources")
        for page in paginator.paginate(
            TagFilters=[{"Key": PROJECT_TAG}], ResourceTypeFilters=_TAGGED_TYPES
        ):
            for mapping in page.get("ResourceTagMappingList", []):
                tags = {t["Key"]: t["Value"] for t in mapping.get("Tags", [])}
                if tags.get(PROJECT_TAG):
                    owners[mapping["ResourceARN"]] = tags[PROJECT_TAG]
    cloudwatch = factory.client("cloudwatch", region=region)
    for name in estate.dashboards:
        owner = _dashboard_owner(cloudwatch, estate, name)
        if owner:
            owners[estate.arn("cloudwatch", f"dashboard/{name}", regional=False)] = owner
    if estate.budgets:
        budgets = factory.client("budgets", region=region)
        for document in estate.budgets:
            name = document.budget["BudgetName"]
            owner = _budget_owner(budgets, estate, name)
            if owner:
                owners[estate.arn("budgets", f"budget/{name}", regional=False)] = owner

    def other(arn: str) -> str | None:
        owner = owners.get(arn)
        return owner if owner and owner != project else None

    def keep(kind: str, name: str, arn: str) -> bool:
        owner = other(arn)
        if owner:
            estate.managed.append((kind, name, owner))
        elif project is not None and owners.get(arn) == project:
            estate.owned.add((kind, name))
        return owner is None

    read = {a["AlarmArn"] for a in estate.metric_alarms + estate.composite_alarms}
    for arn, owner in owners.items():
        # The project's alarms that --prefix or --kinds left unread: no config written here
        # names them.
        if owner == project and arn not in read and ":alarm:" in arn:
            estate.owned.add(("alarm", arn.split(":alarm:", 1)[1]))
    estate.metric_alarms = [
        a for a in estate.metric_alarms if keep("alarm", a["AlarmName"], a["AlarmArn"])
    ]
    estate.composite_alarms = [
        a for a in estate.composite_alarms if keep("composite alarm", a["AlarmName"], a["AlarmArn"])
    ]
    estate.dashboards = {
        name: body
        for name, body in estate.dashboards.items()
        if keep("dashboard", name, estate.arn("cloudwatch", f"dashboard/{name}", regional=False))
    }
    estate.topics = {
        arn: attributes
        for arn, attributes in estate.topics.items()
        if keep("topic", topic_name_of(arn), arn)
    }
    estate.subscriptions = {t: s for t, s in estate.subscriptions.items() if t in estate.topics}
    estate.budgets = [
        document
        for document in estate.budgets
        if keep(
            "budget",
            document.budget["BudgetName"],
            estate.arn("budgets", f"budget/{document.budget['BudgetName']}", regional=False),
        )
    ]


def _owned_unread(
    factory: SessionFactory,
    region: str,
    estate: Estate,
    project: str,
    selection: Selection,
    budgets_here: bool,
) -> None:
    """Note the project's dashboards and budgets that ``--kinds`` or ``--prefix`` left unread
    (no config written here names them, so a plan of it deletes them): those named with the
    project's prefix, each tag read (the Tagging API lists neither)."""
    own = prefix(project)
    covered = own.startswith(selection.prefix)  # every name of the project's prefix was read
    if not (covered and "dashboards" in selection.kinds):
        cloudwatch = factory.client("cloudwatch", region=region)
        for page in cloudwatch.get_paginator("list_dashboards").paginate(DashboardNamePrefix=own):
            for entry in page.get("DashboardEntries", []):
                name = entry["DashboardName"]
                unread = name not in estate.dashboards
                if unread and _dashboard_owner(cloudwatch, estate, name) == project:
                    estate.owned.add(("dashboard", name))
    if budgets_here and not (covered and "budgets" in selection.kinds):
        budgets = factory.client("budgets", region=region)
        read = {document.budget["BudgetName"] for document in estate.budgets}
        pages = budgets.get_paginator("describe_budgets").paginate(AccountId=estate.account)
        for page in pages:
            for budget in page.get("Budgets", []):
                name = budget["BudgetName"]
                unread = name.startswith(own) and name not in read
                if unread and _budget_owner(budgets, estate, name) == project:
                    estate.owned.add(("budget", name))


def _dashboard_owner(cloudwatch: Any, estate: Estate, name: str) -> str | None:
    """The Sentinel project a dashboard's tag names (None: none, or it is gone)."""
    arn = estate.arn("cloudwatch", f"dashboard/{name}", regional=False)
    gone = cloudwatch.exceptions.ResourceNotFoundException
    return _owner_of(
        lambda: cloudwatch.list_tags_for_resource(ResourceARN=arn).get("Tags", []), gone
    )


def _budget_owner(budgets: Any, estate: Estate, name: str) -> str | None:
    """The Sentinel project a budget's tag names (None: none, or it is gone)."""
    arn = estate.arn("budgets", f"budget/{name}", regional=False)
    gone = budgets.exceptions.NotFoundException
    return _owner_of(
        lambda: budgets.list_tags_for_resource(ResourceARN=arn).get("ResourceTags", []), gone
    )


def _owner_of(tags: Callable[[], list[dict[str, str]]], gone: type[Exception]) -> str | None:
    try:
        listed = tags()
    except gone:
        return None
    return {t["Key"]: t["Value"] for t in listed}.get(PROJECT_TAG)


def _counted(items: Iterator[dict[str, Any]], what: str, report: Progress) -> Iterator[Any]:
    count = 0
    for item in items:
        count += 1
        if count % PAGE_SIZE == 0:
            report(what, count)
        yield item
    report(what, count)


def describe_alarms(cloudwatch: Any, alarm_type: str, prefix: str) -> Iterator[dict[str, Any]]:
    """Alarms of one type (those starting with ``prefix`` when given), every page."""
    return alarm_pages(cloudwatch, alarm_type, {"AlarmNamePrefix": prefix} if prefix else {})


def read_dashboards(cloudwatch: Any, prefix: str, report: Progress) -> dict[str, str]:
    bodies: dict[str, str] = {}
    request = {"DashboardNamePrefix": prefix} if prefix else {}
    for page in cloudwatch.get_paginator("list_dashboards").paginate(**request):
        for entry in page.get("DashboardEntries", []):
            name = entry["DashboardName"]
            try:
                found = cloudwatch.get_dashboard(DashboardName=name)
            except cloudwatch.exceptions.ResourceNotFound:
                continue  # deleted between the listing and the read
            bodies[name] = found.get("DashboardBody") or "{}"
            report("dashboards", len(bodies))
    return bodies


def read_topics(sns: Any, prefix: str) -> dict[str, dict[str, str]]:
    topics: dict[str, dict[str, str]] = {}
    for page in sns.get_paginator("list_topics").paginate():
        for topic in page.get("Topics", []):
            arn = topic["TopicArn"]
            if topic_name_of(arn).startswith(prefix):
                topics[arn] = sns.get_topic_attributes(TopicArn=arn).get("Attributes", {})
    return dict(sorted(topics.items()))


def read_subscriptions(sns: Any, topic_arns: list[str]) -> dict[str, list[dict[str, Any]]]:
    paginator = sns.get_paginator("list_subscriptions_by_topic")
    return {
        arn: [s for page in paginator.paginate(TopicArn=arn) for s in page.get("Subscriptions", [])]
        for arn in topic_arns
    }


def read_budgets(client: Any, account: str) -> list[BudgetDocument]:
    documents = []
    for page in client.get_paginator("describe_budgets").paginate(AccountId=account):
        for budget in page.get("Budgets", []):
            document = BudgetDocument(budget)
            read_notifications(client, account, document)
            documents.append(document)
    return documents


def _keep_tagged(
    factory: SessionFactory, region: str, estate: Estate, tag: tuple[str, str]
) -> None:
    """Drop every resource without the tag ``key=value``."""
    key, value = tag
    tagging = factory.client("resourcegroupstaggingapi", region=region)
    dashboard_arns = {
        name: estate.arn("cloudwatch", f"dashboard/{name}", regional=False)
        for name in estate.dashboards
    }
    arns = [a["AlarmArn"] for a in estate.metric_alarms + estate.composite_alarms]
    arns += list(dashboard_arns.values()) + list(estate.topics)
    tags = tags_of(tagging, arns)

    def tagged(arn: str) -> bool:
        return tags.get(arn, {}).get(key) == value

    estate.metric_alarms = [a for a in estate.metric_alarms if tagged(a["AlarmArn"])]
    estate.composite_alarms = [a for a in estate.composite_alarms if tagged(a["AlarmArn"])]
    estate.dashboards = {n: b for n, b in estate.dashboards.items() if tagged(dashboard_arns[n])}
    estate.topics = {arn: attrs for arn, attrs in estate.topics.items() if tagged(arn)}
    estate.subscriptions = {t: s for t, s in estate.subscriptions.items() if t in estate.topics}
    budgets = factory.client("budgets", region=region)
    kept = []
    for document in estate.budgets:
        arn = estate.arn("budgets", f"budget/{document.budget['BudgetName']}", regional=False)
        found = budgets.list_tags_for_resource(ResourceARN=arn).get("ResourceTags", [])
        if {t["Key"]: t["Value"] for t in found}.get(key) == value:
            kept.append(document)
    estate.budgets = kept
