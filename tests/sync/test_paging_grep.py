"""Every Tagging API read in src/ follows every page: no direct one-page call anywhere."""

from __future__ import annotations

import ast
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "sentinel"
# The emulator serves the API (moto's backends have methods of these names); it reads nothing.
SERVING = SOURCE / "emulator"
# Paginated Resource Groups Tagging API reads (botocore's paginators for the service).
READS = {"get_resources", "get_tag_keys", "get_tag_values", "get_compliance_summary"}
PAGING_CALLS = {"get_paginator", "paginate"}


def unpaged_reads(source: str, filename: str = "<source>") -> list[str]:
    """``file:line`` of each Tagging API read that is not made through a paginator."""
    found = []
    tree = ast.parse(source, filename)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        by_arns = any(k.arg == "ResourceARNList" for k in node.keywords)
        if isinstance(func, ast.Attribute) and func.attr in READS and not by_arns:
            # An ARN list is answered in one response (AWS refuses paging it); listings page.
            found.append(f"{filename}:{node.lineno}: .{func.attr}() reads one page")
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        for argument in node.args:
            value = argument.value if isinstance(argument, ast.Constant) else None
            if value in READS and name not in PAGING_CALLS:
                found.append(f"{filename}:{node.lineno}: {value!r} passed to {name}()")
    return found


def test_no_tagging_api_read_in_src_skips_pages() -> None:
    files = [p for p in SOURCE.rglob("*.py") if SERVING not in p.parents]
    problems = [
        problem
        for path in files
        for problem in unpaged_reads(path.read_text(encoding="utf-8"), str(path))
    ]
    assert len(files) > 50
    assert problems == []


def test_the_check_finds_a_one_page_read_and_accepts_paginators() -> None:
    bad = (
        "tagging.get_resources(TagFilters=filters)\n"
        "client.get_tag_values(Key='Team')\n"
        "getattr(client, 'get_tag_keys')()\n"
    )
    good = (
        "client.get_paginator('get_resources').paginate(ResourceARNList=arns)\n"
        "listing.paginate('get_resources', 'ResourceTagMappingList', {})\n"
        "tagging.get_resources(ResourceARNList=arns)\n"
    )
    assert unpaged_reads(bad) == [
        "<source>:1: .get_resources() reads one page",
        "<source>:2: .get_tag_values() reads one page",
        "<source>:3: 'get_tag_keys' passed to getattr()",
    ]
    assert unpaged_reads(good) == []
