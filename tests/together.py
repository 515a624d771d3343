"""Run several actions at the same moment, each in a thread of its own with its own database
connection: how tests show that two people acting at once cannot both get through."""

import threading

from django.db import connections


def at_the_same_moment(*actions, expected=(), timeout=30):
    """What each action returned, in order, once all have run, started together. An action
    that raised one of the ``expected`` exceptions gives the exception instead; any other is
    raised here."""
    start = threading.Barrier(len(actions))
    results = [None] * len(actions)

    def run(i, action):
        try:
            start.wait()
            results[i] = action()
        except Exception as exc:  # noqa: BLE001  (judged below, in the test's own thread)
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=item) for item in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=timeout)
    for result in results:
        if isinstance(result, Exception) and not isinstance(result, expected):
            raise result
    return results
