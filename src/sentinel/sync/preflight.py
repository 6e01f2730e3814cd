"""Every request apply would send, built and checked before anything is written.

Each kind builds its desired states and writes them, create and update, against a recording
context: its clients are stand-ins that answer each call with what the kinds read back (an
ARN, a queue URL) and record the request instead of sending it. Each request is then checked
against the installed botocore model (``sentinel.aws.request_model``) and AWS's documented
limits (``sentinel.aws.documented_limits``); problems come back as ``ConfigProblem`` at the
place in the config that made the request.

``check_config`` does this for ``sentinel validate`` without AWS: templates expand over one
sample resource per resource type they use (``data/sample_resources.yaml``) and the account is
a placeholder. ``check_plan`` does it at plan time on the real desired states that apply would
write, so that apply never fails half-way on a request AWS would refuse. Both report names
that collide after expansion: two states of one AWS name.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources
from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

import botocore.exceptions
import yaml
from botocore import xform_name
from pydantic import BaseModel

from sentinel.aws.documented_limits import check_documented, limit, rule_children
from sentinel.aws.regions import partition_of
from sentinel.aws.request_model import RequestProblem, check_request, service_model
from sentinel.config.references import placeholders
from sentinel.errors import ConfigProblem, SentinelError
from sentinel.gc_pause import gc_paused
from sentinel.inventory.resource import Resource, TagFilter
from sentinel.naming import dashboard_name_of, severity_topic
from sentinel.sync.context import SyncContext
from sentinel.sync.kinds import all_kinds
from sentinel.sync.model import State

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory
    from sentinel.config import Config
    from sentinel.config.models import ForEach
    from sentinel.inventory import Inventory
    from sentinel.sync.kind import Kind

PLACEHOLDER_ACCOUNT = "123456789012"
PLACEHOLDER_SECRET = "0123456789abcdef0123456789abcdef"
SAMPLES_FILE = "sample_resources.yaml"
# Kinds whose resources share one AWS namespace: a metric and a composite alarm of one name
# are the same alarm.
NAMESPACES = {
    "alarm": "CloudWatch alarm",
    "composite alarm": "CloudWatch alarm",
    "burn-rate alarm": "CloudWatch alarm",
    "dashboard": "CloudWatch dashboard",
    "topic": "SNS topic",
    "budget": "budget",
    "subscription": "SNS subscription",
    "router-queue": "SQS queue",
}


@dataclass(frozen=True)
class Request:
    service: str
    operation: str
    params: dict[str, Any]


@dataclass
class Recorder:
    """The requests made through the stand-in clients, and whether resources exist yet."""

    requests: list[Request] = field(default_factory=list)
    existing: bool = False


class RecordingClient:
    """A stand-in for a boto3 client: records each call and answers what the kinds read."""

    def __init__(self, service: str, ctx: RecordingContext) -> None:
        model = service_model(service)
        self._service = service
        self._ctx = ctx
        self._operations = _python_names(service)
        self.meta = SimpleNamespace(
            service_model=model, region_name=ctx.region, partition=ctx.partition
        )

    def __getattr__(self, name: str) -> Callable[..., dict[str, Any]]:
        operation = self._operations.get(name)
        if operation is None:
            raise AttributeError(name)
        return lambda **params: self._call(operation, params)

    def get_paginator(self, name: str) -> SimpleNamespace:
        operation = self._operations[name]
        return SimpleNamespace(paginate=lambda **params: iter([self._call(operation, params)]))

    def _call(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        self._ctx.recorder.requests.append(Request(self._service, operation, params))
        return _answer(self._ctx, self._service, operation, params)


@cache
def _python_names(service: str) -> dict[str, str]:
    return {xform_name(name): name for name in service_model(service).operation_names}


def _answer(
    ctx: RecordingContext, service: str, operation: str, params: Mapping[str, Any]
) -> dict[str, Any]:
    """What AWS would answer, as far as the kinds read it."""
    if operation == "GetCallerIdentity":
        return {"Account": ctx.account_id, "Arn": f"arn:{ctx.partition}:iam::{ctx.account_id}:root"}
    if operation == "CreateTopic":
        return {"TopicArn": ctx.arn("sns", str(params.get("Name")))}
    if operation == "Subscribe":
        return {"SubscriptionArn": f"{params.get('TopicArn')}:00000000-0000-0000-0000-000000000000"}
    if operation in ("CreateQueue", "GetQueueUrl"):
        if operation == "GetQueueUrl" and not ctx.recorder.existing:
            error = {"Error": {"Code": "AWS.SimpleQueueService.NonExistentQueue", "Message": ""}}
            raise botocore.exceptions.ClientError(cast(Any, error), operation)
        name = params.get("QueueName")
        return {"QueueUrl": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account_id}/{name}"}
    if operation == "CreateHealthCheck":
        return {"HealthCheck": {"Id": "00000000-0000-0000-0000-000000000000"}}
    if operation == "GetHealthCheck":
        return {"HealthCheck": {"HealthCheckVersion": 1}}
    if operation == "GetParameter":
        return {"Parameter": {"Value": PLACEHOLDER_SECRET}}
    if operation == "GetSecretValue":
        return {"SecretString": PLACEHOLDER_SECRET}
    return {}


class RecordingContext(SyncContext):
    """A SyncContext whose clients record instead of calling AWS."""

    def __init__(
        self,
        config: Config,
        region: str,
        account_id: str,
        partition: str,
        inventory: Inventory | SampleInventory,
        placeholder_secrets: bool,
    ) -> None:
        super().__init__(config=config, factory=cast("SessionFactory", None), region=region)
        # The base class caches these as properties read from AWS: here they are given.
        self.__dict__.update(account_id=account_id, partition=partition, inventory=inventory)
        self.recorder = Recorder()
        self._placeholder_secrets = placeholder_secrets
        self._clients: dict[str, RecordingClient] = {}

    def client(self, service: str) -> Any:
        if service not in self._clients:
            self._clients[service] = RecordingClient(service, self)
        return self._clients[service]

    def client_in(self, service: str, region: str) -> Any:
        # The requests are checked against the service model, the same in every region.
        return self.client(service)

    def secret(self, reference: str) -> str:
        if self._placeholder_secrets:
            return PLACEHOLDER_SECRET
        return super().secret(reference)


# --- sample inventory for validate ---------------------------------------------------------


@cache
def _samples() -> dict[str, dict[str, Any]]:
    text = resources.files("sentinel").joinpath("data", SAMPLES_FILE).read_text(encoding="utf-8")
    loaded: dict[str, dict[str, Any]] = yaml.safe_load(text)
    return loaded


class SampleInventory:
    """Stands in for the account's inventory: for each ``for_each`` of the config, one sample
    resource of its type that its tag filters and ``where`` select, with every tag and
    attribute the config's placeholders name."""

    def __init__(self, config: Config, region: str, account: str, partition: str) -> None:
        self.region = region
        self._by_type: dict[str, list[Resource]] = {}
        for_eaches, tag_keys, attribute_names = _template_parts(config)
        seen: set[tuple[str, tuple[tuple[str, str], ...], tuple[tuple[str, str], ...]]] = set()
        for fe in for_eaches:
            sample = _samples().get(fe.resource, {})
            tags = {key: "sample" for key in tag_keys}
            tags.update({key: values[0] for key, values in fe.tags.items() if values})
            attributes: dict[str, Any] = {name: f"sample-{name}" for name in attribute_names}
            attributes.update(sample.get("attributes") or {})
            attributes.update({key: values[0] for key, values in fe.where.items() if values})
            signature = (
                fe.resource,
                tuple(sorted(tags.items())),
                tuple(sorted((k, str(v)) for k, v in attributes.items())),
            )
            if signature in seen:
                continue
            seen.add(signature)
            listed = self._by_type.setdefault(fe.resource, [])
            base = str(sample.get("id") or f"sample-{fe.resource.split(':')[-1]}")
            # The id keeps its length; its end is numbered so that no two samples share it.
            taken = {resource.id for resource in listed}
            resource_id, number = base, len(listed)
            while resource_id in taken:
                suffix = str(number)
                resource_id, number = base[: len(base) - len(suffix)] + suffix, number + 1
            service, _, kind = fe.resource.partition(":")
            listed.append(
                Resource(
                    type=fe.resource,
                    id=resource_id,
                    arn=f"arn:{partition}:{service}:{region}:{account}:{kind}/{resource_id}",
                    region=region,
                    account=account,
                    tags=tags,
                    attributes=attributes,
                )
            )

    def discover(
        self, type: str, tags: TagFilter | None = None, region: str | None = None
    ) -> list[Resource]:
        return [r for r in self._by_type.get(type, []) if r.matches(tags)]


