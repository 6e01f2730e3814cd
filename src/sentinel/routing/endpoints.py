"""Where PagerDuty and Slack are: their public APIs unless the environment says otherwise.

PagerDuty's EU service region, a corporate proxy's CA, or a local stand-in in tests and the demo
are all a matter of these variables; nothing else in the router knows the URLs.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import certifi

PAGERDUTY_EVENTS_URL = "SENTINEL_PAGERDUTY_EVENTS_URL"
PAGERDUTY_API_URL = "SENTINEL_PAGERDUTY_API_URL"
SLACK_API_URL = "SENTINEL_SLACK_API_URL"
CA_BUNDLE = "SENTINEL_CA_BUNDLE"
EMAIL_FROM = "SENTINEL_EMAIL_FROM"


@dataclass(frozen=True)
class ServiceEndpoints:
    pagerduty_events: str = "https://events.pagerduty.com"
    pagerduty_api: str = "https://api.pagerduty.com"
    slack_api: str = "https://slack.com/api/"
    ca_bundle: str | None = None
    email_from: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> ServiceEndpoints:
        env = os.environ if env is None else env
        defaults = cls()
        slack = env.get(SLACK_API_URL) or defaults.slack_api
        return cls(
            pagerduty_events=(env.get(PAGERDUTY_EVENTS_URL) or defaults.pagerduty_events).rstrip(
                "/"
            ),
            pagerduty_api=(env.get(PAGERDUTY_API_URL) or defaults.pagerduty_api).rstrip("/"),
            slack_api=slack if slack.endswith("/") else slack + "/",
            ca_bundle=env.get(CA_BUNDLE) or None,
            email_from=env.get(EMAIL_FROM) or None,
        )

    @cached_property
    def ssl_context(self) -> ssl.SSLContext:
        """The public CAs, plus the extra bundle when one is given (a proxy or a stand-in)."""
        context = ssl.create_default_context(cafile=certifi.where())
        if self.ca_bundle:
            context.load_verify_locations(cafile=self.ca_bundle)
        return context
