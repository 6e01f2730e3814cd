"""AWS region display names, as CloudWatch writes them in alarm messages, to region codes.

CloudWatch has written the same region as "US East (N. Virginia)", "US - N. Virginia",
"EU (Ireland)" and "Europe (Ireland)" over the years. The names come from botocore's endpoint
data, so a new region is known as soon as botocore knows it.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import botocore.loaders

_LOCATION = re.compile(r"\(([^)]*)\)\s*$")
_CODE = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.lower().replace("europe", "eu")
    return re.sub(r"[^a-z0-9]", "", text)


def _location(name: str) -> str | None:
    """The place in a display name: "N. Virginia" in "US East (N. Virginia)"."""
    match = _LOCATION.search(name)
    if match:
        return match.group(1)
    if " - " in name:
        return name.split(" - ", 1)[1]
    return None


@cache
def _descriptions() -> dict[str, str]:
    data = botocore.loaders.create_loader().load_data("endpoints")
    return {
        code: region.get("description", code)
        for partition in data["partitions"]
        for code, region in partition["regions"].items()
    }


def region_name(code: str) -> str:
    """ "US East (N. Virginia)" for ``us-east-1``, as CloudWatch names regions in messages."""
    return _descriptions().get(code, code)


@cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    data = botocore.loaders.create_loader().load_data("endpoints")
    by_name: dict[str, str] = {}
    by_location: dict[str, str] = {}
    # The commercial partition comes first, so its regions win a shared place name.
    for partition in data["partitions"]:
        for code, region in partition["regions"].items():
            description = region.get("description", "")
            by_name.setdefault(_normalise(description), code)
            location = _location(description)
            if location:
                by_location.setdefault(_normalise(location), code)
    return by_name, by_location


def region_code(display_name: str | None) -> str | None:
    """``us-east-1`` for "US East (N. Virginia)" (and its older spellings); None if unknown."""
    if not display_name:
        return None
    if _CODE.match(display_name):
        return display_name
    by_name, by_location = _tables()
    key = _normalise(display_name)
    if key in by_name:
        return by_name[key]
    location = _location(display_name)
    if location:
        return by_location.get(_normalise(location))
    return None


def region_from_arn(arn: str | None) -> str | None:
    """The region field of an ARN (``arn:aws:cloudwatch:eu-west-1:...``)."""
    parts = (arn or "").split(":")
    return parts[3] or None if len(parts) > 4 and parts[0] == "arn" else None


def account_from_arn(arn: str | None) -> str | None:
    parts = (arn or "").split(":")
    return parts[4] or None if len(parts) > 5 and parts[0] == "arn" else None
