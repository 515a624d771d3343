"""Forms of the resources library. What may be uploaded is decided in resources.py."""

from django import forms
from django.core.validators import URLValidator

from .conflicts import ConflictCheckMixin
from .forms_util import crispy_helper
from .models import Resource
from .resources import ALLOWED, ALLOWED_NAMES, max_upload_bytes

LINK_MESSAGE = "Give a web address starting https:// or http://."


class ResourceForm(ConflictCheckMixin, forms.ModelForm):
    """Adding a resource: a file (``upload``) or a link. Changing one: not its file."""

    conflict_noun = "this resource"
    upload = forms.FileField(
        label="File",
        required=False,
        widget=forms.FileInput(
            attrs={"accept": ",".join(f".{extension}" for extension in ALLOWED)}
        ),
    )

    link = forms.URLField(
        label="Or a link",
        required=False,
        max_length=500,
        assume_scheme="https",
        validators=[URLValidator(schemes=["http", "https"], message=LINK_MESSAGE)],
        error_messages={"invalid": LINK_MESSAGE},
        help_text="Where the resource is kept, starting https:// (or http://).",
    )

    class Meta:
        model = Resource
        fields = ["title", "kind", "description", "upload", "link"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"description": "What it is for, and the age or need it suits."}
        error_messages = {
            "title": {"required": "Give the resource a title."},
            "kind": {"required": "Choose the kind of resource."},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = max_upload_bytes() // (1024 * 1024)
        self.fields["upload"].help_text = f"{ALLOWED_NAMES}; up to {limit} MB."
        if self.instance.pk is not None:
            del self.fields["upload"]
        self.helper = crispy_helper()
