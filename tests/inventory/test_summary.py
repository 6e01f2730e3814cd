from __future__ import annotations

from sentinel.inventory import Resource, summarize


def resource(type_: str, id_: str, environment: str | None) -> Resource:
    tags = {"Environment": environment} if environment else {}
    return Resource(
        type=type_, id=id_, arn=f"arn:{id_}", region="us-east-1", account=None, tags=tags
    )


def test_counts_per_type_and_environment_most_common_first() -> None:
    summaries = summarize(
        [
            resource("rds:db", "a", "staging"),
            resource("rds:db", "b", "production"),
            resource("rds:db", "c", "production"),
            resource("rds:db", "d", None),
            resource("sqs:queue", "q", None),
        ]
    )
    assert [(s.type, s.count) for s in summaries] == [("rds:db", 4), ("sqs:queue", 1)]
    assert list(summaries[0].by_tag.items()) == [("production", 2), ("staging", 1), (None, 1)]
    assert summaries[1].by_tag == {None: 1}


def test_another_tag_key() -> None:
    tagged = Resource(
        type="rds:db", id="a", arn="arn:a", region="us-east-1", account=None, tags={"Team": "x"}
    )
    (summary,) = summarize([tagged], tag_key="Team")
    assert summary.tag_key == "Team"
    assert summary.by_tag == {"x": 1}


def test_nothing_to_summarize() -> None:
    assert summarize([]) == []
