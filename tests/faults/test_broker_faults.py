"""Redis killed mid-batch (with and without its append-only file), and staff changing things
while Redis is down: nothing is lost, nothing is done twice, nobody re-runs anything."""

import time

import pytest

from tests.faults import harness

pytestmark = pytest.mark.skipif(
    harness.unavailable() is not None, reason=str(harness.unavailable())
)

SLOW_ANSWER = 10.0  # seconds: a request slower than this while Redis is down fails the test
AGREEMENT_RESULTS = {"emailed the DPO", "no DPO address: nothing sent"}


def redis_killed_mid_batch(world, fault: str, *, appendonly: bool) -> harness.Figures:
    before = world.snapshot()
    change = world.change_every_school(fault)

    world.wait_rendering()
    queued = world.redis.queue_length()
    world.redis.kill()
    world.redis.start(appendonly=appendonly)
    requeued = world.redis.queue_length()
    world.wait_quiet()

    figures = world.verify(fault, before, hashes=change["hashes"])
    jobs = world.jobs_since(before)
    figures.extra.update(
        queued_at_kill=queued,
        queued_after_restart=requeued,
        taken_over=sum(job["attempts"] > 1 for job in jobs),
        max_attempts=max(job["attempts"] for job in jobs),
    )
    harness.record(figures, world.results)
    return figures


def test_redis_killed_mid_batch_and_restarted_from_its_append_only_file(world) -> None:
    figures = redis_killed_mid_batch(world, "redis_sigkilled_appendonly", appendonly=True)
    world.assert_exactly_once(figures)


def test_redis_killed_mid_batch_and_restarted_empty(world) -> None:
    """No append-only file: the queue, and the record of unacknowledged messages, are gone."""
    world.redis.stop()
    world.redis.start(appendonly=False, wipe=True)
    try:
        figures = redis_killed_mid_batch(world, "redis_sigkilled_no_appendonly", appendonly=False)
        assert figures.extra["queued_at_kill"], "the kill came after the queue had drained"
        assert figures.extra["queued_after_restart"] == 0, "Redis kept its queue"
        world.assert_exactly_once(figures)
    finally:
        world.redis.stop()
        world.redis.start(appendonly=True, wipe=True)


def test_a_registry_edit_while_redis_is_down_answers_at_once_and_renders_later(world) -> None:
    """Staff change the lawful basis every notice relies on in the admin while Redis is down:
    the page answers as usual, and the jobs go out when Redis is back (the beat sweeper)."""
    before = world.snapshot()
    world.redis.stop()
    try:
        edit = world.inside("admin_edit", text="We must use it to comply with the law (faults).")
        unsent = world.query(
            "SELECT count(*), count(*) FILTER (WHERE sent_at IS NULL) FROM outbox_job"
            " WHERE id > %s AND kind = 'notice' AND status = 'pending'",
            [before.last_job],
        )[0]
    finally:
        world.redis.start(appendonly=True)
    world.wait_quiet()

    figures = world.verify("registry_edit_while_redis_down", before)
    figures.extra.update(
        response=edit["status"],
        response_seconds=edit["seconds"],
        page_seconds=edit["get_seconds"],
        jobs_while_down=unsent[0],
        unsent_while_down=unsent[1],
    )
    harness.record(figures, world.results)

    assert edit["get_status"] == 200, edit
    assert edit["status"] == 302, f"the admin answered {edit['status']}: {edit}"
    assert edit["seconds"] <= SLOW_ANSWER, f"the admin took {edit['seconds']} s to answer"
    documents = 2 * len(world.published_schools())
    assert unsent == (documents, documents), f"jobs written (and unsent) while down: {unsent}"
    world.assert_exactly_once(figures, documents=documents)


def test_an_agreement_published_while_redis_is_down_asks_every_school_once(world) -> None:
    before = world.snapshot()
    world.redis.stop()
    try:
        published = world.inside("publish_agreement")
    finally:
        world.redis.start(appendonly=True)
    world.wait_quiet(kinds=["agreement_email"])

    jobs = world.jobs_since(before, kind="agreement_email")
    done = [job for job in jobs if job["status"] == "done"]
    schools = [job["school_id"] for job in jobs]
    parties = published["parties"]
    repeated = len(schools) - len(set(schools)) + sum(max(j["attempts"] - 1, 0) for j in jobs)
    figures = harness.Figures(
        "agreement_published_while_redis_down",
        expected=len(parties),
        issued=len(done),
        lost=len(set(parties) - {job["school_id"] for job in done}),
        duplicated=repeated,
        seconds=0.0,
        extra={
            "publish_seconds": published["seconds"],
            "unsent_while_down": published["unsent"],
            "results": "|".join(sorted({job["result"] for job in jobs})).replace(" ", "_"),
        },
    )
    figures.seconds = time.monotonic() - before.taken
    if world.crashes_since(before):
        figures.extra["crashed_and_restarted"] = world.crashes_since(before)
    harness.record(figures, world.results)

    assert published["status"] == "published", published
    assert published["seconds"] <= SLOW_ANSWER, f"publishing took {published['seconds']} s"
    assert parties, "the agreement has no party school"
    assert published["jobs"] == published["unsent"] == len(parties), published
    assert sorted(schools) == sorted(parties), "not one job per party school"
    for job in jobs:
        assert job["status"] == "done", job
        assert job["attempts"] == 1, f"the DPO may have been emailed twice: {job}"
        assert job["result"] in AGREEMENT_RESULTS, job
    assert (figures.lost, figures.duplicated) == (0, 0), figures.line()
