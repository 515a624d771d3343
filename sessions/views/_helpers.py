from django.core.exceptions import ValidationError


def apply_service(form, action):
    """Run a service; a refusal lands next to the field it names, or at the top of the form."""
    try:
        return action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


def redact(user, records, can_read):
    """Blank the text of records the user may not read, keeping that they exist."""
    for record in records:
        if record is not None and not can_read(user, record):
            record.hidden = True
            record.what_was_done = record.next_steps = record.cancel_reason = ""
            record.dsl_action = ""
    return records
