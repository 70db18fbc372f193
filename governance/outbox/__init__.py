"""The outbox: background work recorded as rows in the same transaction as the change.

A Celery message only carries a job's id; the row is the truth. See docs/pipeline.md.
"""
