"""Parts of the import over several places, without AWS: the merge narrows a composite to where
the alarms its rule uses are written; each place is counted as it is read."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sentinel.aws.places import Place
from sentinel.importer.fanout import _composites_follow, _fate
from sentinel.importer.result import ImportResult

READ = [
    Place(account_id=f"{n:012d}", account_name=name, region=region, home=region == "us-east-1")
    for n, name in enumerate(("production", "staging"), start=1)
    for region in ("us-east-1", "eu-west-1")
]


def follow(
    alarms: list[dict[str, Any]],
    composites: list[dict[str, Any]],
    owned: frozenset[tuple[str, str]] = frozenset(),
) -> ImportResult:
    """``owned``: (composite, account) where the project's tag marks that composite."""
    result = ImportResult(project="shop", directory=Path("."))
    data = {"alarms": alarms, "composites": composites}
    files = {Path("alarms/critical.yaml"): ("", data, Counter({"composite alarm": 2}))}

    def fate(name: str, places: Sequence[Place]) -> str:
        return _fate([p for p in places if (name, p.account_name) in owned])

    _composites_follow(
        files, READ, ["production", "staging"], ["us-east-1", "eu-west-1"], result, fate
    )
    result.files = {path: counts for path, (_, _, counts) in files.items()}
    return result


def test_a_composite_is_narrowed_to_the_places_every_alarm_it_uses_is_written() -> None:
    alarms = [
        {"name": "orders", "accounts": ["production"]},
        {"name": "payments", "regions": ["eu-west-1"]},
    ]
    both = {"name": "both", "rule": 'ALARM("orders") OR ALARM("payments")'}
    unknown = {"name": "other", "rule": 'ALARM("not-imported")', "regions": ["us-east-1"]}

    result = follow(alarms, [both, unknown])

    assert both["accounts"] == ["production"] and both["regions"] == ["eu-west-1"]
    assert unknown == {"name": "other", "rule": 'ALARM("not-imported")', "regions": ["us-east-1"]}
    [skipped] = result.not_represented
    assert skipped.name == "both"
    assert skipped.reason == (
        "uses orders, payments, not written in production/us-east-1, staging/us-east-1, "
        "staging/eu-west-1: left unmanaged there"
    )


def test_a_composite_where_nothing_it_uses_is_written_is_left_unmanaged() -> None:
    alarms = [{"name": "orders", "accounts": ["production"]}]
    down = {"name": "down", "rule": 'ALARM("orders")', "accounts": ["staging"]}
    # Over a composite left unmanaged: a name the configuration does not hold, left alone as
    # the import leaves any alarm it did not import.
    page = {"name": "page", "rule": 'ALARM("down")', "accounts": ["staging"]}

    result = follow(alarms, [down, page])

    [skipped] = result.not_represented
    assert skipped.name == "down"
    assert skipped.reason == (
        "uses orders, written in none of staging/us-east-1, staging/eu-west-1: left unmanaged there"
    )
    assert result.files == {Path("alarms/critical.yaml"): Counter({"composite alarm": 1})}
    assert page["accounts"] == ["staging"]


def test_a_composite_left_out_where_the_projects_tag_marks_it_is_said_to_be_deleted() -> None:
    alarms = [{"name": "orders", "accounts": ["production"]}]
    down = {"name": "down", "rule": 'ALARM("orders")'}

    result = follow(alarms, [down], owned=frozenset({("down", "staging")}))

    assert down["accounts"] == ["production"]
    [skipped] = result.not_represented
    assert skipped.reason == (
        "uses orders, not written in staging/us-east-1, staging/eu-west-1: the next apply "
        "deletes it in staging/us-east-1, staging/eu-west-1, where this project's tag marks it"
    )


def test_each_place_read_or_failed_is_counted_as_it_is_read(tmp_path: Path) -> None:
    from sentinel.errors import SentinelError
    from sentinel.importer.fanout import import_places
    from sentinel.importer.run import PlaceImport

    def read(place: Place) -> PlaceImport:
        if place.account_name == "staging":
            raise SentinelError("cannot assume the role")
        return PlaceImport(files={}, result=ImportResult(project="shop", directory=tmp_path))

    counted: list[int] = []
    done = import_places(
        READ, read, tmp_path, "shop", lambda exc, _: str(exc), read_one=lambda: counted.append(1)
    )

    assert len(counted) == len(READ) == 4
    assert [str(place.account_name) for place, _ in done.failed] == ["staging", "staging"]


def test_owned_resources_are_matched_to_the_items_that_stand_for_them() -> None:
    from sentinel.importer.owned import owned_items

    files = {
        Path("alarms/critical.yaml"): (
            "",
            {
                "alarms": [{"name": "queues-{id}"}, {"name": "cpu"}],
                "composites": [{"name": "down", "aws_name": "shop-down-legacy"}],
            },
            Counter(),
        ),
        Path("dashboards/overview.yaml"): ("", {"dashboards": [{"name": "overview"}]}, Counter()),
        # Outside the config folders, not read by a plan: what it holds is not written.
        Path("unrouted-alarms.yaml"): ("", {"alarms": [{"name": "quiet"}]}, Counter()),
    }
    alarms_of_rule = {
        "queues-{id}": ["shop-queues-a", "shop-queues-b"],
        "cpu": ["shop-cpu"],
        "quiet": ["shop-quiet"],
    }
    owned = {
        ("alarm", "shop-queues-b"),
        ("composite alarm", "shop-down-legacy"),
        ("dashboard", "shop-overview"),
        ("alarm", "shop-quiet"),
        ("budget", "shop-gone"),
        ("topic", "shop-critical"),
        ("alarm", "Outside The Prefix"),  # a plan reads it only while its config names it
    }

    items, unwritten = owned_items(files, alarms_of_rule, owned, "shop")

    assert items == {
        ("alarms", "queues-{id}"): [("alarm", "shop-queues-b")],
        ("composites", "down"): [("composite alarm", "shop-down-legacy")],
        ("dashboards", "overview"): [("dashboard", "shop-overview")],
    }
    assert unwritten == [("alarm", "shop-quiet"), ("budget", "shop-gone")]
