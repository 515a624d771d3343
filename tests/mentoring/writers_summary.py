"""The SQLite writers' line, printed at the end of every pytest run that ran them.

tests/mentoring/test_sqlite_writers.py puts its result on its report (``user_properties``);
the reports reach the process that prints the summary, with or without pytest-xdist.
"""

PROPERTY = "sqlite-writers"
LINES = []


def pytest_runtest_logreport(report):
    if report.when == "call":
        LINES.extend(value for name, value in report.user_properties if name == PROPERTY)


def pytest_terminal_summary(terminalreporter):
    if LINES:
        terminalreporter.write_sep("-", "SQLite writers", bold=True)
        for line in LINES:
            terminalreporter.write_line(line, bold=True)
