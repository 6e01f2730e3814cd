"""What every kind needs while planning and applying: config, AWS, inventory, names."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from sentinel.aws.regions import partition_of
from sentinel.naming import ownership_tags, prefix, severity_topic

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory
    from sentinel.config import Config
    from sentinel.inventory import Inventory

T = TypeVar("T")


@dataclass
class SyncContext:
    config: Config
    factory: SessionFactory
    region: str
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    # Every alarm asks for its severity's topic: thousands of rules share a few.
    _topic_arns: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    # What the kinds of one plan read more than once (the project's metric alarms, its topics,
    # owners' tags): read once while a plan runs, None outside one, so that a plan made after
    # an apply reads AWS again.
    _reads: dict[Hashable, Any] | None = field(default=None, init=False, repr=False)

    @contextmanager
    def planning(self) -> Iterator[None]:
        """While a plan runs: reads made through ``read_once`` are made once (nested: the
        outermost plan's)."""
        with self._lock:
            outer = self._reads is None
            if outer:
                self._reads = {}
        try:
            yield
        finally:
            if outer:
                with self._lock:
                    self._reads = None

    def read_once(self, key: Hashable, read: Callable[[], T]) -> T:
        """``read()``, or while a plan runs, what it gave the first time this plan asked."""
        with self._lock:
            reads = self._reads
            if reads is not None and key in reads:
                return reads[key]
        value = read()
        if reads is not None:
            with self._lock:
                reads.setdefault(key, value)
        return value

    def plan_memo(self, name: str) -> dict[Any, Any] | None:
        """A dict the kinds of the running plan share under ``name`` (None outside a plan)."""
        with self._lock:
            if self._reads is None:
                return None
            memo = self._reads.setdefault(("memo", name), {})
            assert isinstance(memo, dict)
            return memo

    @property
    def project(self) -> str:
        return self.config.name

    @property
    def prefix(self) -> str:
        return prefix(self.project)

    def client(self, service: str) -> Any:
        return self.factory.client(service, region=self.region)

    def client_in(self, service: str, region: str) -> Any:
        """A client of another region, for what AWS keeps in one region only."""
        return self.factory.client(service, region=region)

    @cached_property
    def account_id(self) -> str:
        return self.factory.caller_account()

    @cached_property
    def partition(self) -> str:
        # From the region, in botocore's data (as its clients resolve it): no request, and no
        # client made for it.
        return partition_of(self.region)

    def arn(self, service: str, resource: str, regional: bool = True) -> str:
        """The ARN of one of this account's resources (``regional=False`` for global ones)."""
        region = self.region if regional else ""
        return f"arn:{self.partition}:{service}:{region}:{self.account_id}:{resource}"

    @cached_property
    def inventory(self) -> Inventory:
        from sentinel.inventory import Inventory

        return Inventory(self.factory, regions=[self.region])

    def secret(self, reference: str) -> str:
        """The value of a secret reference (env:, ssm:, secretsmanager:), resolved now."""
        from sentinel.config.secrets import resolve_secret

        return resolve_secret(reference, self.factory)

    @property
    def tags(self) -> dict[str, str]:
        """Tags on every managed resource: the project's defaults and ownership."""
        return {**self.config.project.tags, **ownership_tags(self.project)}

    def topic_name(self, severity: str) -> str:
        return severity_topic(self.config, severity)

    def topic_arn(self, severity: str) -> str:
        arn = self._topic_arns.get(severity)
        if arn is None:
            arn = self._topic_arns[severity] = self.arn("sns", self.topic_name(severity))
        return arn
