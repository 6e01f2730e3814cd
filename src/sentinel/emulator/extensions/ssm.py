"""SSM Parameter Store writes one at a time, as AWS makes them.

AWS creates a parameter atomically: of two PutParameter calls with ``Overwrite=False`` for one
name, exactly one succeeds and the other gets ParameterAlreadyExists; the apply lock relies on
it. moto checks for the name and appends the version in two steps, so two threads of one test
process can both pass the check and both "create" it. Here every write and read of the
parameter store holds one lock, which makes each call atomic as in AWS.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

from moto.ssm.models import SimpleSystemManagerBackend

_lock = threading.RLock()
_ATOMIC = ("put_parameter", "delete_parameter", "delete_parameters", "get_parameter")
_MARK = "_sentinel_atomic"


def install() -> None:
    for name in _ATOMIC:
        method = getattr(SimpleSystemManagerBackend, name)
        if not getattr(method, _MARK, False):
            setattr(SimpleSystemManagerBackend, name, _atomic(method))


def _atomic(method: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(method)
    def call(*args: Any, **kwargs: Any) -> Any:
        with _lock:
            return method(*args, **kwargs)

    setattr(call, _MARK, True)
    return call
