"""Lengths of time in the words used on the sign-in page: "15 minutes", "12 hours"."""

import math


def in_words(duration):
    minutes = max(1, math.ceil(duration.total_seconds() / 60))
    hours, minutes = divmod(minutes, 60)
    parts = []
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)
