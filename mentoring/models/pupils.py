"""Pupils on the school roll and their parents/carers."""

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.gb import upn as upn_number

from .school import School, YearGroup
from .staff import SchoolClass


def validate_upn(value):
    try:
        upn_number.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            "%(value)s is not a valid UPN: 13 characters with a correct check letter.",
            params={"value": value},
            code="invalid_upn",
        ) from exc


class Gender(models.TextChoices):
    FEMALE = "F", "Female"
    MALE = "M", "Male"
    OTHER = "X", "Other or not recorded"


class SenStatus(models.TextChoices):
    NONE = "N", "None"
    SEN_SUPPORT = "K", "SEN support"
    EHC_PLAN = "E", "EHC plan"


class PupilQuerySet(models.QuerySet):
    def on_roll(self):
        return self.filter(date_left__isnull=True)


class Pupil(models.Model):
    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="pupils")
    upn = models.CharField("UPN", max_length=13, validators=[validate_upn])
    legal_first_name = models.CharField(max_length=100)
    legal_last_name = models.CharField(max_length=100)
    preferred_name = models.CharField(
        max_length=100, blank=True, help_text="The name the child is known by, if different."
    )
    date_of_birth = models.DateField()
    year_group = models.PositiveSmallIntegerField(choices=YearGroup.choices)
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.PROTECT,
        related_name="pupils",
        null=True,
        blank=True,
        verbose_name="class",
    )
    gender = models.CharField(max_length=1, choices=Gender.choices, default=Gender.OTHER)
    sen_status = models.CharField(
        "SEN status", max_length=1, choices=SenStatus.choices, default=SenStatus.NONE
    )
    pupil_premium = models.BooleanField(default=False)
    eal = models.BooleanField("EAL", default=False, help_text="English as an additional language")
    looked_after = models.BooleanField("looked-after child", default=False)
    ethnicity = models.CharField(max_length=100, blank=True)
    date_left = models.DateField(null=True, blank=True)
    # Set when the retention schedule replaced the pupil's identifying details; the cases
    # stay, so the programme's counts do not change.
    anonymised_on = models.DateField(null=True, blank=True, editable=False)
    history = HistoricalRecords()

    objects = PupilQuerySet.as_manager()

    class Meta:
        ordering = ["legal_last_name", "legal_first_name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "upn"], name="unique_upn_per_school")
        ]
        indexes = [models.Index(fields=["school", "year_group"])]

    def __str__(self):
        return self.full_name

    @property
    def first_name(self):
        return self.preferred_name or self.legal_first_name

    @property
    def full_name(self):
        return f"{self.first_name} {self.legal_last_name}"

    @property
    def initials(self):
        return f"{self.first_name[:1]}{self.legal_last_name[:1]}".upper()

    def clean(self):
        if self.school_class_id and self.school_class.school_id != self.school_id:
            raise ValidationError({"school_class": "That class belongs to another school."})
        if self.school_class_id and self.school_class.year_group != self.year_group:
            year = self.get_year_group_display()
            raise ValidationError({"school_class": f"{self.school_class} is not a {year} class."})


class Contact(models.Model):
    """A parent or carer, in the order the school would call them."""

    pupil = models.ForeignKey(Pupil, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=200)
    relationship = models.CharField(
        max_length=50, help_text="Mother, father, grandparent, carer..."
    )
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    address = models.TextField(blank=True)
    parental_responsibility = models.BooleanField(default=True)
    priority = models.PositiveSmallIntegerField(default=1, help_text="1 is called first.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["priority", "name"]
        verbose_name = "parent or carer"
        verbose_name_plural = "parents and carers"

    def __str__(self):
        return f"{self.name} ({self.relationship})"
