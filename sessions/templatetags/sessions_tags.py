from django import template

register = template.Library()

FACES = {1: "😢", 2: "🙁", 3: "😐", 4: "🙂", 5: "😄"}


@register.filter
def feeling_face(value):
    """The face for a 1-5 feeling; the text label always goes beside it."""
    try:
        return FACES.get(int(value), "")
    except (TypeError, ValueError):
        return ""
