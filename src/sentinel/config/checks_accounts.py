"""Checks of ``accounts:`` that need more than one entry: each account is listed once."""

from __future__ import annotations

from sentinel.config.assembly import Assembly, Source
from sentinel.config.models.project import Project


def check_accounts(model: Project, source: Source, build: Assembly) -> None:
    ids: dict[str, int] = {}
    names: dict[str, int] = {}
    for index, account in enumerate(model.accounts):
        first = ids.setdefault(account.id, index)
        if first != index:
            build.problem(
                source.where("accounts", index, "id"),
                f"account {account.id} is listed twice (also as accounts[{first}])",
            )
        first = names.setdefault(account.name, index)
        if first != index:
            build.problem(
                source.where("accounts", index, "name"),
                f"account name {account.name!r} is used twice (also by accounts[{first}]): "
                "--account NAME must name one account",
            )
    if model.organization is not None:
        listed = {account.id for account in model.accounts}
        for index, excluded in enumerate(model.organization.exclude):
            if excluded in listed:
                build.problem(
                    source.where("organization", "exclude", index),
                    f"account {excluded} is excluded here but listed in `accounts:`",
                )
