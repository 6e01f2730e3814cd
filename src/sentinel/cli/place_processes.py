"""Places planned in processes of their own, each process planning its share with threads.

Once AWS has answered, a place's plan is mostly CPU: botocore turning pages into dicts, the
desired states, the diff. Threads of one interpreter run that on one core at a time, so with
many places the run takes as long as their CPU added up. Forked processes (one a core, at
most ``--parallel``) run it on every core; within each, its share of ``--parallel`` is threads
that wait on AWS together. Only reads are planned this way (plan, drift): apply writes from the
one process that holds the account's lock.

A process gets what the parent had built (the configuration, the session factory and its
credentials) by the fork, and sends back only the outcomes and the calls it counted. It opens
its own connections: the parent's clients and their pools are not used in two processes. A
process that dies (killed, out of memory) loses nothing: the places it had not answered for
are planned again in the parent, in threads.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from rich.console import Console

    from sentinel.aws.places import Place
    from sentinel.aws.session import SessionFactory
    from sentinel.cli.fanout import Outcome

log = logging.getLogger(__name__)

Work = Callable[["Place"], "Outcome"]
Done = TypeVar("Done")
TICK = 0.2  # seconds between two looks at the places done, while they are planned

# What a forked process works with: set in the parent just before the fork.
_job: tuple[Sequence[Place], Work, int, SessionFactory] | None = None


def processes_for(places: Sequence[Place], parallel: int) -> int:
    """How many processes plan these places: one a core, at most ``parallel``; one where
    fork is not safe (macOS's system libraries, Windows has none)."""
    if not sys.platform.startswith("linux"):
        return 1
    cores = len(os.sched_getaffinity(0))
    return max(1, min(cores, parallel, len(places)))


def shares(places: Sequence[Place], processes: int) -> list[list[int]]:
    """The places (their indices) each process plans: runs of consecutive places, as even as
    they can be. The places of an account are consecutive, so an account is in one process
    unless a run ends inside it (then two processes assume its role: one call more)."""
    count = min(processes, len(places))
    size, extra = divmod(len(places), count)
    runs, start = [], 0
    for n in range(count):
        end = start + size + (n < extra)
        runs.append(list(range(start, end)))
        start = end
    return runs


class Progress:
    """The places done, counted by the threads of every process (an integer in shared
    memory, which the forked processes inherit)."""

    def __init__(self, total: int) -> None:
        self.total = total
        self._done = multiprocessing.Value("i", 0)

    def advance(self) -> None:
        with self._done.get_lock():
            self._done.value += 1

    @property
    def done(self) -> int:
        # A place of a process that died is planned again here: counted twice, shown once.
        return min(int(self._done.value), self.total)


Waiting = Callable[[], None]


@contextmanager
def counted_status(
    console: Console, total: int, said: Callable[[int, int], str]
) -> Iterator[tuple[Progress, Waiting]]:
    """A status line saying ``said(done, total)``; yields the count to advance as each place
    is done, and what redraws the line (``waiting``)."""
    progress = Progress(total)

    def text() -> str:
        return said(progress.done, total)

    with console.status(text()) as status:
        yield progress, lambda: status.update(text())


def _wait(futures: Sequence[Future[Any]], waiting: Waiting | None) -> None:
    """Until every future is done; ``waiting`` is called every ``TICK`` seconds meanwhile."""
    pending = set(futures)
    while pending:
        _, pending = wait(pending, timeout=TICK)
        if waiting is not None:
            waiting()


def in_threads(
    places: Sequence[Place],
    work: Callable[[Place], Done],
    parallel: int,
    waiting: Waiting | None = None,
) -> list[Done]:
    """``work`` for every place, ``parallel`` at once, in the places' order."""
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        futures = [pool.submit(work, place) for place in places]
        _wait(futures, waiting)
        return [future.result() for future in futures]


def in_processes(
    places: Sequence[Place],
    work: Work,
    parallel: int,
    factory: SessionFactory,
    waiting: Waiting | None = None,
) -> list[Outcome]:
    """``work`` for every place, in the places' order; the calls the processes made are added
    to the factory's counter. ``waiting`` is called now and then until all are done."""
    global _job
    processes = processes_for(places, parallel)
    if processes < 2:
        return in_threads(places, work, parallel, waiting)
    split = shares(places, processes)
    # --parallel places at once in all: shared out as the places are.
    threads = max(1, parallel // len(split))
    _job = (places, work, threads, factory)
    outcomes: dict[int, Outcome] = {}
    lost: list[int] = []
    try:
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=len(split), mp_context=context) as pool:
            futures = [pool.submit(_plan_share, share) for share in split]
            _wait(futures, waiting)
            for share, future in zip(split, futures, strict=True):
                try:
                    done, calls = future.result()
                except BrokenProcessPool:  # one died (killed, out of memory): none answers
                    lost += share
                    continue
                outcomes.update(zip(share, done, strict=True))
                factory.counter.add(calls)
    finally:
        _job = None
    if lost:
        log.warning(
            "a process planning places ended without answering; its %d place(s) and those of "
            "the processes stopped with it are planned again in this one",
            len(lost),
        )
        again = in_threads([places[index] for index in lost], work, parallel, waiting)
        outcomes.update(zip(lost, again, strict=True))
    return [outcomes[index] for index in range(len(places))]


def _plan_share(share: list[int]) -> tuple[list[Outcome], Counter[tuple[str, str]]]:
    """In the forked process: its places, with threads; the outcomes without their contexts
    (clients and connections stay here) or the states their plans compared (sent, and read
    back, they would take as long as the plan), and the calls made here."""
    assert _job is not None
    places, work, threads, factory = _job
    factory.forked()
    before = factory.counter.snapshot()
    done = in_threads([places[index] for index in share], work, threads)
    for outcome in done:
        outcome.ctx = None
        if outcome.plan is not None:
            outcome.plan = outcome.plan.without_states()
    return done, factory.counter.snapshot() - before
