"""Where a run works: every (account, region) of ``sentinel.yaml``, narrowed on the command line.

A project whose ``accounts:`` give a ``role:`` (or that has an ``organization:`` block) works in
each of those accounts and each of its regions, through the role (an ARN, or a role name in the
account). A project without either works, as always, in the one account the credentials are
for (``accounts:`` then only lists the accounts allowed) and in one region.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sentinel.aws.organization import organization_accounts
from sentinel.aws.regions import partition_of
from sentinel.aws.session import AccountTarget
from sentinel.config.models.project import Project, role_arn
from sentinel.errors import SentinelError

if TYPE_CHECKING:
    from sentinel.aws.session import SessionFactory


class PlaceError(SentinelError):
    """--account or --region names no account or region of the project."""


@dataclass(frozen=True)
class Place:
    """One account and region a run works in; ``home`` is the account's first region, where
    the kinds that are per account rather than per region (budgets) are planned."""

    account_id: str
    account_name: str
    region: str
    role_arn: str | None = None
    home: bool = True

    def __str__(self) -> str:
        return f"account {self.account_name} ({self.account_id}) · {self.region}"

    @property
    def account(self) -> AccountTarget:
        return AccountTarget(account_id=self.account_id, role_arn=self.role_arn)


@dataclass
class Places:
    places: list[Place] = field(default_factory=list)
    # Accounts that could not be found (an organizational unit that does not exist, ...).
    problems: list[str] = field(default_factory=list)


def fans_out(project: Project) -> bool:
    """Whether the project works in several accounts through roles."""
    return project.organization is not None or any(a.role for a in project.accounts)


def project_places(
    project: Project,
    factory: SessionFactory,
    accounts: Sequence[str] = (),
    region: str | None = None,
) -> Places:
    """Every (account, region) of ``project``, narrowed to ``accounts`` (names or ids) and
    ``region``. Raises PlaceError when one of them is not the project's."""
    regions = list(project.regions)
    if region is not None:
        if region not in regions:
            raise PlaceError(
                f"--region {region} is not one of the project's regions ({', '.join(regions)})"
            )
        regions = [region]
    partition = partition_of(project.regions[0])
    found = Places()
    members: list[tuple[str, str, str | None]] = [
        (a.id, a.name, role_arn(a.role, a.id, partition) if a.role else None)
        for a in project.accounts
    ]
    if project.organization is not None:
        discovered = organization_accounts(factory, project.organization)
        found.problems.extend(discovered.problems)
        listed = {account_id for account_id, _, _ in members}
        role = project.organization.role
        members += [
            (a.id, a.name, role_arn(role, a.id, partition))
            for a in discovered.accounts
            if a.id not in listed
        ]
    if accounts:
        members = _narrowed(members, accounts)
    home = project.regions[0]  # the account's first region, whatever --region narrows to
    for account_id, name, arn in members:
        for each in regions:
            found.places.append(Place(account_id, name, each, arn, home=each == home))
    return found


def _narrowed(
    members: list[tuple[str, str, str | None]], wanted: Sequence[str]
) -> list[tuple[str, str, str | None]]:
    unknown = [w for w in wanted if not any(w in (m[0], m[1]) for m in members)]
    if unknown:
        known = ", ".join(f"{name} ({account_id})" for account_id, name, _ in members)
        raise PlaceError(
            f"--account {', '.join(unknown)}: not an account of the project ({known or 'none'})"
        )
    return [m for m in members if m[0] in wanted or m[1] in wanted]
