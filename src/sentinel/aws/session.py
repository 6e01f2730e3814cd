"""Session factory: profile, region, assumed role per account, endpoint, adaptive retries.

Every command gets its clients from one ``SessionFactory`` so that retries, the endpoint
(``AWS_ENDPOINT_URL`` for the local emulator) and the API-call counter apply everywhere.
"""

from __future__ import annotations

import copy
import os
import threading
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.exceptions
import botocore.session
from botocore.config import Config
from botocore.credentials import (
    AssumeRoleCredentialFetcher,
    CredentialProvider,
    CredentialResolver,
    Credentials,
    DeferredRefreshableCredentials,
)

from sentinel import clock
from sentinel.aws.failures import AWS_FAILURES, is_access_denied, translate, watch
from sentinel.aws.regions import region_problem
from sentinel.aws.response_parsing import parse_fast
from sentinel.errors import AwsError

DEFAULT_REGION = "us-east-1"
# An endpoint that does not answer must fail in seconds, not after minutes: AWS answers a
# connection in well under a second, and the slowest call Sentinel makes (a long poll of the
# router queue, 20 s) returns within the read timeout. AWS_MAX_ATTEMPTS and AWS_RETRY_MODE,
# botocore's own settings, override the attempts and the mode.
CONNECT_TIMEOUT = 5
READ_TIMEOUT = 30
MAX_ATTEMPTS = 6
RETRY_MODE = "adaptive"
COST_EXPLORER_REQUEST_USD = 0.01
# The counter records services as botocore's events name them ("cost-explorer", not "ce").
COST_EXPLORER = "cost-explorer"
# Shown in the member account's CloudTrail as the session that made each call.
ROLE_SESSION_NAME = "sentinel"


@dataclass
class ApiCallCounter:
    """Counts AWS API operations (not retries) per service and operation, thread-safe."""

    calls: Counter[tuple[str, str]] = field(default_factory=Counter)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, service: str, operation: str) -> None:
        with self._lock:
            self.calls[(service, operation)] += 1

    def total(self, service: str | None = None, operation: str | None = None) -> int:
        with self._lock:
            return sum(
                n
                for (svc, op), n in self.calls.items()
                if (service is None or svc == service) and (operation is None or op == operation)
            )

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()

    def snapshot(self) -> Counter[tuple[str, str]]:
        with self._lock:
            return Counter(self.calls)

    def add(self, calls: Counter[tuple[str, str]]) -> None:
        """Calls counted elsewhere (a forked process's)."""
        with self._lock:
            self.calls.update(calls)

    def forked(self) -> None:
        """In a forked process: a lock of its own (another thread may have held this one)."""
        self._lock = threading.Lock()

    def rows(self) -> list[tuple[str, str, int]]:
        with self._lock:
            return sorted((svc, op, n) for (svc, op), n in self.calls.items())

    @property
    def cost_explorer_usd(self) -> float:
        """What the Cost Explorer requests made so far cost the user."""
        return self.total(COST_EXPLORER) * COST_EXPLORER_REQUEST_USD


@dataclass(frozen=True)
class AccountTarget:
    """An AWS account to work in; ``role_arn`` is assumed when set."""

    account_id: str | None = None
    role_arn: str | None = None