def _template_parts(config: Config) -> tuple[list[ForEach], set[str], set[str]]:
    """Every ``for_each`` of the config, and the tag keys and attributes placeholders use."""
    from sentinel.config.models import ForEach

    for_eaches: list[ForEach] = []
    tags: set[str] = set()
    attributes: set[str] = set()
    # Placeholders outside a template are refused when the config loads: only templated alarm
    # rules and composites can hold any, while dashboards and SLOs are few and walked whole.
    models: list[Any] = [
        [rule for rule in config.alarms if rule.for_each is not None],
        [composite for composite in config.composites if composite.for_each is not None],
        config.dashboards,
        config.slos,
    ]
    for value in _walk(models):
        if isinstance(value, ForEach):
            for_eaches.append(value)
        elif isinstance(value, str) and "{" in value:
            for token in placeholders(value):
                kind, _, key = token.partition(":")
                (tags if kind == "tag" else attributes if kind == "attr" else set()).add(key)
    return for_eaches, tags, attributes


def _walk(value: Any) -> Iterator[Any]:
    yield value
    if isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from _walk(getattr(value, name))
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _walk(item)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _walk(item)


# --- the checks ----------------------------------------------------------------------------


@gc_paused()
def check_config(config: Config, region: str | None = None) -> list[ConfigProblem]:
    """Every request the config makes, checked without AWS (what ``sentinel validate`` runs)."""
    region = region or config.project.regions[0]
    partition = partition_of(region)
    inventory = SampleInventory(config, region, PLACEHOLDER_ACCOUNT, partition)
    ctx = RecordingContext(
        config, region, PLACEHOLDER_ACCOUNT, partition, inventory, placeholder_secrets=True
    )
    problems = static_name_problems(config)
    kinds = all_kinds()
    desired: dict[str, list[State]] = {}
    for kind in kinds:
        try:
            desired[kind.name] = kind.desired(ctx)
        except SentinelError as exc:
            problems.append(_problem_of_message(config, str(exc)))
            desired[kind.name] = []
    problems += check_states(ctx, kinds, desired)
    return sorted(set(problems))


