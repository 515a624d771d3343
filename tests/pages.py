"""Reading pages in tests."""

import re


def mentions(page: str, words: str) -> bool:
    """Whether the page shows these words as words of their own. A short name such as "Sky"
    also turns up inside random tokens (CSRF, nonces), so a plain `in` fails by chance."""
    return re.search(rf"(?<![A-Za-z0-9]){re.escape(words)}(?![A-Za-z0-9])", page) is not None
