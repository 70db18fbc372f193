"""Workers killed mid-batch, and a document that can never be rendered.

Each test changes what every school's notices show (their phone numbers) and queues one batch
re-rendering every document, breaks something while the workers are at it, waits (bounded)
until no render job is open, and counts the versions issued: every document exactly once.
"""

import pytest

from tests.faults import harness

pytestmark = pytest.mark.skipif(
    harness.unavailable() is not None, reason=str(harness.unavailable())
)


def attempts_figures(jobs: list[dict]) -> dict[str, int]:
    return {
        "jobs": len(jobs),
        "taken_over": sum(job["attempts"] > 1 for job in jobs),
        "max_attempts": max((job["attempts"] for job in jobs), default=0),
    }


def test_a_batch_without_faults_runs_every_job_once(world) -> None:
    """The control: what a batch costs here, and that no job needs a second attempt when
    nothing is broken (a job skipped by a live worker waits for the sweeper's release)."""
    before = world.snapshot()
    change = world.change_every_school("no fault")
    world.wait_quiet()

    figures = world.verify("none", before, hashes=change["hashes"])
    jobs = world.jobs_since(before)
    # The batch is sent in one go under one stamp: a job stamped later was sent again by the
    # sweeper, its first message wasted.
    stamps = sorted({job["sent_at"] for job in jobs if job["sent_at"] is not None})
    resent = [job["id"] for job in jobs if job["sent_at"] not in (None, *stamps[:1])]
    figures.extra.update(resent=len(resent), **attempts_figures(jobs))
    harness.record(figures, world.results)
    world.assert_exactly_once(figures)
    again = [(job["id"], job["audience"], job["attempts"]) for job in jobs if job["attempts"] > 1]
    assert not again, f"jobs attempted more than once with nothing broken: {again}"
    assert not resent, f"jobs whose first message did nothing (sent again): {resent}"


def test_pool_processes_killed_twice_during_one_batch(world) -> None:
    before = world.snapshot()
    change = world.change_every_school("pool processes killed")

    world.wait_rendering()  # a render is in progress in a pool process
    first = world.worker.kill_children()
    replaced = harness.wait_for(
        lambda: [pid for pid in world.worker.children() if pid not in first],
        timeout=30,
        what="the worker to replace its killed pool processes",
    )
    world.wait_rendering(by=replaced)  # and again, in one of the new ones
    open_at_second_kill = world.open_jobs()
    second = world.worker.kill_children()
    world.wait_quiet()

    figures = world.verify("pool_processes_sigkilled_twice", before, hashes=change["hashes"])
    figures.extra.update(
        killed=len(first) + len(second),
        open_at_second_kill=open_at_second_kill,
        **attempts_figures(world.jobs_since(before)),
    )
    harness.record(figures, world.results)
    assert open_at_second_kill > 0, "the second kill came after the batch had finished"
    world.assert_exactly_once(figures)


def test_main_process_killed_mid_batch_and_a_new_worker_started(world) -> None:
    """The killed worker's reserved messages stay unacknowledged in Redis until the
    visibility timeout (30 minutes): the outbox's sweeper must send their jobs again."""
    before = world.snapshot()
    change = world.change_every_school("main process killed")

    rendering = world.wait_rendering()
    killed = world.worker.kill_main()
    world.start_worker()
    world.wait_quiet()

    figures = world.verify("worker_main_sigkilled", before, hashes=change["hashes"])
    figures.extra.update(
        killed=len(killed),
        rendering_at_kill=len(rendering),
        **attempts_figures(world.jobs_since(before)),
    )
    harness.record(figures, world.results)
    world.assert_exactly_once(figures)


def test_a_poison_document_fails_once_and_the_rest_of_the_batch_renders(world) -> None:
    """The poison: one school's own purpose relies on a lawful basis whose kind the code
    does not know (see inside.POISON_KIND), so building its notices raises KeyError."""
    schools = world.published_schools()
    poison = schools[-1]  # a cloned school: nobody else shows its own purposes
    before = world.snapshot()
    change = world.change_every_school("poison document", poison_school_id=poison)
    world.wait_quiet()

    figures = world.verify("poison_document", before, hashes=change["hashes"], poisoned=[poison])
    jobs = world.jobs_since(before)
    poisoned = [job for job in jobs if job["school_id"] == poison]
    new_versions = sum(
        number > before.newest[f"{poison}:{audience}"][0]
        for audience, number in world.query(
            "SELECT audience, number FROM notices_noticeversion WHERE school_id = %s", [poison]
        )
    )
    figures.extra.update(
        poison_jobs=len(poisoned),
        poison_failed=sum(job["status"] == "failed" for job in poisoned),
        poison_attempts=sum(job["attempts"] for job in poisoned),
    )
    harness.record(figures, world.results)

    assert sorted(job["audience"] for job in poisoned) == ["pupils", "workforce"], poisoned
    for job in poisoned:
        assert job["status"] == "failed", job
        assert job["attempts"] == 1, f"a non-transient error was retried: {job}"
        assert "KeyError" in job["error"], job
        assert harness.POISON_KIND in job["error"], job
    assert new_versions == 0, "the poison school issued a version"
    world.assert_exactly_once(figures, documents=2 * (len(schools) - 1))