def check_plan(
    ctx: SyncContext,
    kinds: Sequence[Kind],
    desired: Mapping[str, list[State]],
    written: Collection[tuple[str, str]],
) -> list[ConfigProblem]:
    """The requests of the real desired states of a plan that apply would write (``written``:
    kind and key), before anything is written; names made twice among all of them."""
    recording = RecordingContext(
        ctx.config,
        ctx.region,
        ctx.account_id,
        ctx.partition,
        ctx.inventory,
        placeholder_secrets=False,
    )
    problems = static_name_problems(ctx.config)
    problems += check_states(recording, kinds, desired, written)
    return sorted(set(problems))


def check_states(
    ctx: RecordingContext,
    kinds: Sequence[Kind],
    desired: Mapping[str, list[State]],
    written: Collection[tuple[str, str]] | None = None,
) -> list[ConfigProblem]:
    """Names made twice, and what AWS would refuse in each create and update request (of the
    states ``written`` names, when it is given)."""
    places = _Places(ctx.config)
    problems = duplicate_problems(ctx.config, kinds, desired, places)
    problems += fan_in_problems(kinds, desired, places)
    for kind in kinds:
        for state in desired.get(kind.name, []):
            if written is not None and (kind.name, state.key) not in written:
                continue
            where = places.of(kind.name, state)
            label = f"{kind.name} {state.key!r}"
            for problem in _request_problems(ctx, kind, state):
                problems.append(where.problem(f"{label}: AWS would refuse {problem}"))
    return problems


