"""``router.account``: the account of the one router queue must be one of sentinel.yaml's."""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.models import Routing


def check_router_account(model: Routing, source: Source, build: Assembly) -> None:
    router = model.router
    if router is None or router.account is None:
        return
    accounts = build.config.project.accounts
    if any(router.account in (account.id, account.name) for account in accounts):
        return
    known = ", ".join(f"{account.name} ({account.id})" for account in accounts)
    build.problem(
        source.where("router", "account"),
        f"router account {router.account!r} is not one of sentinel.yaml's `accounts:` "
        f"({known or 'none listed'}): name one of them by name or id",
    )
