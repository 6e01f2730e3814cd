"""AWS events that EventBridge rules publish to a severity topic, read as alerts.

An EventBridge rule's target is the severity's SNS topic, so the SNS message is the event itself
(``version``, ``id``, ``detail-type``, ``source``, ``account``, ``time``, ``region``,
``resources``, ``detail``). Each event the presets select becomes an ``Alert`` that says what
happened in a sentence, links to the resource in the console, and is keyed by the incident it
is about (the deployment, task, finding, health event, job), so repeats thread together. Any
other event (a raw pattern's) gets a generic summary keyed by its source, type and resource.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from sentinel.routing.alert import Alert, AlertKind, AlertState, Link

HEALTH_CONSOLE = "https://health.aws.amazon.com/health/home#/account/event-log"
_ENVELOPE_KEYS = ("version", "id", "detail-type", "source", "detail")


def is_eventbridge_event(data: Mapping[str, Any]) -> bool:
    return all(key in data for key in _ENVELOPE_KEYS) and isinstance(data["detail"], Mapping)


@dataclass(frozen=True)
class EventFacts:
    """What one kind of event says: a title, a sentence, its incident's key, a console link."""

    name: str
    reason: str
    key: str
    link: Link | None = None
    details: dict[str, str] | None = None


def _console(label: str, region: str, path: str, fragment: str = "") -> Link:
    """A link to ``path`` in the console of ``region`` (and to ``fragment`` in its page)."""
    url = f"https://{region}.console.aws.amazon.com/{path}?region={region}"
    return Link(label, f"{url}#{fragment}" if fragment else url)


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _ecs_deployment(event: Mapping[str, Any], detail: Mapping[str, Any], region: str) -> EventFacts:
    cluster, service = _service_of(event)
    deployment = _text(detail.get("deploymentId"))
    reason = _text(detail.get("reason"))
    rolling_back = detail.get("eventName") != "SERVICE_DEPLOYMENT_FAILED"
    what = "is rolling back" if rolling_back else "failed"
    return EventFacts(
        name=f"ECS deployment {'rollback' if rolling_back else 'failed'}: {service}",
        reason=f"ECS deployment {deployment} {what} on service {service} in cluster {cluster}"
        + (f": {reason}" if reason else ""),
        key=f"ecs-deployment:{deployment or event.get('id')}",
        link=_console(
            "ECS service",
            region,
            f"ecs/v2/clusters/{cluster}/services/{service}/deployments",
        ),
        details={"cluster": cluster, "service": service, "deployment": deployment},
    )


def _service_of(event: Mapping[str, Any]) -> tuple[str, str]:
    for arn in event.get("resources") or []:
        if isinstance(arn, str) and ":service/" in arn:
            parts = arn.split(":service/", 1)[1].split("/")
            if len(parts) == 2:
                return parts[0], parts[1]
            return "default", parts[0]
    return "?", "?"


def _ecs_task(event: Mapping[str, Any], detail: Mapping[str, Any], region: str) -> EventFacts:
    task_arn = _text(detail.get("taskArn"))
    cluster = _text(detail.get("clusterArn")).rsplit("/", 1)[-1] or "?"
    task_id = task_arn.rsplit("/", 1)[-1]
    failed = [
        f"{c.get('name')} exited {c.get('exitCode')}"
        for c in detail.get("containers") or []
        if isinstance(c, Mapping) and isinstance(c.get("exitCode"), int) and c["exitCode"] != 0
    ]
    group = _text(detail.get("group"))
    stopped = _text(detail.get("stoppedReason"))
    sentence = f"ECS task {task_id} stopped in cluster {cluster}"
    if group:
        sentence += f" ({group})"
    if failed:
        sentence += ": " + ", ".join(failed)
    if stopped:
        sentence += f" ({stopped})"
    return EventFacts(
        name=f"ECS task stopped: {group.removeprefix('service:') or task_id}",
        reason=sentence,
        key=f"ecs-task:{task_arn or event.get('id')}",
        link=_console("ECS task", region, f"ecs/v2/clusters/{cluster}/tasks/{task_id}"),
        details={"cluster": cluster, "task": task_id, "stop code": _text(detail.get("stopCode"))},
    )


