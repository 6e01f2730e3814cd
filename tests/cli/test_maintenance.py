"""``sentinel maintenance`` and the maintenance lines of ``sentinel oncall``."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner
from tests.routing.scenario import ROUTING_YAML, write_project

from sentinel.cli import main

WINDOWS = """\
  - name: sunday-patching
    alarms: ["db-*", "api-[a-z]*"]
    every: "0 1 * * SUN"
    duration: 2h
    reason: Weekly patching
  - name: monthly-restart
    alarms: ["*"]
    rrule: "FREQ=MONTHLY;BYDAY=1SA;BYHOUR=23;BYMINUTE=30"
    duration: 3h
    timezone: UTC
"""

# Fall back in New York (the shop's timezone): 01:00 EDT is 05:00 UTC.
FALL_BACK = "2026-11-01T05:30:00Z"


def project(tmp_path: Path) -> Path:
    return write_project(tmp_path / "shop", routing=ROUTING_YAML + WINDOWS)


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_json_lists_the_open_occurrence_and_the_next_ones(tmp_path: Path) -> None:
    root = project(tmp_path)
    listed = json.loads(
        run("maintenance", "-C", str(root), "--at", FALL_BACK, "--next", "2", "--json")
    )
    assert listed["at"] == "2026-11-01T05:30:00+00:00"
    dated, sunday, monthly = listed["windows"]
    # The dated window of March is over: nothing to list.
    assert (dated["name"], dated["schedule"], dated["occurrences"]) == ("db-upgrade", "dated", [])
    assert sunday["timezone"] == "America/New_York"
    assert sunday["alarms"] == ["db-*", "api-[a-z]*"] and sunday["reason"] == "Weekly patching"
    assert sunday["occurrences"] == [
        {
            "status": "active",
            "start": "2026-11-01T01:00:00-04:00",
            "end": "2026-11-01T02:00:00-05:00",
            "start_utc": "2026-11-01T05:00:00+00:00",
            "end_utc": "2026-11-01T07:00:00+00:00",
        },
        {
            "status": "next",
            "start": "2026-11-08T01:00:00-05:00",
            "end": "2026-11-08T03:00:00-05:00",
            "start_utc": "2026-11-08T06:00:00+00:00",
            "end_utc": "2026-11-08T08:00:00+00:00",
        },
        {
            "status": "next",
            "start": "2026-11-15T01:00:00-05:00",
            "end": "2026-11-15T03:00:00-05:00",
            "start_utc": "2026-11-15T06:00:00+00:00",
            "end_utc": "2026-11-15T08:00:00+00:00",
        },
    ]
    assert [o["start_utc"] for o in monthly["occurrences"]] == [
        "2026-11-07T23:30:00+00:00",  # the first Saturday of November
        "2026-12-05T23:30:00+00:00",
    ]
    assert monthly["schedule"] == "rrule FREQ=MONTHLY;BYDAY=1SA;BYHOUR=23;BYMINUTE=30, 3h"


def test_the_table_shows_each_window_on_its_clock_and_in_utc(tmp_path: Path) -> None:
    root = project(tmp_path)
    text = run("maintenance", "-C", str(root), "--at", FALL_BACK)
    lines = text.splitlines()
    assert lines[0].rstrip() == "Maintenance windows of shop at 2026-11-01 05:30 UTC"
    sunday = next(i for i, line in enumerate(lines) if "sunday-patching" in line)
    assert "active" in lines[sunday]
    assert "Sun 2026-11-01" in lines[sunday] and "2026-11-01" in lines[sunday]
    assert "01:00 EDT -" in lines[sunday + 1] and "05:00-07:00" in lines[sunday + 1]
    assert "02:00 EST" in lines[sunday + 2]
    assert "api-[a-z]*" in text  # patterns are printed as written, not read as markup
    assert "ended" in next(line for line in lines if "db-upgrade" in line)


def test_a_moment_between_occurrences_lists_the_next_one(tmp_path: Path) -> None:
    root = project(tmp_path)
    listed = json.loads(
        run("maintenance", "-C", str(root), "--at", "2027-03-14T08:00:00Z", "--json")
    )
    sunday = listed["windows"][1]
    # The spring-forward occurrence ended at 08:00 UTC (04:00 EDT); next Sunday is 05:00 UTC.
    assert [(o["status"], o["start_utc"]) for o in sunday["occurrences"]] == [
        ("next", "2027-03-21T05:00:00+00:00")
    ]


def test_oncall_names_the_windows_open_at_that_time(tmp_path: Path) -> None:
    root = project(tmp_path)
    text = run("oncall", "-C", str(root), "--at", FALL_BACK)
    assert (
        "Maintenance: sunday-patching holds db-*, api-[a-z]* until Sun 2026-11-01 02:00 EST "
        "(Weekly patching)"
    ) in text.splitlines()
    assert "monthly-restart" not in text
    as_json = json.loads(run("oncall", "-C", str(root), "--at", FALL_BACK, "--json"))
    assert [w["name"] for w in as_json["maintenance"]] == ["sunday-patching"]
    assert as_json["maintenance"][0]["end"] == "2026-11-01T07:00:00+00:00"
    later = json.loads(run("oncall", "-C", str(root), "--at", "2026-11-01T07:00Z", "--json"))
    assert later["maintenance"] == []
