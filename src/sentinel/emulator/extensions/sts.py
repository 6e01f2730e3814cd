"""AssumeRole of a role that exists, as AWS requires.

moto hands out credentials for any role ARN, existing or not ("the role does not need to
exist"), so a configuration naming a role that is missing in a member account would work on
the emulator and fail on AWS. Here AssumeRole answers AccessDenied, with AWS's wording, unless
the role exists in the IAM of the account its ARN names.
"""

from __future__ import annotations

import functools
from typing import Any

from moto.iam.models import iam_backends
from moto.sts.exceptions import STSClientError
from moto.sts.models import STSBackend
from moto.utilities.utils import get_partition

_MARK = "_sentinel_role_must_exist"


class AccessDenied(STSClientError):
    def __init__(self, message: str) -> None:
        super().__init__("AccessDenied", message)


def install() -> None:
    method = STSBackend.assume_role
    if getattr(method, _MARK, False):
        return

    @functools.wraps(method)
    def assume_role(
        self: STSBackend,
        region_name: str,
        role_session_name: str,
        role_arn: str,
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if not _role_exists(role_arn, region_name):
            raise AccessDenied(
                f"User: arn:aws:iam::{self.account_id}:user/sentinel is not authorized to "
                f"perform: sts:AssumeRole on resource: {role_arn}"
            )
        return method(self, region_name, role_session_name, role_arn, *args, **kwargs)

    setattr(assume_role, _MARK, True)
    STSBackend.assume_role = assume_role  # type: ignore[method-assign]


def _role_exists(role_arn: str, region_name: str) -> bool:
    parts = role_arn.split(":", 5)
    if len(parts) != 6 or not parts[4].isdigit():
        return False
    account = parts[4]
    backend = iam_backends[account][get_partition(region_name)]
    try:
        backend.get_role_by_arn(role_arn)
    except Exception:  # moto's IAMNotFoundException: no such role in that account
        return False
    return True
