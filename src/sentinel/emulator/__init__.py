"""The local AWS emulator: moto's server with Sentinel's extensions and a seeded demo account.

``sentinel.emulator.server.start_server()`` runs it; ``sentinel.emulator.demo`` seeds the demo
account and holds its ground truth. Importing this package stays cheap: moto is imported by the
modules that need it.
"""

from __future__ import annotations

import importlib.util

from sentinel.errors import SentinelError

# What the `local` extra installs: moto's server (with flask) and cryptography (the stand-ins' TLS).
LOCAL_MODULES = ("moto", "flask", "werkzeug", "cryptography")


def require_local(feature: str) -> None:
    """Fail, saying how to install it, when the `local` extra (the emulator) is missing."""
    missing = [name for name in LOCAL_MODULES if not _installed(name)]
    if missing:
        raise SentinelError(
            f"{feature} needs the local AWS emulator, which is not installed (missing: "
            f"{', '.join(missing)}); install sentinel-aws[local]: pip install 'sentinel-aws[local]'"
        )


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False