def _request_problems(ctx: RecordingContext, kind: Kind, state: State) -> list[RequestProblem]:
    """Problems of the create requests, then of the update requests the create did not send."""
    found: list[RequestProblem] = []
    checked: set[tuple[str, str]] = set()
    phases: list[tuple[bool, Callable[[], None]]] = [(False, lambda: kind.create(ctx, state))]
    if kind.updatable:
        for actual in _existing(kind, state, ctx):
            phases.append((True, functools.partial(kind.update, ctx, state, actual)))
    for existing, write in phases:
        ctx.recorder.requests.clear()
        ctx.recorder.existing = existing
        try:
            write()
        except SentinelError as exc:
            found.append(RequestProblem("", "", str(exc)))
        sent = {(r.service, r.operation) for r in ctx.recorder.requests}
        for request in ctx.recorder.requests:
            key = (request.service, request.operation)
            if key in checked:
                continue
            found += check_request(request.service, request.operation, request.params)
            found += check_documented(request.service, request.operation, request.params)
        checked |= sent
    # An update often sends what the create did under another name (Budget, NewBudget): say it
    # once.
    unique: dict[tuple[str, str], RequestProblem] = {}
    for problem in found:
        unique.setdefault(
            (problem.path.partition(".")[2] or problem.path, problem.message), problem
        )
    return list(unique.values())


def _existing(kind: Kind, state: State, ctx: RecordingContext) -> list[State]:
    """Stand-ins for the resource as AWS has it, different in every field, for updates."""
    from sentinel.sync.alarm_names import alarm_arn
    from sentinel.sync.budgets import BudgetDocument

    arn = state.arn
    payloads: list[Any] = [None]
    if kind.name in ("alarm", "composite alarm", "burn-rate alarm"):
        arn = alarm_arn(ctx, state.key)
        if kind.name == "burn-rate alarm":
            payloads = [{"composite": state.payload["composite"]}]
    elif kind.name == "topic":
        arn = ctx.arn("sns", state.key)
    elif kind.name == "budget":
        # Without its alerts (they are created), and with them but other subscribers (the
        # subscribers are deleted and created one by one).
        want: BudgetDocument = state.payload
        stranger = {"SubscriptionType": "EMAIL", "Address": "someone@else.example"}
        payloads = [
            BudgetDocument(budget={}),
            BudgetDocument(
                budget={},
                notifications=dict(want.notifications),
                subscribers={key: [*subs[:1], stranger] for key, subs in want.subscribers.items()},
            ),
        ]
    elif kind.name == "router-queue":
        arn = ctx.arn("sqs", state.key)
        payloads = [{"url": f"https://sqs.{ctx.region}.amazonaws.com/{ctx.account_id}/{state.key}"}]
    elif kind.name not in ("dashboard",):
        return []
    fields: dict[str, Any] = {name: None for name in state.fields}
    if kind.name == "budget":
        # A budget of another type is replaced, not updated: the stand-in keeps the type.
        fields["type"] = state.fields.get("type")
    return [State(kind.name, state.key, fields, arn=arn, payload=payload) for payload in payloads]


def duplicate_problems(
    config: Config,
    kinds: Sequence[Kind],
    desired: Mapping[str, list[State]],
    places: _Places | None = None,
) -> list[ConfigProblem]:
    """Two desired states of one AWS name: both places are named."""
    places = places or _Places(config)
    first: dict[tuple[str, str], tuple[str, State]] = {}
    problems = []
    for kind in kinds:
        namespace = NAMESPACES.get(kind.name, kind.name)
        for state in desired.get(kind.name, []):
            key = (namespace, state.key)
            if key not in first:
                first[key] = (kind.name, state)
                continue
            other_kind, other = first[key]
            here, there = places.of(kind.name, state), places.of(other_kind, other)
            if str(here) == str(there):
                message = (
                    f"{namespace} name {state.key!r} is made twice by the for_each at {there}: "
                    "two of its resources share the id the name is made of"
                )
            else:
                message = (
                    f"{namespace} name {state.key!r} is made twice: by {there} and by {here}; "
                    "AWS would keep only one"
                )
            problems.append(here.problem(message))
    return problems


def fan_in_problems(
    kinds: Sequence[Kind], desired: Mapping[str, list[State]], places: _Places
) -> list[ConfigProblem]:
    """An alarm in the rules of more composite alarms than AWS allows (150): the composites
    past the limit are named, at their place."""
    most = limit("composite_rule")["max_composites_per_alarm"]
    users: dict[str, int] = {}
    problems = []
    for kind in kinds:
        for state in desired.get(kind.name, []):
            params = state.payload.get("params") if isinstance(state.payload, dict) else None
            rule = params.get("AlarmRule") if isinstance(params, dict) else None
            if not isinstance(rule, str):
                continue
            for child in dict.fromkeys(rule_children(rule)):
                users[child] = users.get(child, 0) + 1
                if users[child] > most:
                    problems.append(
                        places.of(kind.name, state).problem(
                            f"{kind.name} {state.key!r}: alarm {child!r} would be in the rules "
                            f"of {users[child]} composite alarms; AWS allows at most {most}"
                        )
                    )
    return problems


