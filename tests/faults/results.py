"""Where the fault tests' figures go, and their place in the run's summary."""

import os
from pathlib import Path


def results_path(basetemp: Path) -> Path:
    """One figures file per run: under pytest-xdist every worker appends to the file in the
    controller's folder (each worker's own is a sub-folder of it), and the controller prints it."""
    if os.environ.get("FAULTS_RESULTS"):
        return Path(os.environ["FAULTS_RESULTS"])
    if os.environ.get("PYTEST_XDIST_WORKER"):
        basetemp = basetemp.parent
    return basetemp / "faults-results.txt"


def summary(terminalreporter, config) -> None:
    """Print the figures once, in the process that reports (xdist's controller or the only
    one): the hook lives in the top conftest, which the controller loads."""
    if os.environ.get("PYTEST_XDIST_WORKER"):
        return
    path = results_path(config._tmp_path_factory.getbasetemp())
    lines = path.read_text().splitlines() if path.exists() else []
    if not lines:
        return
    terminalreporter.section("fault figures")
    for line in lines:
        terminalreporter.write_line(line)
    terminalreporter.write_line(f"(also in {path})")
