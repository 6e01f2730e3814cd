"""Accounts of organizational units, found through AWS Organizations.

From the management account (or one delegated to administer Organizations): the accounts
directly in each unit of ``organization.ous`` and in every unit under it, recursively,
ListAccountsForParent and ListOrganizationalUnitsForParent in pages of ``PAGE_SIZE``.
Only ACTIVE accounts are worked in; ``exclude`` leaves accounts out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import botocore.exceptions

from sentinel.aws.failures import AWS_FAILURES, describe

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory
    from sentinel.config.models.project import Organization

# The most both calls return a page (MaxResults, 1 to 20).
PAGE_SIZE = 20
# What finding the accounts calls, with the caller's credentials (the IAM policy's).
CALLS = (
    "organizations:ListAccountsForParent",
    "organizations:ListOrganizationalUnitsForParent",
)


@dataclass(frozen=True)
class MemberAccount:
    id: str
    name: str


@dataclass
class Discovery:
    """The accounts found, in the order met, and why a unit could not be read."""

    accounts: list[MemberAccount] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def organization_accounts(factory: SessionFactory, organization: Organization) -> Discovery:
    found = Discovery()
    client = factory.client("organizations")
    seen: set[str] = set(organization.exclude)
    for ou in organization.ous:
        try:
            accounts = _accounts_under(client, ou)
        except botocore.exceptions.ClientError as exc:
            found.problems.append(_unit_problem(ou, exc))
            continue
        except AWS_FAILURES as exc:
            found.problems.append(f"cannot list the accounts of {ou}: {describe(exc)}")
            continue
        for account in accounts:
            if account.id not in seen:
                seen.add(account.id)
                found.accounts.append(account)
    return found


def _accounts_under(client: object, parent: str) -> list[MemberAccount]:
    accounts: list[MemberAccount] = []
    pending = [parent]
    while pending:
        unit = pending.pop(0)
        pages = client.get_paginator("list_accounts_for_parent").paginate(  # type: ignore[attr-defined]
            ParentId=unit, PaginationConfig={"PageSize": PAGE_SIZE}
        )
        for page in pages:
            accounts.extend(
                MemberAccount(str(a["Id"]), str(a.get("Name") or a["Id"]))
                for a in page["Accounts"]
                if a.get("Status", "ACTIVE") == "ACTIVE"
            )
        pages = client.get_paginator("list_organizational_units_for_parent").paginate(  # type: ignore[attr-defined]
            ParentId=unit, PaginationConfig={"PageSize": PAGE_SIZE}
        )
        for page in pages:
            pending.extend(str(child["Id"]) for child in page["OrganizationalUnits"])
    return accounts


def _unit_problem(ou: str, exc: botocore.exceptions.ClientError) -> str:
    code = str(exc.response.get("Error", {}).get("Code") or "")
    if code == "ParentNotFoundException":
        return (
            f"organizational unit {ou} does not exist in the organization (`organization.ous` "
            "of sentinel.yaml): its accounts were not worked in"
        )
    if code == "AWSOrganizationsNotInUseException":
        return "the credentials' account is not in an organization: `organization:` needs one"
    return f"cannot list the accounts of {ou}: {describe(exc)}"