def _autoscaling(event: Mapping[str, Any], detail: Mapping[str, Any], region: str) -> EventFacts:
    group = _text(detail.get("AutoScalingGroupName"))
    action = "launch" if "Launch" in _text(event.get("detail-type")) else "terminate"
    message = _text(detail.get("StatusMessage"))
    return EventFacts(
        name=f"Auto Scaling {action} failed: {group}",
        reason=f"Auto Scaling group {group} could not {action} an instance"
        + (f": {message}" if message else ""),
        key=f"autoscaling:{detail.get('ActivityId') or event.get('id')}",
        link=_console(
            "Auto Scaling group",
            region,
            "ec2/home",
            f"AutoScalingGroupDetails:id={group};view=activity",
        ),
        details={"instance": _text(detail.get("EC2InstanceId"))},
    )


def _backup(event: Mapping[str, Any], detail: Mapping[str, Any], region: str) -> EventFacts:
    job = _text(detail.get("backupJobId"))
    state = _text(detail.get("state"))
    resource = _text(detail.get("resourceArn"))
    message = _text(detail.get("statusMessage")).strip('"')
    return EventFacts(
        name=f"AWS Backup job {state.lower()}: {resource.rsplit('/', 1)[-1] or job}",
        reason=f"Backup job {job} of {detail.get('resourceType', 'resource')} {resource} "
        f"is {state}" + (f": {message}" if message else ""),
        key=f"backup-job:{job or event.get('id')}",
        link=_console("Backup job", region, "backup/home", f"/jobs/backup/details/{job}"),
        details={"vault": _text(detail.get("backupVaultName"))},
    )


def _health(event: Mapping[str, Any], detail: Mapping[str, Any], region: str) -> EventFacts:
    arn = _text(detail.get("eventArn"))
    descriptions = detail.get("eventDescription") or []
    latest = next(
        (_text(d.get("latestDescription")) for d in descriptions if isinstance(d, Mapping)), ""
    )
    service = _text(detail.get("service"))
    code = _text(detail.get("eventTypeCode"))
    first_line = latest.strip().splitlines()[0] if latest.strip() else ""
    return EventFacts(
        name=f"AWS Health {detail.get('eventTypeCategory', 'event')}: {service} {code}",
        reason=f"AWS Health {code} for {service} in {detail.get('eventRegion', region)} "
        f"({detail.get('statusCode', 'open')})" + (f": {first_line}" if first_line else ""),
        key=f"health:{arn or event.get('id')}",
        link=Link(
            "AWS Health event",
            f"{HEALTH_CONSOLE}?eventID={quote(arn, safe='')}",
        ),
    )


def _guardduty(event: Mapping[str, Any], detail: Mapping[str, Any], region: str) -> EventFacts:
    finding = _text(detail.get("id"))
    return EventFacts(
        name=f"GuardDuty finding: {detail.get('type', '')}",
        reason=f"GuardDuty finding {detail.get('type', '')} of severity {detail.get('severity')}: "
        f"{detail.get('title', '')}",
        key=f"guardduty:{finding or event.get('id')}",
        link=_console(
            "GuardDuty finding",
            region,
            "guardduty/home",
            f"/findings?macros=current&fId={finding}",
        ),
        details={"severity": _text(detail.get("severity"))},
    )


def _securityhub(event: Mapping[str, Any], detail: Mapping[str, Any], region: str) -> EventFacts:
    findings = [f for f in detail.get("findings") or [] if isinstance(f, Mapping)]
    finding = findings[0] if findings else {}
    finding_id = _text(finding.get("Id"))
    label = _text((finding.get("Severity") or {}).get("Label"))
    resources = [
        _text(r.get("Id")) for r in finding.get("Resources") or [] if isinstance(r, Mapping)
    ]
    return EventFacts(
        name=f"Security Hub {label} finding: {finding.get('Title', '')}",
        reason=f"Security Hub {label} finding {finding.get('Title', '')}"
        + (f" on {', '.join(resources)}" if resources else ""),
        key=f"securityhub:{finding_id or event.get('id')}",
        link=_console(
            "Security Hub finding",
            region,
            "securityhub/home",
            f"/findings?search=Id%3D{quote(finding_id, safe='')}",
        ),
        details={"severity": label, "findings": str(len(findings))},
    )


