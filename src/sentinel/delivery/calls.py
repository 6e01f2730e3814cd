"""The AWS calls of sending a report to every place monitors/ can name, for `sentinel iam-policy`:
SES for email addresses, SNS (found by name, then published to) for a severity."""

from __future__ import annotations

REPORT_CALLS = ("ses:SendRawEmail", "sns:ListTopics", "sns:Publish")
