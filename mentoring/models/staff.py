"""Staff: accounts, their roles in each school, and the classes they teach."""

from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from simple_history.models import HistoricalRecords

from .school import School, YearGroup


class Role(models.TextChoices):
    CLASS_TEACHER = "class_teacher", "Class teacher"
    TEACHING_ASSISTANT = "teaching_assistant", "Teaching assistant"
    COORDINATOR = "coordinator", "Mentoring coordinator"
    HEAD = "head", "Head teacher"
    SENDCO = "sendco", "SENDCO"
    MENTOR = "mentor", "Mentor"
    DSL = "dsl", "Designated safeguarding lead"
    OFFICE = "office", "School office"


class User(AbstractUser):
    """A member of staff who signs in. What they may see follows from their roles."""

    title = models.CharField(max_length=20, blank=True, help_text="Mrs, Mr, Ms, Dr...")
    history = HistoricalRecords(excluded_fields=["last_login", "password"])

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self):
        return self.display_name

    @property
    def display_name(self):
        name = self.get_full_name()
        return name or self.username


class StaffMember(models.Model):
    """A person's place in one school; a trust's staff may work in several schools."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="staff")
    job_title = models.CharField(max_length=100, blank=True)
    mentoring_hours = models.DecimalField(
        "mentoring hours per week",
        max_digits=4,
        decimal_places=1,
        default=Decimal("0"),
        validators=[MinValueValidator(0), MaxValueValidator(40)],
        help_text="Time allocated to mentoring each week (mentors only).",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["school", "user__last_name", "user__first_name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "school"], name="one_membership_per_school")
        ]

    def __str__(self):
        return f"{self.user} ({self.school})"

    @property
    def role_names(self):
        return [Role(r.role).label for r in self.roles.all()]


class StaffRole(models.Model):
    """One role held by a member of staff; a person may hold several (head and DSL, say)."""

    staff_member = models.ForeignKey(StaffMember, on_delete=models.CASCADE, related_name="roles")
    role = models.CharField(max_length=30, choices=Role.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["role"]
        constraints = [
            models.UniqueConstraint(fields=["staff_member", "role"], name="role_held_once")
        ]

    def __str__(self):
        return self.get_role_display()


class SchoolClass(models.Model):
    """A class (form) of one year group, e.g. "Oak class, Year 3"."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="classes")
    name = models.CharField(max_length=50)
    year_group = models.PositiveSmallIntegerField(choices=YearGroup.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["school", "year_group", "name"]
        verbose_name = "class"
        verbose_name_plural = "classes"
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="unique_class_name_per_school")
        ]

    def __str__(self):
        return self.name


class ClassStaff(models.Model):
    """Who teaches a class every day: its class teacher(s) and teaching assistant(s)."""

    class Kind(models.TextChoices):
        TEACHER = "teacher", "Class teacher"
        ASSISTANT = "assistant", "Teaching assistant"

    school_class = models.ForeignKey(SchoolClass, on_delete=models.CASCADE, related_name="staff")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="class_assignments")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    history = HistoricalRecords()

    class Meta:
        verbose_name = "class staff"
        verbose_name_plural = "class staff"
        constraints = [
            models.UniqueConstraint(
                fields=["school_class", "user"], name="one_assignment_per_class"
            )
        ]

    def __str__(self):
        return f"{self.user} – {self.get_kind_display()}, {self.school_class}"
