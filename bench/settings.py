"""Settings for the page and load benchmarks: the project's, plus a trivial page to compare
each page with (bench/urls.py). Never used outside bench/."""

from mentoring.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
