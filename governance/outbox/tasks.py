"""Celery entry points for the outbox: a message carries a job's id and nothing else."""

from celery import shared_task

from governance.outbox import services


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def run_job(job_id: int) -> str:
    """Do job ``job_id`` if it still needs doing (a repeated message does nothing)."""
    return services.run(job_id)


@shared_task(ignore_result=True)
def sweep_outbox() -> str:
    """Every minute: release jobs of vanished workers, send what never reached the broker."""
    return str(services.sweep())
