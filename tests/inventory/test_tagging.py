"""Tags read through the Tagging API: every page of GetResources, for the whole type."""

from __future__ import annotations

from sentinel.aws.session import SessionFactory
from sentinel.inventory import Inventory


def test_queues_tagged_on_every_page_keep_their_tags(
    aws: SessionFactory, small_tagging_pages: int
) -> None:
    sqs = aws.client("sqs")
    for n in range(40):
        sqs.create_queue(QueueName=f"orders-{n:02d}", tags={"Team": "shop", "Index": str(n)})

    queues = Inventory(aws, ["us-east-1"]).all(["sqs:queue"])

    assert len(queues) == 40 > 2 * small_tagging_pages
    assert {q.id.rsplit("/", 1)[-1]: q.tags for q in queues} == {
        f"orders-{n:02d}": {"Team": "shop", "Index": str(n)} for n in range(40)
    }
