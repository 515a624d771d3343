"""The coordinator's queue filters; every one also works as a plain link."""

import django_filters
from django.db.models import F

from mentoring.forms_util import ModelChoiceFilter, Select
from mentoring.models import SchoolClass, SupportType, YearGroup

from .models import Criterion, Referral
from .services import awaiting_consent

S = Referral.Status
DECIDED = "decided"
AWAITING_CONSENT = "awaiting_consent"
# The queue's tabs, each counted on the page.
STATUS_CHOICES = [
    (S.NEW, "New"),
    (S.UNDER_DISCUSSION, "Under discussion"),
    (S.PRIORITISED, "Prioritised"),
    (S.WAITLISTED, "Waitlisted"),
    (DECIDED, "Decided"),
]
ORDERINGS = {
    "waiting": ("submitted_at", "pk"),
    # High, medium, low, then not yet prioritised: SQLite would put no priority first.
    "priority": (F("priority").asc(nulls_last=True), "submitted_at", "pk"),
    "recent": ("-submitted_at", "-pk"),
}


class QueueFilter(django_filters.FilterSet):
    # Every filter is a select written out by forms_util.Select: the queue is opened all day.
    # Beyond the tabs, the landing page's "awaiting parental consent" links here.
    status = django_filters.ChoiceFilter(
        choices=STATUS_CHOICES + [(AWAITING_CONSENT, "Awaiting consent")],
        method="filter_status",
        empty_label="All waiting",
        widget=Select,
    )
    year_group = django_filters.ChoiceFilter(
        field_name="pupil__year_group",
        choices=YearGroup.choices,
        empty_label="All years",
        widget=Select,
    )
    school_class = ModelChoiceFilter(
        field_name="pupil__school_class",
        label="Class",
        queryset=SchoolClass.objects.none(),
        empty_label="All classes",
    )
    criterion = ModelChoiceFilter(
        field_name="criteria",
        label="Criterion",
        queryset=Criterion.objects.none(),
        empty_label="Any criterion",
    )
    support_type = django_filters.ChoiceFilter(
        choices=SupportType.choices, empty_label="Any support", widget=Select
    )
    order = django_filters.ChoiceFilter(
        label="Sort by",
        method="filter_order",
        choices=[
            ("waiting", "Waiting longest"),
            ("priority", "Priority"),
            ("recent", "Newest"),
        ],
        empty_label=None,
        widget=Select,
    )

    class Meta:
        model = Referral
        fields = ["status", "year_group", "school_class", "criterion", "support_type", "order"]

    def __init__(self, data=None, *args, schools, **kwargs):
        data = data.copy() if data is not None else {}
        data.setdefault("order", "waiting")
        super().__init__(data, *args, **kwargs)
        self.filters["school_class"].queryset = SchoolClass.objects.filter(school__in=schools)
        self.filters["criterion"].queryset = Criterion.objects.filter(school__in=schools)

    @property
    def qs(self):
        qs = super().qs
        if not self.form.cleaned_data.get("status"):
            qs = qs.filter(status__in=[S.NEW, S.UNDER_DISCUSSION, S.PRIORITISED, S.WAITLISTED])
        return qs.distinct() if self.form.cleaned_data.get("criterion") else qs

    def filter_status(self, queryset, name, value):
        if value == DECIDED:
            return queryset.filter(status__in=[S.ACCEPTED, S.DECLINED])
        if value == AWAITING_CONSENT:
            return awaiting_consent(queryset)
        return queryset.filter(status=value)

    def filter_order(self, queryset, name, value):
        return queryset.order_by(*ORDERINGS.get(value, ORDERINGS["waiting"]))
