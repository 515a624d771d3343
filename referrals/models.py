"""The initial referral ("mentor form"), its triage by the panel, and parental consent."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from mentoring.models import Case, Contact, Pupil, School, SupportType


class SchoolList(models.Model):
    """An item of a list each school edits. Retired items stay on the referrals that used them."""

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=120)
    active = models.BooleanField(default=True, help_text="Untick to retire the item.")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        abstract = True
        ordering = ["position", "name"]

    def __str__(self):
        return self.name if self.active else f"{self.name} (retired)"


class Criterion(SchoolList):
    history = HistoricalRecords()

    class Meta(SchoolList.Meta):
        verbose_name = "referral criterion"
        verbose_name_plural = "referral criteria"


class Barrier(SchoolList):
    history = HistoricalRecords()

    class Meta(SchoolList.Meta):
        verbose_name = "barrier to learning"
        verbose_name_plural = "barriers to learning"


class Referral(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        NEW = "new", "New"
        UNDER_DISCUSSION = "discussion", "Under discussion"
        PRIORITISED = "prioritised", "Prioritised"
        WAITLISTED = "waitlisted", "Waitlisted"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Priority(models.IntegerChoices):
        HIGH = 1, "High"
        MEDIUM = 2, "Medium"
        LOW = 3, "Low"

    class Willing(models.TextChoices):
        YES = "yes", "Yes"
        UNSURE = "unsure", "Not sure"
        NO = "no", "No"

    school = models.ForeignKey(School, on_delete=models.PROTECT, related_name="referrals")
    pupil = models.ForeignKey(Pupil, on_delete=models.PROTECT, related_name="referrals")
    referred_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="referrals_made"
    )
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)

    # The form the referrer fills in.
    criteria = models.ManyToManyField(
        Criterion, related_name="referrals", blank=True, verbose_name="referral criteria"
    )
    barriers = models.ManyToManyField(
        Barrier, related_name="referrals", blank=True, verbose_name="barriers to learning"
    )
    needs_and_strengths = models.TextField("the child's needs and strengths", blank=True)
    already_tried = models.TextField("what has already been tried", blank=True)
    short_term = models.BooleanField(
        "the difficulty is short-term",
        default=False,
        help_text="For example bullying, bereavement or separation.",
    )
    short_term_details = models.CharField("short-term difficulty", max_length=200, blank=True)
    pupil_willing = models.CharField(
        "is the pupil willing to take part?",
        max_length=10,
        choices=Willing.choices,
        default=Willing.UNSURE,
    )
    pupil_asked_for_help = models.BooleanField(
        "the pupil asked for help",
        default=False,
        help_text="The pupil asked a teacher or teaching assistant for help themselves.",
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_at = models.DateTimeField(null=True, blank=True)

    # The panel's prioritisation.
    priority = models.PositiveSmallIntegerField(choices=Priority.choices, null=True, blank=True)
    panel = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", blank=True, verbose_name="panel members"
    )
    prioritised_on = models.DateField(null=True, blank=True)
    prioritised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    # The decision.
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    support_type = models.CharField(max_length=20, choices=SupportType.choices, blank=True)
    decline_reason = models.TextField(
        "reason for declining", blank=True, help_text="The referrer will see this."
    )
    withdrawn_reason = models.CharField(max_length=200, blank=True)
    case = models.OneToOneField(
        Case, on_delete=models.PROTECT, related_name="referral", null=True, blank=True
    )

    history = HistoricalRecords(m2m_fields=[criteria, barriers, panel])

    class Meta:
        ordering = ["submitted_at", "pk"]
        indexes = [models.Index(fields=["school", "status"])]

    def __str__(self):
        return f"Referral of {self.pupil}"

    @property
    def reference(self):
        return f"R{self.pk:05d}"

    @property
    def is_decided(self):
        return self.status in {self.Status.ACCEPTED, self.Status.DECLINED}

    def days_waiting(self, today=None):
        """Calendar days from submission to the decision, or to today while undecided."""
        if not self.submitted_at:
            return 0
        end = timezone.localdate(self.decided_at) if self.decided_at else today
        return ((end or timezone.localdate()) - timezone.localdate(self.submitted_at)).days


class DiscussionNote(models.Model):
    """A dated note of the coordinator's discussion with the class teacher or other staff."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="discussions")
    discussed_on = models.DateField(default=timezone.localdate)
    with_whom = models.CharField(
        "discussed with", max_length=200, help_text="For example: class teacher, TA, SENDCO."
    )
    note = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["discussed_on", "pk"]

    def __str__(self):
        return f"Discussion on {self.discussed_on:%d/%m/%Y}"


class LetterTemplate(models.Model):
    """The wording of the consent letter, which the coordinator edits, with named placeholders."""

    school = models.OneToOneField(School, on_delete=models.CASCADE, related_name="letter_template")
    body = models.TextField()
    history = HistoricalRecords()

    def __str__(self):
        return f"Consent letter wording for {self.school}"


class ConsentLetter(models.Model):
    """A letter sent to parents/carers. Its text is kept exactly as it was sent."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consent_letters")
    addressed_to = models.ForeignKey(
        Contact, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    salutation = models.CharField(max_length=200)
    body = models.TextField()
    sent_on = models.DateField(default=timezone.localdate)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["sent_on", "pk"]

    def __str__(self):
        return f"Consent letter of {self.sent_on:%d/%m/%Y}"


class ConsentRecord(models.Model):
    """A parent's or carer's answer: consent given, refused or withdrawn."""

    class Decision(models.TextChoices):
        GIVEN = "given", "Given"
        REFUSED = "refused", "Refused"
        WITHDRAWN = "withdrawn", "Withdrawn"

    class Method(models.TextChoices):
        SLIP = "slip", "Signed slip"
        PHONE = "phone", "Phone call"
        EMAIL = "email", "Email"
        MEETING = "meeting", "Meeting"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="consent_records")
    decision = models.CharField(max_length=10, choices=Decision.choices)
    given_by = models.CharField("name of the parent or carer", max_length=200)
    relationship = models.CharField(max_length=50, help_text="Mother, father, carer...")
    method = models.CharField("how the answer came", max_length=10, choices=Method.choices)
    decided_on = models.DateField("date", default=timezone.localdate)
    note = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["decided_on", "recorded_at", "pk"]

    def __str__(self):
        return f"Consent {self.get_decision_display().lower()} on {self.decided_on:%d/%m/%Y}"
