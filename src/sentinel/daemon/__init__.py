"""The daemon: scheduled jobs from monitors/, a run ledger, a persistent job store.

Features register jobs by appending ``"module:ATTRIBUTE"`` (a ``JobSpec``) to
``sentinel.daemon.jobs.ALL``; the daemon schedules every job whose configuration is present.
"""
