"""Several ``sentinel route`` processes on one queue and one PostgreSQL store, killed at random.

``bench/routing_replicas.py`` runs the same with 1,000 messages (figures in BENCHMARKS.md);
here ``MESSAGES``, fewer, keep the test short.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bench.routing_replicas import run

MESSAGES = 200
KILLS = 4

# Real processes waiting on real time (SQS visibility timeouts, claim leases).
pytestmark = pytest.mark.real_clock


def test_three_replicas_killed_at_random_page_and_post_each_change_once(
    postgres_url: str, tmp_path: Path
) -> None:
    result = run(postgres_url, tmp_path, MESSAGES, KILLS)
    print(result.report())
    assert result.problems() == []
    assert result.kills == KILLS
    assert result.queue == (0, 0) and result.dead_letters == (0, 0)
    assert result.threads and max(result.threads.values()) == 1
    assert len(result.threads) == result.alarms
    assert not result.posts_repeated