def static_name_problems(config: Config) -> list[ConfigProblem]:
    """Dashboards and severities whose AWS names collide once made safe for AWS (or as
    given by ``aws_name``)."""
    places = _Places(config)
    problems = []
    dashboards: dict[str, str] = {}
    for dashboard in config.dashboards:
        name = dashboard_name_of(config.name, dashboard)
        here = places.named("dashboard", dashboard.name)
        if name in dashboards:
            there = places.named("dashboard", dashboards[name])
            problems.append(
                here.problem(
                    f"dashboard {dashboard.name!r} and dashboard {dashboards[name]!r} ({there}) "
                    f"are both CloudWatch dashboard {name!r}"
                )
            )
        else:
            dashboards[name] = dashboard.name
    severities = config.routing.severities if config.routing else {}
    topics: dict[str, tuple[str, str]] = {}
    for severity, tier in severities.items():
        # Severities share a topic by naming it alike: the same `topic:`, or the same aws_name.
        spelling = (
            f"aws_name {tier.aws_name}" if tier.aws_name else f"topic {tier.topic or severity}"
        )
        name = severity_topic(config, severity)
        if name in topics and topics[name][1] != spelling:
            other = topics[name][0]
            problems.append(
                places.named("severity", severity).problem(
                    f"severity {severity!r} and severity {other!r} are both SNS topic {name!r}; "
                    "name the same `topic:` (or `aws_name:`) on both to share it"
                )
            )
        topics.setdefault(name, (severity, spelling))
    return problems


# --- places in the config ------------------------------------------------------------------

_SOURCE = re.compile(r"^(?P<file>.+?):(?P<line>\d+)(?::(?P<column>\d+))?$")


@dataclass(frozen=True)
class Place:
    file: str
    line: int
    column: int

    def problem(self, message: str) -> ConfigProblem:
        return ConfigProblem(self.file, self.line, self.column, message)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class _Places:
    """Where a state, or a named item, is defined in the config."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self._positions = getattr(config, "positions", {})

    @cached_property
    def _by_source(self) -> dict[str, Place]:
        """Made when a problem needs it: a plan with none is checked in every place."""
        return {
            str(where): Place(where.file, where.position.line, where.position.column)
            for where in self._positions.values()
        }

    def named(self, kind: str, name: str) -> Place:
        where = self._positions.get((kind, name))
        if where is not None:
            return Place(where.file, where.position.line, where.position.column)
        return self._of_source(self.config.sources.get((kind, name)))

    def of(self, kind: str, state: State) -> Place:
        if kind in ("topic", "subscription", "router-queue") and self.config.routing:
            severity = self._severity_of(kind, state)
            if severity is not None:
                return self.named("severity", severity)
        return self._of_source(state.source)

    def _severity_of(self, kind: str, state: State) -> str | None:
        routing = self.config.routing
        assert routing is not None
        topic = state.key if kind == "topic" else str(state.fields.get("topic", ""))
        for severity in routing.severities:
            if kind == "router-queue" or severity_topic(self.config, severity) == topic:
                return severity
        return None

    def _of_source(self, source: str | None) -> Place:
        if source and source in self._by_source:
            return self._by_source[source]
        match = _SOURCE.match(source or "")
        if match:
            return Place(match["file"], int(match["line"]), int(match["column"] or 1))
        root = self.config.root
        file = source or str(_display(root / "sentinel.yaml"))
        return Place(file, 1, 1)


def _display(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _problem_of_message(config: Config, message: str) -> ConfigProblem:
    """A kind's own error (``file:line: message``) as a ConfigProblem."""
    match = re.match(
        r"^(?P<file>[^:\s]+):(?P<line>\d+)(?::(?P<column>\d+))?: (?P<rest>.*)$", message
    )
    if match:
        return ConfigProblem(
            match["file"], int(match["line"]), int(match["column"] or 1), match["rest"]
        )
    return ConfigProblem(_display(config.root / "sentinel.yaml"), 1, 1, message)
