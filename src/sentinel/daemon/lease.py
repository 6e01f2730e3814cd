"""Keeping a claim: a thread renews its lease while the job runs, and notices a takeover."""

from __future__ import annotations

import logging
import threading
from types import TracebackType

from sqlalchemy.exc import SQLAlchemyError

from sentinel.daemon.ledger import Run, RunLedger

log = logging.getLogger("sentinel.daemon")


class LeaseKeeper:
    """``with LeaseKeeper(ledger, run):`` renews ``run``'s lease every ``ledger.renew_every``
    until the block ends; ``lost`` tells whether another holder took the run over meanwhile.

    A renewal the store refuses (unreachable) is tried again at the next interval: if the
    store stays away longer than the lease, another daemon may take the run over, and this
    one learns it when the store answers again.
    """

    def __init__(self, ledger: RunLedger, run: Run) -> None:
        self.ledger = ledger
        self.run = run
        self.lost = False
        self._done = threading.Event()
        self._thread = threading.Thread(
            target=self._renew, name=f"lease {run.job} {run.period}", daemon=True
        )

    def __enter__(self) -> LeaseKeeper:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        # No join: the thread ends at its next wake-up, and a renewal then finds the run
        # finished (not running), which is not a takeover.
        self._done.set()

    def _renew(self) -> None:
        interval = self.ledger.renew_every.total_seconds()
        while not self._done.wait(interval):
            try:
                renewed = self.ledger.renew(self.run)
            except SQLAlchemyError as exc:
                log.warning("job %s: lease not renewed: %s", self.run.job, exc)
                continue
            if renewed or self._done.is_set():
                continue
            self.lost = True
            current = self.ledger.get(self.run.job, self.run.period)
            log.warning(
                "job %s: the run for %s was taken over by %s; this run's result is not recorded",
                self.run.job,
                self.run.period,
                current.holder if current else "another daemon",
            )
            return
