"""Getting Sentinel's reports out, whatever they report: Slack, email (SES), a severity's topic.

Every message goes through the store's outbox (``sentinel.store.outbox``) under a key naming
what it is, so a report is never sent twice to one place, and one that failed is sent again by
the daemon's ``deliveries`` job.
"""
