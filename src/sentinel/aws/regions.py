"""AWS region names: the ones botocore's partition data knows, and the opt-in ones.

A mistyped region must fail at once with a hint, not after every retry of a DNS lookup for
``monitoring.us-est-1.amazonaws.com``. The names come from the installed botocore
(``partitions.json``); the opt-in regions from ``sentinel/data/opt_in_regions.yaml``.
"""

from __future__ import annotations

import difflib
import re
from functools import cache
from importlib import resources

import botocore
import botocore.session
import yaml

OPT_IN_FILE = "opt_in_regions.yaml"
# Partition entries like "aws-global" are endpoints, not regions one can work in.
_REGION_NAME = re.compile(r"^[a-z]{2,}(-[a-z]+)+-\d+$")


@cache
def _botocore() -> botocore.session.Session:
    """One botocore session for its data (partitions, endpoints): read once."""
    return botocore.session.get_session()


@cache
def known_regions() -> frozenset[str]:
    """Every region of every partition the installed botocore knows."""
    data = _botocore().get_data("partitions")
    return frozenset(
        name
        for partition in data["partitions"]
        for name in partition.get("regions", {})
        if _REGION_NAME.match(name)
    )


@cache
def partition_of(region: str) -> str:
    """The partition of a region ("aws", "aws-cn", ...), from botocore's data: no request."""
    return str(_botocore().get_partition_for_region(region))


@cache
def opt_in_regions() -> frozenset[str]:
    text = resources.files("sentinel").joinpath("data", OPT_IN_FILE).read_text("utf-8")
    return frozenset(yaml.safe_load(text))


def is_opt_in(region: str) -> bool:
    return region in opt_in_regions()


def region_problem(region: str) -> str | None:
    """Why ``region`` is not a region Sentinel can work in, or None when it is one."""
    if region in known_regions():
        return None
    close = difflib.get_close_matches(region, sorted(known_regions()), n=1, cutoff=0.75)
    hint = f"did you mean {close[0]!r}?" if close else "expected a name like us-east-1"
    return (
        f"unknown AWS region {region!r}: {hint} (regions known to botocore "
        f"{botocore.__version__}; upgrade botocore for a region launched since)"
    )
