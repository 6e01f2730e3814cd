"""The daemon: scheduled jobs from monitors/, a run ledger, a persistent job store.

Features register jobs by appending ``"module:ATTRIBUTE"`` (a ``JobSpec``) to
``sentinel.daemon.jobs.ALL``; the daemon schedules every job whose configuration is present.
"""

# How long a running job's claim lasts unrenewed (``ledger.LEASE``); here, where the CLI's
# options read it without loading the store.
LEASE_SECONDS = 45.0
