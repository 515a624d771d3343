"""Figures for the one summary table that ``make bench`` prints at the end.

Each benchmark calls ``record(...)`` for every figure it has a target for; the figures go,
one JSON object a line, to the file named by BENCH_RESULTS (the Makefile sets it under
var/bench/). Without BENCH_RESULTS (a script run alone) nothing is written.
bench/summary.py prints the table.
"""

import json
import os
from pathlib import Path


def record(benchmark, figure, value, target, passed, unit=""):
    """One figure: e.g. ("pdf", "40 records, seconds", 0.82, "<= 1", True, "s")."""
    path = os.environ.get("BENCH_RESULTS")
    if not path:
        return
    row = {
        "benchmark": benchmark,
        "figure": figure,
        "value": value,
        "unit": unit,
        "target": target,
        "passed": passed,
    }
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as file:
        file.write(json.dumps(row) + "\n")


def read(path):
    with open(path) as file:
        return [json.loads(line) for line in file if line.strip()]
