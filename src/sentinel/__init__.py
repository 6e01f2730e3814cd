"""Sentinel: monitoring-as-code and cost governance for AWS."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("sentinel-aws")
except PackageNotFoundError:  # running from a source tree without install
    __version__ = "0.0.0"

__all__ = ["__version__"]
