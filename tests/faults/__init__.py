"""Fault tests: real Celery workers, beat and a Redis of their own, against a PostgreSQL
database of their own, with processes killed mid-batch (see harness.py)."""
