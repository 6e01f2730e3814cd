"""What each command's exit code means, in one table a CI script can rely on.

0 is success; 1 is an error of any kind (invalid configuration, AWS unreachable or refusing,
a refused or failed change, and a usage error such as an unknown option); 2 is never an error:
it means "there are changes" (``plan --detailed-exitcode``), "there is drift" (``drift``) or
"resources break the tagging rules" (``tags audit``). Usage errors exit 1, not click's 2, so
that a typo in a CI job's flags can never pass for "changes found".
"""

from __future__ import annotations

OK = 0
ERROR = 1
USAGE_ERROR = ERROR
CHANGES = 2

_ERROR = "an error: invalid configuration, a usage error, or an AWS failure"
_LOCAL = "an error: invalid configuration or a usage error"
_COST = (
    f"{_ERROR} (no credentials, AWS unreachable); a refused or failing Cost Explorer query is "
    "reported as missing data instead"
)

# Every command of the CLI, as its words after `sentinel`: what each exit code means.
EXIT_CODES: dict[str, dict[int, str]] = {
    "validate": {OK: "the configuration is valid", ERROR: _LOCAL},
    "init": {
        OK: "the starter configuration was written",
        ERROR: f"{_ERROR}, a bad --email or --project, or a non-empty directory without --force",
    },
    "schema": {OK: "the schemas were printed or written", ERROR: _LOCAL},
    "local": {OK: "the emulator ran and was stopped", ERROR: _ERROR},
    "demo": {OK: "every demo step did what it should", ERROR: f"{_ERROR}, or a demo step failed"},
    "inventory": {OK: "the resources were listed", ERROR: _ERROR},
    "plan": {
        OK: "the plan was shown (with --detailed-exitcode: there are no changes)",
        ERROR: f"{_ERROR}, the account is not in `accounts:`, or a --target matches nothing",
        CHANGES: "with --detailed-exitcode: there are changes",
    },
    "apply": {
        OK: "every change was applied, or there was nothing to change",
        ERROR: f"{_ERROR}, the account is not in `accounts:`, apply was refused or cancelled, "
        "another apply holds the lock, a change failed, or a saved plan is unreadable, of "
        "another project or stale",
    },
    "unlock": {
        OK: "the apply lock was broken, or none was held",
        ERROR: f"{_ERROR}, or the lock is still refreshed and --force was not given",
    },
    "import": {
        OK: "the configuration was written (what it could not represent is listed)",
        ERROR: f"{_ERROR}, no project name, or a directory that is not empty without --force",
    },
    "drift": {
        OK: "AWS matches the configuration",
        ERROR: f"{_ERROR}, or the account is not in `accounts:`",
        CHANGES: "there is drift",
    },
    "tags audit": {
        OK: "every resource complies (with --fix: after the tags were added)",
        ERROR: f"{_ERROR}, with --fix: the account is not in `accounts:`, the fix was refused "
        "or cancelled, or a tag could not be added",
        CHANGES: "resources break the tagging rules (with --fix: still, after the fix)",
    },
    "cost report": {OK: "the report was shown or posted", ERROR: _COST},
    "cost anomalies": {OK: "the anomalies were listed (none is also 0)", ERROR: _COST},
    "slo status": {OK: "the status was shown", ERROR: _ERROR},
    "slo review": {OK: "the review was shown or posted", ERROR: _ERROR},
    "rightsize": {OK: "the recommendations were shown", ERROR: _ERROR},
    "route": {
        OK: "the router stopped cleanly (--drain: the queue was handled)",
        ERROR: f"{_ERROR} at start (once running, an outage is waited out), or the account is "
        "not in `accounts:`",
    },
    "oncall": {OK: "the on-call answer was shown", ERROR: _ERROR},
    "maintenance": {OK: "the maintenance windows were listed", ERROR: _ERROR},
    "silence add": {
        OK: "the silence was added (a pattern matching no configured alarm only warns)",
        ERROR: f"{_LOCAL} (no end, an end in the past, longer than 30 days, no reason), or the "
        "store cannot be opened or reached",
    },
    "silence list": {OK: "the silences were listed", ERROR: f"{_LOCAL}, or the store failed"},
    "silence expire": {
        OK: "the silence was expired, or had ended already",
        ERROR: f"{_LOCAL}, no silence has the ID, or the store failed",
    },
    "daemon": {
        OK: "the daemon stopped cleanly (--once: the job succeeded or had run for the period)",
        ERROR: f"{_ERROR}, the account is not in `accounts:`, no job is configured, "
        "or the --once job failed",
    },
    "daemon status": {OK: "the jobs were listed", ERROR: _LOCAL},
    "db status": {
        OK: "the store's revision was shown (an upgrade may be needed: it says so)",
        ERROR: f"{_LOCAL}, or the store cannot be opened or reached",
    },
    "db upgrade": {
        OK: "the store is at this Sentinel's newest revision",
        ERROR: f"{_LOCAL}, the store cannot be opened or reached, or it is newer than this "
        "Sentinel",
    },
    "iam-policy": {OK: "the policy was printed", ERROR: _LOCAL},
}


def markdown() -> str:
    """The table as Markdown: one row per command, a column per exit code."""
    lines = ["| command | 0 | 1 | 2 |", "|---|---|---|---|"]
    for command, codes in EXIT_CODES.items():
        cells = [codes.get(code, "—") for code in (OK, ERROR, CHANGES)]
        lines.append(f"| `sentinel {command}` | " + " | ".join(cells) + " |")
    return "\n".join(lines)
