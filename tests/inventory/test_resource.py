from __future__ import annotations

import pytest

from sentinel.inventory import Resource


def db(tags: dict[str, str] | None = None) -> Resource:
    return Resource(
        type="rds:db",
        id="orders",
        arn="arn:aws:rds:us-east-1:123456789012:db:orders",
        region="us-east-1",
        account="123456789012",
        tags=tags or {},
        attributes={"engine": "postgres"},
    )


def test_name_is_the_name_tag_or_the_id() -> None:
    assert db({"Name": "Orders DB"}).name == "Orders DB"
    assert db().name == "orders"


def test_exact_tag_value_matches() -> None:
    resource = db({"Environment": "production", "Team": "payments"})
    assert resource.matches({"Environment": "production"})
    assert resource.matches({"Environment": "production", "Team": "payments"})
    assert not resource.matches({"Environment": "Production"})
    assert not resource.matches({"Environment": "production", "Team": "search"})


def test_any_of_a_list_of_values_matches() -> None:
    resource = db({"Environment": "staging"})
    assert resource.matches({"Environment": ["production", "staging"]})
    assert not resource.matches({"Environment": ["production", "dev"]})


def test_a_resource_without_the_key_never_matches() -> None:
    assert not db({"Team": "payments"}).matches({"Environment": "production"})
    assert not db().matches({"Environment": ["production", ""]})


def test_no_filter_matches_everything() -> None:
    assert db().matches(None)
    assert db().matches({})


def test_resources_cannot_be_changed_in_place() -> None:
    resource = db({"Environment": "production"})
    with pytest.raises(TypeError):
        resource.tags["Environment"] = "dev"  # type: ignore[index]
    with pytest.raises(TypeError):
        resource.attributes["engine"] = "mysql"  # type: ignore[index]


def test_resources_are_hashable_and_compare_by_value() -> None:
    assert db({"A": "1"}) == db({"A": "1"})
    assert len({db({"A": "1"}), db({"A": "1"})}) == 1


def test_as_dict_is_plain_data() -> None:
    data = db({"Name": "Orders DB"}).as_dict()
    assert data["name"] == "Orders DB"
    assert data["tags"] == {"Name": "Orders DB"}
    assert type(data["attributes"]) is dict
