"""Demo steps of cost governance: the daily report, the seeded anomalies, the daemon's job.

The report is printed and written to report.html with its chart; Slack is left out here (the
delivery to Slack, with its retries and its never-twice ledger, is tested against a local Slack
stand-in), so the secrets and stand-in URLs earlier steps set are dropped for these steps.
"""

from __future__ import annotations

from sentinel.demo.runner import Action, Command, DemoContext, Step

# Earlier demo steps point Slack at stand-ins they have stopped since.
SLACK_SETTINGS = ("SLACK_BOT_TOKEN", "SENTINEL_SLACK_API_URL", "SENTINEL_CA_BUNDLE")


def without_slack(ctx: DemoContext) -> None:
    # The stand-in secrets too: a Slack token of another configuration would post to Slack.
    unset = sorted({*SLACK_SETTINGS, *ctx.stand_in_secrets} & set(ctx.env))
    for name in unset:
        ctx.env.pop(name, None)
    ctx.console.print(
        f"{', '.join(unset) or 'SLACK_BOT_TOKEN'} unset: the report is printed (with Slack "
        "configured it is also posted to monitors/cost.yaml's channel, once a day). "
        "Cost Explorer requests cost $0.01 each; the report counts them."
    )


STEPS: list[Step] = [
    Action("Cost reports: Slack left out of the demo", without_slack),
    Command(
        "The daily cost report of the seeded account, and report.html with its chart",
        ["cost", "report", "--out", "report.html"],
    ),
    Command(
        "Cost anomalies of the last 60 days: the three seeded in the demo account",
        ["cost", "anomalies", "--days", "60"],
    ),
    Command("The daemon's cost report job, run once now", ["daemon", "--once", "cost-report"]),
    Command("The daemon's jobs: schedule, next run, last result", ["daemon", "status"]),
]
