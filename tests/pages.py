"""Reading pages in tests."""

import re


def mentions(page: str, words: str) -> bool:
    """Whether the page shows these words as words of their own. A short name such as "Sky"
    also turns up inside random tokens (the CSRF token's letters and digits, a calendar
    feed's "-" and "_" too), so a plain `in` fails by chance."""
    return re.search(rf"(?<![\w-]){re.escape(words)}(?![\w-])", page) is not None
