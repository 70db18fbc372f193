"""Fixtures of the fault tests: one template world per session, one FaultWorld per module."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults import harness
from tests.faults.results import results_path

HERE = Path(__file__).parent


def pytest_collection_finish(session) -> None:
    """Run alone (every selected test is a fault test), start building the template world at
    once: it then overlaps pytest-django's own test database set-up. In a whole-suite run it
    is built when the first fault test needs it, not while the other tests run."""
    items = session.items
    if session.config.option.collectonly:
        return
    if items and harness.unavailable() is None and all(i.path.is_relative_to(HERE) for i in items):
        harness.BUILDER.start()


def pytest_unconfigure(config) -> None:
    harness.BUILDER.drop()  # after an interrupted run too


@pytest.fixture(scope="session")
def fault_results(tmp_path_factory) -> Path:
    """The file every figures line is appended to (its path is shown in the summary)."""
    path = results_path(tmp_path_factory.getbasetemp())
    path.parent.mkdir(parents=True, exist_ok=True)
    harness.RESULTS_FILE[:] = [str(path)]
    return path


@pytest.fixture(scope="session")
def fault_template() -> Iterator[harness.Template]:
    """Migrated once, with the demo world, cloned schools and version 1 of every notice."""
    try:
        yield harness.BUILDER.result()
    finally:
        harness.BUILDER.drop()


@pytest.fixture(scope="module")
def world(request, fault_template, fault_results, tmp_path_factory) -> Iterator[harness.FaultWorld]:
    """A copy of the template world with its own Redis, worker and beat, for one module."""
    slug = request.module.__name__.rsplit(".", 1)[-1].removeprefix("test_")
    folder = tmp_path_factory.mktemp(f"faults-{slug}")
    world = harness.FaultWorld(fault_template, slug, folder, fault_results)
    try:
        try:
            world.open()
        except BaseException:
            print(f"\nThe fault world did not start:\n{world.log_tails()}")
            raise
        yield world
    finally:
        world.close()


@pytest.fixture(autouse=True)
def _settled(request) -> None:
    """Each fault test starts with no job left open by the one before."""
    if "world" in request.fixturenames:
        note = request.getfixturevalue("world").settle()
        if note:
            print(f"\n{note}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A failed fault test's report carries the job table and the tails of the worker, beat
    and Redis logs (the whole logs stay in the module's folder, named here)."""
    report = yield
    world = getattr(item, "funcargs", {}).get("world")
    if report.failed and world is not None:
        try:
            jobs = world.job_table()
        except Exception as error:  # the database may be what broke
            jobs = f"(could not read the job table: {error!r})"
        report.sections.append((f"fault world in {world.folder}: jobs, newest first", jobs))
        report.sections.append(("worker, beat and redis logs", world.log_tails()))
    return report
