"""One way to reach AWS, real or emulated."""

from sentinel.aws.session import ApiCallCounter, SessionFactory

__all__ = ["ApiCallCounter", "SessionFactory"]
