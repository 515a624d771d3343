"""Small pieces every app's forms and views share."""

import django_filters
from crispy_forms.helper import FormHelper
from django import forms
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join

from . import conflicts


def crispy_helper():
    """Crispy lays out fields and their errors; the page's template owns <form> and its token."""
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    return helper


class CrispyMixin:
    """Gives a form ``self.helper`` for ``{% crispy form %}``."""

    def _crispy(self):
        self.helper = crispy_helper()


def apply_service(form, action):
    """Run a service; its refusal lands next to the field it names, or at the top of the form.

    A form that edits an existing record (``conflicts.ConflictCheckMixin``) is first checked,
    in the service's transaction, for a change someone else saved since the form was opened.
    Returns what the service returned, or None when it refused.
    """
    try:
        if getattr(form, "conflict_record", None) is None:
            return action()
        with transaction.atomic():
            conflicts.check(form)
            return action()
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form.add_error(None, exc)
        return None


# A number no row's id reaches, to find where the id goes in a reversed path.
_ID_MARK = 987654321987


class RowPaths:
    """The path of one URL name for each row of a long list, from a single ``reverse()``:
    ``{% url %}`` in every row of a list costs about as much as the rest of the row. For a
    URL whose one argument is an ``<int:...>`` id."""

    def __init__(self, url_name):
        self.before, self.after = reverse(url_name, args=[_ID_MARK]).split(str(_ID_MARK))

    def __call__(self, pk):
        return f"{self.before}{int(pk)}{self.after}"


class DateInput(forms.DateInput):
    """The browser's date picker; it sends ISO dates, which the UK input formats accept."""

    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _joined(parts):
    """Pieces of HTML, each already escaped, as one."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _attrs(attrs):
    """A widget's attributes as Django's widgets/attrs.html writes them."""
    if not attrs:
        return ""  # most options have none
    return _joined(
        format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value)
        for name, value in attrs.items()
        if value is not False
    )


class Select(forms.Select):
    """Django's <select>, written out here instead of through its templates, which render
    each option through two includes: on a list page the filter form's options cost more
    than the list itself. The HTML is Django's, character for character."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        groups = _joined(
            format_html('\n  <optgroup label="{}">{}\n  </optgroup>', group, _options(options))
            if group
            else _options(options)
            for group, options, _index in widget["optgroups"]
        )
        return format_html(
            '<select name="{}"{}>{}\n</select>', widget["name"], _attrs(widget["attrs"]), groups
        )


def _options(options):
    return _joined(
        format_html(
            '\n  <option value="{}"{}>{}</option>\n',
            option["value"],
            _attrs(option["attrs"]),
            localize(option["label"]),
        )
        for option in options
    )


class _ChoicesInOneQuery(forms.models.ModelChoiceIterator):
    """The rows to choose from, read with one plain query. Django reads them with
    ``queryset.iterator()``, which on PostgreSQL opens a server-side cursor: three more round
    trips to the database for a dozen classes."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ModelChoiceField(forms.ModelChoiceField):
    """A choice of one row, read in one query and written out by ``Select``."""

    iterator = _ChoicesInOneQuery
    widget = Select


class _FilterChoicesInOneQuery(django_filters.fields.ModelChoiceIterator, _ChoicesInOneQuery):
    """django-filter's choices (its "null" choice after the empty one) over the rows read
    by ``_ChoicesInOneQuery``, which its ``super().__iter__()`` reaches."""


class _ModelChoiceField(django_filters.fields.ModelChoiceField):
    iterator = _FilterChoicesInOneQuery


class ModelChoiceFilter(django_filters.ModelChoiceFilter):
    """A list filter on one row of a model: its choices read in one query and written out
    by ``Select``."""

    field_class = _ModelChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", Select)
        super().__init__(*args, **kwargs)


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, **kwargs):
        super().__init__(format="%H:%M", **kwargs)


def _beyond_any_column(value):
    try:
        return abs(int(str(value))) >= 2**63
    except ValueError:
        return False  # not a number at all: the field's own check refuses it


class RowsChoiceField(forms.ModelMultipleChoiceField):
    """Choose several rows, refusing an id larger than any database column holds.

    Django checks such an id in a lookup of one row, not in a list: SQLite raises
    OverflowError for ``pk IN (...)``, so a tampered form would be a server error.
    """

    def _check_values(self, value):
        for pk in value:
            if _beyond_any_column(pk):
                raise ValidationError(
                    self.error_messages["invalid_choice"],
                    code="invalid_choice",
                    params={"value": pk},
                )
        return super()._check_values(value)
