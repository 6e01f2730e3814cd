"""CloudWatch Synthetics canaries as AWS keeps them; moto's stand-in takes anything.

moto's canaries accept any name and fill in missing required fields, never page, and lack
UpdateCanary, DeleteCanary, StartCanary, StopCanary and TagResource. This extension serves
those calls from its own records, with AWS's checks: the name pattern and length of botocore's
model, the required fields, a Code with a Handler and a ZipFile or an S3 object, a schedule of
``rate(N minute[s])`` between 1 minute and 1 hour (``rate(0 minutes)`` runs once) or a cron
expression, a runtime version Synthetics offers, one canary per name, a running canary that
cannot be deleted, and DescribeCanaries in pages of MaxResults (1..20) with NextToken and a
Names filter of at most five names. The artifact location comes back without ``s3://``, and the
code as a source location and handler, as AWS answers.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import uuid
from functools import cache
from typing import Any
from urllib.parse import unquote

from moto.core.exceptions import JsonRESTError
from moto.core.utils import utcnow
from moto.synthetics import urls as synthetics_urls
from moto.synthetics.models import SyntheticsBackend
from moto.synthetics.responses import SyntheticsResponse

from sentinel.aws.request_model import service_model
from sentinel.sync.canary_code import canary_runtimes

MAX_PAGE_SIZE = 20
MAX_NAMES = 5
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour)\)$")
_CRON = re.compile(r"^cron\(\S+ \S+ \S+ \S+ \S+ \S+\)$")
_ROLE = re.compile(r"^arn:(aws[a-zA-Z-]*)?:iam::\d{12}:role/?[a-zA-Z_0-9+=,.@\-_/]+$")
_RECORDS = "sentinel_canaries"
_REQUIRED = ("Name", "Code", "ArtifactS3Location", "ExecutionRoleArn", "Schedule", "RuntimeVersion")


class ValidationException(JsonRESTError):
    code = 400

    def __init__(self, message: str) -> None:
        super().__init__("ValidationException", message)


class ResourceNotFoundException(JsonRESTError):
    code = 404

    def __init__(self, message: str) -> None:
        super().__init__("ResourceNotFoundException", message)


class ConflictException(JsonRESTError):
    code = 409

    def __init__(self, message: str) -> None:
        super().__init__("ConflictException", message)


def install() -> None:
    # moto routes only the paths its urls module lists: the start and stop paths are added.
    synthetics_urls.url_paths.setdefault(
        "{0}/canary/(?P<name>[^/]+)/(?P<verb>start|stop)$", SyntheticsResponse.dispatch
    )
    for name, method in _RESPONSES.items():
        setattr(SyntheticsResponse, name, method)


@cache
def _name_limit() -> tuple[int, str]:
    """CanaryName's length and pattern, from botocore's model (loaded once, not per request)."""
    shape = service_model("synthetics").shape_for("CanaryName")
    return int(shape.metadata["max"]), str(shape.metadata["pattern"])


def _records(backend: SyntheticsBackend) -> dict[str, dict[str, Any]]:
    records = getattr(backend, _RECORDS, None)
    if records is None:
        records = {}
        setattr(backend, _RECORDS, records)
    return records


def _check_name(name: Any) -> str:
    limit, pattern = _name_limit()
    if not isinstance(name, str) or not 1 <= len(name) <= limit or not re.match(pattern, name):
        raise ValidationException(
            f"Canary name must match {pattern} and be 1 to {limit} characters long"
        )
    return name


def _check_schedule(schedule: Any) -> dict[str, Any]:
    if not isinstance(schedule, dict) or "Expression" not in schedule:
        raise ValidationException("Schedule.Expression is required")
    expression = str(schedule["Expression"])
    rate = _RATE.match(expression)
    if rate:
        count, unit = int(rate.group(1)), rate.group(2)
        valid = (
            (unit == "minute" and count == 1)
            or (unit == "minutes" and (count == 0 or 2 <= count <= 60))
            or (unit == "hour" and count == 1)
        )
        if not valid:
            raise ValidationException(
                f"Invalid schedule expression {expression}: rate(1 minute) to rate(1 hour)"
            )
    elif not _CRON.match(expression):
        raise ValidationException(f"Invalid schedule expression {expression}")
    return {"Expression": expression, "DurationInSeconds": schedule.get("DurationInSeconds", 0)}


def _check_code(code: Any) -> dict[str, Any]:
    if not isinstance(code, dict) or not code.get("Handler"):
        raise ValidationException("Code.Handler is required")
    zipped = code.get("ZipFile")
    if zipped is None and not (code.get("S3Bucket") and code.get("S3Key")):
        raise ValidationException("Code needs a ZipFile or an S3Bucket and S3Key")
    source = hashlib.sha256(base64.b64decode(zipped) if zipped else json.dumps(code).encode())
    return {"Handler": code["Handler"], "SourceLocationArn": source.hexdigest()}


def _check_common(params: dict[str, Any], record: dict[str, Any]) -> None:
    if "RuntimeVersion" in params:
        if params["RuntimeVersion"] not in canary_runtimes():
            raise ValidationException(f"Unknown runtime version {params['RuntimeVersion']}")
        record["RuntimeVersion"] = params["RuntimeVersion"]
    if "ExecutionRoleArn" in params:
        if not _ROLE.match(str(params["ExecutionRoleArn"])):
            raise ValidationException("ExecutionRoleArn is not an IAM role ARN")
        record["ExecutionRoleArn"] = params["ExecutionRoleArn"]
    if "ArtifactS3Location" in params:
        location = str(params["ArtifactS3Location"])
        if not location or len(location) > 1024:
            raise ValidationException("ArtifactS3Location must be 1 to 1024 characters long")
        record["ArtifactS3Location"] = location.removeprefix("s3://")
    if "Schedule" in params:
        record["Schedule"] = _check_schedule(params["Schedule"])
    if "Code" in params:
        code = _check_code(params["Code"])
        record["Code"] = code
    if "RunConfig" in params:
        run = params["RunConfig"] or {}
        timeout = int(run.get("TimeoutInSeconds", 840))
        if not 3 <= timeout <= 840:
            raise ValidationException("RunConfig.TimeoutInSeconds must be 3 to 840")
        record["RunConfig"] = {
            "TimeoutInSeconds": timeout,
            "MemoryInMB": int(run.get("MemoryInMB", 1000)),
            "ActiveTracing": bool(run.get("ActiveTracing", False)),
        }
    for key in ("SuccessRetentionPeriodInDays", "FailureRetentionPeriodInDays"):
        if key in params:
            if not 1 <= int(params[key]) <= 455:
                raise ValidationException(f"{key} must be 1 to 455")
            record[key] = int(params[key])


def _path_name(response: SyntheticsResponse) -> str:
    parts = response.path.rstrip("/").split("/")
    index = parts.index("canary") + 1
    return unquote(parts[index])


def _record(response: SyntheticsResponse, name: str) -> dict[str, Any]:
    record = _records(response.synthetics_backend).get(name)
    if record is None:
        raise ResourceNotFoundException(f"Canary {name} does not exist")
    return record


def _shown(record: dict[str, Any]) -> dict[str, Any]:
    shown = {k: v for k, v in record.items() if k not in ("State", "Timeline")}
    timeline = {k: v.isoformat() for k, v in record["Timeline"].items() if v is not None}
    return {**shown, "Status": {"State": record["State"]}, "Timeline": timeline}


def _create_canary(self: SyntheticsResponse) -> str:
    params = json.loads(self.body or "{}")
    missing = [key for key in _REQUIRED if key not in params]
    if missing:
        raise ValidationException(f"Missing required fields: {', '.join(missing)}")
    name = _check_name(params["Name"])
    records = _records(self.synthetics_backend)
    if name in records:
        raise ConflictException(f"Canary {name} already exists")
    backend = self.synthetics_backend
    now = utcnow()
    record: dict[str, Any] = {
        "Id": str(uuid.uuid4()),
        "Name": name,
        "RunConfig": {"TimeoutInSeconds": 60, "MemoryInMB": 1000, "ActiveTracing": False},
        "SuccessRetentionPeriodInDays": 31,
        "FailureRetentionPeriodInDays": 31,
        "EngineArn": f"arn:aws:lambda:{backend.region_name}:{backend.account_id}:"
        f"function:cwsyn-{name}",
        "Tags": dict(params.get("Tags") or {}),
        "State": "READY",
        "Timeline": {"Created": now, "LastModified": now, "LastStarted": None, "LastStopped": None},
    }
    _check_common(params, record)
    records[name] = record
    return json.dumps({"Canary": _shown(record)})


def _get_canary(self: SyntheticsResponse) -> str:
    return json.dumps({"Canary": _shown(_record(self, _path_name(self)))})


def _update_canary(self: SyntheticsResponse) -> str:
    record = _record(self, _path_name(self))
    params = json.loads(self.body or "{}")
    changed = dict(record)
    _check_common(params, changed)
    changed["Timeline"] = {**record["Timeline"], "LastModified": utcnow()}
    record.update(changed)
    return "{}"


def _delete_canary(self: SyntheticsResponse) -> str:
    name = _path_name(self)
    record = _record(self, name)
    if record["State"] in ("RUNNING", "STARTING", "UPDATING"):
        raise ConflictException(f"Canary {name} is {record['State']}: stop it before deleting")
    del _records(self.synthetics_backend)[name]
    return "{}"


def _start_or_stop(self: SyntheticsResponse) -> str:
    record = _record(self, _path_name(self))
    if self.path.rstrip("/").endswith("/start"):
        if record["State"] == "RUNNING":
            raise ConflictException(f"Canary {record['Name']} is already running")
        record["State"] = "RUNNING"
        record["Timeline"]["LastStarted"] = utcnow()
    else:
        if record["State"] != "RUNNING":
            raise ConflictException(f"Canary {record['Name']} is not running")
        record["State"] = "STOPPED"
        record["Timeline"]["LastStopped"] = utcnow()
    return "{}"


def _describe_canaries(self: SyntheticsResponse) -> str:
    params = json.loads(self.body or "{}")
    size = int(params.get("MaxResults", MAX_PAGE_SIZE))
    if not 1 <= size <= MAX_PAGE_SIZE:
        raise ValidationException(f"MaxResults must be 1 to {MAX_PAGE_SIZE}")
    names = params.get("Names")
    if names is not None and not 1 <= len(names) <= MAX_NAMES:
        raise ValidationException(f"Names takes 1 to {MAX_NAMES} names")
    records = sorted(_records(self.synthetics_backend).values(), key=lambda r: r["Name"])
    if names:
        records = [r for r in records if r["Name"] in names]
    start = 0
    token = params.get("NextToken")
    if token:
        try:
            start = int(base64.b64decode(token).decode())
        except ValueError:
            raise ValidationException("Invalid NextToken") from None
    page = records[start : start + size]
    answer: dict[str, Any] = {"Canaries": [_shown(r) for r in page]}
    if start + size < len(records):
        answer["NextToken"] = base64.b64encode(str(start + size).encode()).decode()
    return json.dumps(answer)


def _arn_record(self: SyntheticsResponse) -> dict[str, Any]:
    arn = unquote(self.path.split("/tags/", 1)[1])
    name = arn.rsplit(":", 1)[-1]
    if ":canary:" not in arn:
        raise ValidationException(f"Invalid ARN {arn}")
    return _record(self, name)


def _tags(self: SyntheticsResponse) -> str:
    record = _arn_record(self)
    if self.method == "POST":
        record["Tags"].update(json.loads(self.body or "{}").get("Tags", {}))
        return "{}"
    if self.method == "DELETE":
        for key in self.querystring.get("tagKeys", []):
            record["Tags"].pop(key, None)
        return "{}"
    return json.dumps({"Tags": record["Tags"]})


def _dispatch_action(self: SyntheticsResponse) -> str:
    path = self.path.rstrip("/")
    if "/tags/" in path:
        return "Tags"
    if re.search(r"/canary/[^/]+/(start|stop)$", path):
        return "StartOrStop"
    if re.search(r"/canary/[^/]+$", path):
        return {"GET": "GetCanary", "PATCH": "UpdateCanary", "DELETE": "DeleteCanary"}.get(
            self.method, "Unknown"
        )
    if path.endswith("/canary"):
        return "CreateCanary"
    if path.endswith("/canaries"):
        return "DescribeCanaries"
    return "Unknown"


_RESPONSES = {
    "_get_action": _dispatch_action,
    "create_canary": _create_canary,
    "get_canary": _get_canary,
    "update_canary": _update_canary,
    "delete_canary": _delete_canary,
    "start_or_stop": _start_or_stop,
    "describe_canaries": _describe_canaries,
    "tags": _tags,
}
