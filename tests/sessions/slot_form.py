"""What the slot form posts, for tests that allocate or change a slot through its page."""


def form_data(slot_args, **changes):
    """The slot form's fields from ``slot_args`` (tests/sessions/conftest.py), with changes."""
    values = {**slot_args, **changes}
    return {
        "mentor": values["mentor"].pk,
        "room": values["room"].pk,
        "weekday": values["weekday"],
        "starts_at": values["starts_at"].strftime("%H:%M"),
        "duration": values["duration"],
        "block_starts_on": values["block_starts_on"].isoformat(),
        "block_weeks": values["block_weeks"],
    }
