"""The right account: commands that write (or plan writes) run only in the listed accounts.

Like Terraform's ``allowed_account_ids``: when ``sentinel.yaml`` lists ``accounts:``, the
account the credentials belong to (STS GetCallerIdentity, one call a run) must be one of them.
A project that lists no account is not checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sentinel.errors import AwsError

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory
    from sentinel.config import Config


class WrongAccountError(AwsError):
    """The credentials are for an account the configuration does not list."""


def check_account(factory: SessionFactory, config: Config) -> str | None:
    """The caller's account id when ``accounts:`` lists it (None when nothing is listed)."""
    accounts = config.project.accounts
    if not accounts:
        return None
    caller = factory.caller_account()
    if any(account.id == caller for account in accounts):
        return caller
    listed = ", ".join(f"{account.id} ({account.name})" for account in accounts)
    raise WrongAccountError(
        f"the AWS credentials are for account {caller}, which {config.root / 'sentinel.yaml'} "
        f"does not list in `accounts:` ({listed}); use credentials for a listed account, or "
        f"add {caller} there"
    )
