def redact(user, records, can_read):
    """Blank the text of records the user may not read, keeping that they exist."""
    for record in records:
        if record is not None and not can_read(user, record):
            record.hidden = True
            record.what_was_done = record.next_steps = record.cancel_reason = ""
            record.dsl_action = ""
    return records
