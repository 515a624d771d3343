from django import template

register = template.Library()

# The mouth of each drawn face (viewBox 0 0 24 24), from very sad (1) to very happy (5).
# Drawn rather than emoji: school machines on closed networks often have no emoji font.
MOUTHS = {
    1: "M8 17.5Q12 12.5 16 17.5",
    2: "M8.5 16.5Q12 14 15.5 16.5",
    3: "M8.5 15.5H15.5",
    4: "M8.5 14.5Q12 17.5 15.5 14.5",
    5: "M7.5 13.5Q12 20.5 16.5 13.5Z",
}


@register.inclusion_tag("sessions/_feeling_face.html")
def feeling_face(value, css_class=""):
    """The drawn face for a 1-5 feeling; the text label always goes beside it."""
    try:
        mouth = MOUTHS.get(int(value), "")
    except (TypeError, ValueError):
        mouth = ""
    return {"mouth": mouth, "css_class": css_class}