class SessionFactory:
    """Builds boto3 sessions and cached clients for (account, region).

    Clients are thread-safe in boto3; sessions are not, so sessions are created under a lock
    and clients are cached per (account, service, region).
    """

    def __init__(
        self,
        profile: str | None = None,
        region: str | None = None,
        endpoint_url: str | None = None,
        counter: ApiCallCounter | None = None,
        max_attempts: int | None = None,
        max_pool_connections: int = 32,
        session: boto3.Session | None = None,
    ) -> None:
        self.profile = profile
        self.endpoint_url = endpoint_url
        self.counter = counter or ApiCallCounter()
        self.config = Config(
            connect_timeout=CONNECT_TIMEOUT,
            read_timeout=READ_TIMEOUT,
            retries={
                "mode": os.environ.get("AWS_RETRY_MODE") or RETRY_MODE,
                "total_max_attempts": (
                    max_attempts or _attempts_from_environment() or MAX_ATTEMPTS
                ),
            },
            max_pool_connections=max_pool_connections,
        )
        self._account: str | None = None
        # The account this factory's clients work in unless told another (``for_account``).
        self._default = AccountTarget()
        self._lock = threading.Lock()
        self._sessions: dict[AccountTarget, boto3.Session] = {}
        self._clients: dict[tuple[AccountTarget, str, str], Any] = {}
        try:
            base = session or boto3.Session(profile_name=profile)
        except botocore.exceptions.ProfileNotFound as exc:
            raise AwsError(f"AWS profile not found: {profile}") from exc
        parse_fast(base._session)
        self._instrument(base)
        self._sessions[AccountTarget()] = base
        self.region = region or base.region_name or DEFAULT_REGION
        # The base session's region, whatever region a copy (for_account) is later set to.
        self._base_region = self.region

    def _instrument(self, session: boto3.Session) -> None:
        def on_call(event_name: str, **_: Any) -> None:
            # event_name is "before-call.<service>.<Operation>"
            _event, service, operation = event_name.split(".", 2)
            self.counter.record(service, operation)

        session.events.register("before-call", on_call)
        watch(session.events)

    def forked(self) -> None:
        """In a process forked from the one that made this factory: new locks (another thread
        may have held one at the fork) and clients of its own (the parent's connections are
        not to be shared); the sessions and their credentials are kept."""
        self._lock = threading.Lock()
        self._clients = {}
        self.counter.forked()

    def for_account(self, account: AccountTarget) -> SessionFactory:
        """A factory whose clients work in ``account`` (through its role), sharing this one's
        sessions, clients, settings and counter."""
        bound = copy.copy(self)
        bound._default = account
        # An assumed role's credentials are for the account its ARN names.
        bound._account = account.account_id if account.role_arn else self._account
        return bound

    def caller_account(self) -> str:
        """The id of the account the credentials belong to: one STS call per factory."""
        with self._lock:
            if self._account is not None:
                return self._account
        sts = self.client("sts")
        try:
            account = str(sts.get_caller_identity()["Account"])
        except AWS_FAILURES as exc:
            raise translate(exc) from exc
        with self._lock:
            self._account = account
        return account

    def session(self, account: AccountTarget | None = None) -> boto3.Session:
        account = account or self._default
        with self._lock:
            existing = self._sessions.get(account)
            if existing is not None:
                return existing
        if account.role_arn is None:
            return self._sessions[AccountTarget()]
        assumed = self._assume(account)
        with self._lock:
            return self._sessions.setdefault(account, assumed)

    def _assume(self, account: AccountTarget) -> boto3.Session:
        """A session whose credentials botocore's own assume-role fetcher gets and refreshes.

        Nothing is called here: the first client call assumes the role, and calls made after
        the credentials near their expiry assume it again (a run longer than the role's
        session, such as the daemon, never fails on expired credentials).
        """
        assert account.role_arn is not None
        base = self._sessions[AccountTarget()]
        source = base.get_credentials()
        if source is None:
            raise AwsError(
                f"cannot assume {account.role_arn}: no AWS credentials to assume it with"
            )

        def sts_client(service: str, **credentials: Any) -> Any:
            # In the base session's region, not that of whichever place asked first; under the
            # lock, as boto3 sessions are not thread-safe (--parallel assumes roles at once).
            kwargs: dict[str, Any] = {"region_name": self._base_region, "config": self.config}
            if self.endpoint_url:
                kwargs["endpoint_url"] = self.endpoint_url
            with self._lock:
                return base.client(service, **credentials, **kwargs)

        fetcher = AssumeRoleCredentialFetcher(
            client_creator=sts_client,
            source_credentials=source,
            role_arn=account.role_arn,
            extra_args={"RoleSessionName": ROLE_SESSION_NAME},
        )

        def fetch() -> dict[str, Any]:
            try:
                return fetcher.fetch_credentials()
            except AWS_FAILURES as exc:
                hint = ""
                if is_access_denied(exc):
                    hint = (
                        "; the role must exist in that account and its trust policy must let "
                        "the credentials' account assume it"
                    )
                raise AwsError(f"cannot assume {account.role_arn}: {translate(exc)}{hint}") from exc

        credentials = DeferredRefreshableCredentials(
            refresh_using=fetch, method="assume-role", time_fetcher=clock.now
        )
        core = botocore.session.Session()
        core.register_component("credential_provider", CredentialResolver([_Fixed(credentials)]))
        # The service models, endpoints and partitions the base session has read already, not
        # read and decoded again for every account (their loader caches what it has read);
        # and its parsers (``parse_fast``).
        for component in ("data_loader", "response_parser_factory"):
            core.register_component(component, base._session.get_component(component))
        session = boto3.Session(botocore_session=core, region_name=self.region)
        self._instrument(session)
        return session

    def client(
        self, service: str, region: str | None = None, account: AccountTarget | None = None
    ) -> Any:
        account = account or self._default
        region = region or self.region
        key = (account, service, region)
        with self._lock:
            cached = self._clients.get(key)
        if cached is not None:
            return cached
        problem = region_problem(region)
        if problem:
            raise AwsError(problem)
        session = self.session(account)
        with self._lock:
            if key not in self._clients:
                kwargs: dict[str, Any] = {"region_name": region, "config": self.config}
                if self.endpoint_url:
                    kwargs["endpoint_url"] = self.endpoint_url
                self._clients[key] = session.client(service, **kwargs)
            return self._clients[key]


def _attempts_from_environment() -> int | None:
    value = os.environ.get("AWS_MAX_ATTEMPTS", "").strip()
    if not value:
        return None
    if not value.isdigit() or int(value) < 1:
        raise AwsError(
            f"AWS_MAX_ATTEMPTS={value!r}: expected a whole number of attempts, 1 or more"
        )
    return int(value)


class _Fixed(CredentialProvider):
    """A provider of credentials already made (the assumed role's, refreshing themselves)."""

    METHOD = "assume-role"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self._credentials = credentials

    def load(self) -> Credentials:
        return self._credentials
