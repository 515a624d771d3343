"""The school and its calendar: academic years, terms with half-terms, closure days, rooms."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords


class YearGroup(models.IntegerChoices):
    RECEPTION = 0, "Reception"
    YEAR_1 = 1, "Year 1"
    YEAR_2 = 2, "Year 2"
    YEAR_3 = 3, "Year 3"
    YEAR_4 = 4, "Year 4"
    YEAR_5 = 5, "Year 5"
    YEAR_6 = 6, "Year 6"


class School(models.Model):
    name = models.CharField(max_length=200, unique=True)
    address = models.TextField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    head_name = models.CharField("head teacher's name", max_length=200, blank=True)
    logo = models.ImageField(upload_to="logos/", blank=True, help_text="Shown on letters.")
    consent_chase_after = models.PositiveSmallIntegerField(
        "chase consent after (school days)",
        default=10,
        help_text="A consent letter with no answer after this many school days is flagged.",
    )
    block_weeks = models.PositiveSmallIntegerField(
        "usual block length (weeks)", default=6, help_text="School weeks; the policies say 6-8."
    )
    group_size_limit = models.PositiveSmallIntegerField(
        "largest small group", default=4, help_text="Pupils sharing one weekly slot."
    )
    session_overdue_after = models.PositiveSmallIntegerField(
        "session record overdue after (school days)", default=2
    )
    # Retention schedule: a closed case is due for review (anonymisation) when its pupil
    # reaches these ages. The usual records-management advice for schools is the 25th
    # birthday for both; a school's child protection policy may set a longer time for notes
    # that raised a safeguarding concern.
    records_kept_until_age = models.PositiveSmallIntegerField(
        "keep mentoring records until the pupil is (years old)",
        default=25,
        validators=[MinValueValidator(18), MaxValueValidator(100)],
    )
    safeguarding_kept_until_age = models.PositiveSmallIntegerField(
        "keep cases with safeguarding notes until the pupil is (years old)",
        default=25,
        validators=[MinValueValidator(18), MaxValueValidator(100)],
        help_text="As the school's child protection policy says.",
    )
    # The governors review the mentoring policy on a cycle (every two years in one policy).
    policy_adopted_on = models.DateField(
        "mentoring policy adopted or last reviewed on",
        null=True,
        blank=True,
        help_text="The date the governors last agreed the school's mentoring policy.",
    )
    policy_review_months = models.PositiveSmallIntegerField(
        "review the mentoring policy every (months)",
        default=24,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


class AcademicYear(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="academic_years")
    name = models.CharField(max_length=20, help_text="For example 2026/27.")
    starts_on = models.DateField()
    ends_on = models.DateField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["school", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="unique_year_name_per_school")
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.starts_on and self.ends_on and self.ends_on <= self.starts_on:
            raise ValidationError({"ends_on": "The year must end after it starts."})


class Term(models.Model):
    class Name(models.TextChoices):
        AUTUMN = "autumn", "Autumn"
        SPRING = "spring", "Spring"
        SUMMER = "summer", "Summer"

    academic_year = models.ForeignKey(AcademicYear, on_delete=models.CASCADE, related_name="terms")
    name = models.CharField(max_length=10, choices=Name.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    half_term_starts_on = models.DateField("half-term starts")
    half_term_ends_on = models.DateField("half-term ends")
    history = HistoricalRecords()

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["academic_year", "name"], name="unique_term_per_year")
        ]

    def __str__(self):
        return f"{self.get_name_display()} {self.academic_year}"

    @property
    def school(self):
        return self.academic_year.school

    def clean(self):
        dates = [self.starts_on, self.half_term_starts_on, self.half_term_ends_on, self.ends_on]
        if None in dates:
            return
        if not dates == sorted(dates):
            raise ValidationError(
                "Dates must run in order: term starts, half-term starts, half-term ends, term ends."
            )

    def is_term_time(self, day):
        """True on a day inside the term and outside its half-term (closure days aside)."""
        in_term = self.starts_on <= day <= self.ends_on
        in_half_term = self.half_term_starts_on <= day <= self.half_term_ends_on
        return in_term and not in_half_term


class ClosureDay(models.Model):
    class Kind(models.TextChoices):
        INSET = "inset", "INSET day"
        BANK_HOLIDAY = "bank_holiday", "Bank holiday"
        OTHER = "other", "Other closure"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="closure_days")
    date = models.DateField()
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "date"], name="one_closure_per_day")
        ]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} {self.get_kind_display()}"


class Room(models.Model):
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(max_length=100)
    suitable_for_one_to_one = models.BooleanField(
        "suitable for one-to-one work",
        default=True,
        help_text="A quiet, private space; a corridor or shared area is not suitable.",
    )
    notes = models.CharField(max_length=200, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["school", "name"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="unique_room_name_per_school")
        ]

    def __str__(self):
        return self.name
