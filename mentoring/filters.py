"""List filters for pupils and cases; each also works as a plain link."""

import django_filters
from django.db.models import Q

from .models import Case, Pupil, SchoolClass, SupportType, YearGroup


class PupilFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label="Name or UPN", method="search")
    year_group = django_filters.ChoiceFilter(choices=YearGroup.choices, empty_label="All years")
    school_class = django_filters.ModelChoiceFilter(
        label="Class", queryset=SchoolClass.objects.none(), empty_label="All classes"
    )

    class Meta:
        model = Pupil
        fields = ["q", "year_group", "school_class"]

    def __init__(self, *args, classes=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["school_class"].queryset = classes

    def search(self, queryset, name, value):
        words = value.split()
        for word in words:
            queryset = queryset.filter(
                Q(legal_first_name__icontains=word)
                | Q(legal_last_name__icontains=word)
                | Q(preferred_name__icontains=word)
                | Q(upn__iexact=word)
            )
        return queryset


class CaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=Case.Status.choices, empty_label="Any status")
    support_type = django_filters.ChoiceFilter(
        choices=SupportType.choices, empty_label="Any support"
    )

    class Meta:
        model = Case
        fields = ["status", "support_type"]
