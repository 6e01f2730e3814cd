"""Where alerts go: PagerDuty, Slack and email, each with the same small surface."""
