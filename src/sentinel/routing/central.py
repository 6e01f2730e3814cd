"""One router queue for a project of several accounts: every account's topics feed it.

A project whose ``accounts:`` give roles works in every (account, region). With ``router:``
enabled it has ONE queue, ``<project>-router``, in the central account (``router.account``, by
default the first account) and the project's first region. There the router-queue kind manages
the queue, a queue policy that lets the severity topics of every listed account and region send,
and the SQS subscriptions of those topics: AWS has the queue's owner subscribe to a topic of
another account (from the topic's region), which the topic's policy allows the central account
(``subscribe_statement``); a subscription made from the topic's side would wait for a
confirmation. No other (account, region) makes a queue.

A project of one account (no roles) keeps its queue where it works, as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from sentinel.aws.places import fans_out
from sentinel.aws.regions import partition_of
from sentinel.aws.session import AccountTarget
from sentinel.config.models.project import role_arn
from sentinel.naming import severity_topic
from sentinel.routing import queue_name, router_enabled

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory
    from sentinel.config import Config
    from sentinel.config.models.project import Project
    from sentinel.routing.alert import Alert

SUBSCRIBE_SID = "SentinelRouterSubscribe"


@dataclass(frozen=True)
class CentralQueue:
    """Where the one queue of a project of several accounts is."""

    account_id: str
    account_name: str
    region: str
    partition: str

    def queue_arn(self, project: str) -> str:
        return f"arn:{self.partition}:sqs:{self.region}:{self.account_id}:{queue_name(project)}"


def central_queue(config: Config) -> CentralQueue | None:
    """The central queue of a project of several accounts with a router; None otherwise."""
    project = config.project
    routing = config.routing
    if not fans_out(project) or not router_enabled(routing) or not project.accounts:
        return None
    assert routing is not None and routing.router is not None
    wanted = routing.router.account
    account = next((a for a in project.accounts if wanted in (a.id, a.name)), project.accounts[0])
    region = project.regions[0]
    return CentralQueue(account.id, account.name, region, partition_of(region))


def feeding_topics(config: Config) -> list[str]:
    """ARNs of the severity topics of every listed (account, region): those that feed the
    central queue, sorted."""
    routing = config.routing
    if routing is None:
        return []
    partition = partition_of(config.project.regions[0])
    names = sorted({severity_topic(config, severity) for severity in routing.severities})
    return sorted(
        f"arn:{partition}:sns:{region}:{account.id}:{name}"
        for account in config.project.accounts
        for region in config.project.regions
        for name in names
    )


def subscribe_statement(config: Config, topic_arn: str, account_id: str) -> dict[str, Any] | None:
    """The topic policy statement letting the central account subscribe its queue (and only
    it, over SQS) to ``topic_arn`` of ``account_id``; None in the central account itself or
    when the project has no central queue."""
    central = central_queue(config)
    if central is None or central.account_id == account_id:
        return None
    return {
        "Sid": SUBSCRIBE_SID,
        "Effect": "Allow",
        "Principal": {"AWS": f"arn:{central.partition}:iam::{central.account_id}:root"},
        "Action": "SNS:Subscribe",
        "Resource": topic_arn,
        "Condition": {
            "StringEquals": {
                "sns:Protocol": "sqs",
                "sns:Endpoint": central.queue_arn(config.name),
            }
        },
    }


def account_names(project: Project) -> dict[str, str]:
    """Account id -> its name in sentinel.yaml, for a project of several accounts (empty for
    one of one account: its messages read as they always did)."""
    if not fans_out(project):
        return {}
    return {account.id: account.name for account in project.accounts}


def named_account(alert: Alert, names: Mapping[str, str]) -> Alert:
    """``alert`` with its account's name from sentinel.yaml, when ``names`` has it."""
    name = names.get(alert.account or "")
    return replace(alert, account_name=name) if name else alert


def router_factory(config: Config, factory: SessionFactory) -> SessionFactory | None:
    """Clients in the central queue's account (through its role) and region; None for a
    project without a central queue."""
    central = central_queue(config)
    if central is None:
        return None
    account = next(a for a in config.project.accounts if a.id == central.account_id)
    arn = role_arn(account.role, account.id, central.partition) if account.role else None
    bound = factory.for_account(AccountTarget(account_id=account.id, role_arn=arn))
    bound.region = central.region
    return bound
