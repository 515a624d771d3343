"""The matrix's count, printed at the end of every pytest run that checked it.

Registered from tests/conftest.py, which pytest loads in every process: with pytest-xdist,
each worker sends its count to the controller, which adds them up and prints the total.
"""

import pytest

TALLY = pytest.StashKey[dict]()
WORKER_KEY = "authorization_matrix"


def _tally(config):
    return config.stash.setdefault(TALLY, {"cases": 0, "failed": 0, "patterns": []})


def record(config, pattern, cases, failed):
    """Add one URL pattern's checked and failed cases to the run's count."""
    tally = _tally(config)
    tally["cases"] += cases
    tally["failed"] += failed
    tally["patterns"].append(pattern)


def pytest_sessionfinish(session):
    output = getattr(session.config, "workeroutput", None)
    if output is not None and TALLY in session.config.stash:
        output[WORKER_KEY] = session.config.stash[TALLY]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node, error):
    found = getattr(node, "workeroutput", {}).get(WORKER_KEY)
    if found:
        tally = _tally(node.config)
        tally["cases"] += found["cases"]
        tally["failed"] += found["failed"]
        tally["patterns"].extend(found["patterns"])


def pytest_terminal_summary(terminalreporter, config):
    tally = config.stash.get(TALLY, None)
    if not tally or not tally["cases"]:
        return
    patterns = len(set(tally["patterns"]))
    failed = tally["failed"]
    terminalreporter.write_sep("-", "authorization matrix", bold=True)
    terminalreporter.write_line(
        f"{tally['cases']} cases checked (URL pattern x role x object x method) "
        f"on {patterns} URL patterns: {failed} failed",
        green=not failed,
        red=bool(failed),
        bold=True,
    )