def _sign_in(event: Mapping[str, Any], detail: Mapping[str, Any], region: str) -> EventFacts:
    identity = detail.get("userIdentity") or {}
    who = (
        "the root user"
        if identity.get("type") == "Root"
        else _text(identity.get("userName") or identity.get("arn") or identity.get("principalId"))
    )
    result = _text((detail.get("responseElements") or {}).get("ConsoleLogin"))
    ip = _text(detail.get("sourceIPAddress"))
    event_id = _text(detail.get("eventID"))
    failed = result == "Failure"
    return EventFacts(
        name="Console sign-in failed" if failed else f"Console sign-in of {who}",
        reason=(
            f"Console sign-in failed for {who}"
            if failed
            else f"{who.capitalize()} signed in to the console"
        )
        + (f" from {ip}" if ip else "")
        + (
            f" (MFA: {(detail.get('additionalEventData') or {}).get('MFAUsed')})"
            if not failed
            else ""
        ),
        key=f"cloudtrail:{event_id or event.get('id')}",
        link=_console("CloudTrail event", region, "cloudtrailv2/home", f"/events/{event_id}"),
        details={"source ip": ip},
    )


def _config(event: Mapping[str, Any], detail: Mapping[str, Any], region: str) -> EventFacts:
    rule = _text(detail.get("configRuleName"))
    resource = f"{detail.get('resourceType', '')} {detail.get('resourceId', '')}".strip()
    compliance = _text((detail.get("newEvaluationResult") or {}).get("complianceType"))
    return EventFacts(
        name=f"Config rule {rule}: {compliance}",
        reason=f"{resource} is {compliance} with AWS Config rule {rule}",
        key=f"config:{rule}:{resource}",
        link=_console(
            "Config rule",
            region,
            "config/home",
            f"/rules/details?configRuleName={quote(rule)}",
        ),
    )


def _generic(event: Mapping[str, Any], detail: Mapping[str, Any], region: str) -> EventFacts:
    resources = [r for r in event.get("resources") or [] if isinstance(r, str)]
    kind = f"{event.get('detail-type')} from {event.get('source')}"
    return EventFacts(
        name=_text(event.get("detail-type")),
        reason=kind + (f" for {', '.join(resources)}" if resources else ""),
        key=f"event:{event.get('source')}:{event.get('detail-type')}:"
        + (resources[0] if resources else _text(event.get("id"))),
    )


Reader = Callable[[Mapping[str, Any], Mapping[str, Any], str], EventFacts]
_READERS: dict[tuple[str, str], Reader] = {
    ("aws.ecs", "ECS Deployment State Change"): _ecs_deployment,
    ("aws.ecs", "ECS Task State Change"): _ecs_task,
    ("aws.autoscaling", "EC2 Instance Launch Unsuccessful"): _autoscaling,
    ("aws.autoscaling", "EC2 Instance Terminate Unsuccessful"): _autoscaling,
    ("aws.backup", "Backup Job State Change"): _backup,
    ("aws.health", "AWS Health Event"): _health,
    ("aws.guardduty", "GuardDuty Finding"): _guardduty,
    ("aws.securityhub", "Security Hub Findings - Imported"): _securityhub,
    ("aws.signin", "AWS Console Sign In via CloudTrail"): _sign_in,
    ("aws.config", "Config Rules Compliance Change"): _config,
}


def parse_event(
    event: Mapping[str, Any],
    message_id: str,
    topic_arn: str | None,
    raw: bool,
    event_time: datetime,
) -> Alert:
    detail = event["detail"]
    region = _text(event.get("region")) or "us-east-1"
    reader = _READERS.get((_text(event.get("source")), _text(event.get("detail-type"))), _generic)
    facts = reader(event, detail, region)
    details = {k: v for k, v in (facts.details or {}).items() if v}
    details["event"] = f"{event.get('source')} / {event.get('detail-type')}"
    return Alert(
        message_id=message_id,
        kind=AlertKind.EVENT,
        key=facts.key,
        name=facts.name,
        state=AlertState.ALARM,
        reason=facts.reason,
        event_time=event_time,
        account=_text(event.get("account")) or None,
        region=region,
        region_name=region,
        topic_arn=topic_arn,
        details=details,
        links=(facts.link,) if facts.link else (),
        raw_delivery=raw,
    )
