"""Evaluation of a case: questionnaires, observations, SMART targets, meetings, termly
reviews and closure."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from simple_history.models import HistoricalRecords

from mentoring.models import Case, Pupil, School, Term
from sessions.models import SessionRecord


class OutcomeArea(models.TextChoices):
    """The outcomes the policies want to see moving."""

    SELF_ESTEEM = "self_esteem", "Self-esteem"
    CONFIDENCE = "confidence", "Confidence"
    FRIENDSHIPS = "friendships", "Friendships"
    BEHAVIOUR = "behaviour", "Behaviour"
    ATTITUDES = "attitudes", "Attitudes to learning"
    ASPIRATION = "aspiration", "Aspiration"
    ATTENDANCE = "attendance", "Attendance"
    SOCIAL_EMOTIONAL = "social_emotional", "Social and emotional skills"
    ATTAINMENT = "attainment", "Attainment"


# --- Questionnaires --------------------------------------------------------------------------


class Questionnaire(models.Model):
    """A school's questionnaire. Editing one that has answers makes a new version, so old
    answers keep the questions they answered."""

    class Kind(models.TextChoices):
        STAFF_RATING = "staff_rating", "Staff rating (entry and exit)"
        PUPIL = "pupil", "Pupil evaluation"
        PARENT = "parent", "Parent/carer evaluation"
        TEACHER = "teacher", "Teacher evaluation"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="questionnaires")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    name = models.CharField(max_length=200)
    version = models.PositiveSmallIntegerField(default=1)
    scale = models.CharField(
        max_length=300,
        default="Never; Rarely; Sometimes; Often; Always",
        help_text="The answer labels from lowest to highest, separated by semicolons.",
    )
    current = models.BooleanField(default=True, help_text="The version given from now on.")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["kind", "name", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["school", "kind", "name", "version"], name="one_questionnaire_version"
            )
        ]

    def __str__(self):
        return f"{self.name} (version {self.version})"

    @property
    def scale_labels(self):
        return [label.strip() for label in self.scale.split(";") if label.strip()]


class QuestionnaireItem(models.Model):
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE, related_name="items")
    position = models.PositiveSmallIntegerField(default=0)
    text = models.CharField(max_length=300)
    outcome_area = models.CharField(max_length=20, choices=OutcomeArea.choices)
    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return self.text


class Administration(models.Model):
    """A questionnaire given for a case at entry (baseline) or exit."""

    class Stage(models.TextChoices):
        ENTRY = "entry", "Entry (baseline)"
        EXIT = "exit", "Exit"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="administrations")
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="administrations"
    )
    stage = models.CharField(max_length=10, choices=Stage.choices)
    completed_on = models.DateField(default=timezone.localdate)
    completed_by = models.CharField(
        "completed by", max_length=200, help_text="Who answered: the pupil, a parent, a teacher..."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["completed_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "questionnaire", "stage"], name="one_administration_per_stage"
            )
        ]

    def __str__(self):
        return f"{self.questionnaire.name}, {self.get_stage_display().lower()}"


class Answer(models.Model):
    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(QuestionnaireItem, on_delete=models.PROTECT, related_name="answers")
    value = models.PositiveSmallIntegerField()
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["administration", "item"], name="one_answer_per_item")
        ]

    def __str__(self):
        return f"{self.item}: {self.value}"


class InstrumentScore(models.Model):
    """A score from a licensed instrument the school uses elsewhere (an SDQ total, say),
    recorded without reproducing the instrument."""

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="instrument_scores")
    instrument = models.CharField(max_length=100, help_text="For example: SDQ total difficulties")
    score = models.DecimalField(max_digits=6, decimal_places=1)
    scored_on = models.DateField(default=timezone.localdate)
    note = models.CharField(max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["scored_on", "pk"]

    def __str__(self):
        return f"{self.instrument}: {self.score} ({self.scored_on:%d/%m/%Y})"


# --- Observations and the action plan -------------------------------------------------------


class Observation(models.Model):
    class Setting(models.TextChoices):
        CLASSROOM = "classroom", "Classroom"
        PLAYGROUND = "playground", "Playground"
        OTHER = "other", "Elsewhere in school"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="observations")
    observed_on = models.DateField(default=timezone.localdate)
    setting = models.CharField(max_length=20, choices=Setting.choices)
    observer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    notes = models.TextField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["observed_on", "pk"]

    def __str__(self):
        return f"{self.get_setting_display()} observation, {self.observed_on:%d/%m/%Y}"


class Target(models.Model):
    """A SMART target of the action plan."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        ACHIEVED = "achieved", "Achieved"
        PARTLY = "partly", "Partly achieved"
        DROPPED = "dropped", "Dropped"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="targets")
    what = models.CharField("target", max_length=300, help_text="Specific: what will change.")
    measure = models.CharField(
        "how it will be measured", max_length=300, help_text="Measurable: how you will know."
    )
    success = models.CharField("success looks like", max_length=300)
    by_when = models.DateField("by when", help_text="Time-limited: the date to review it.")
    outcome_area = models.CharField(max_length=20, choices=OutcomeArea.choices)
    iep_reference = models.CharField(
        "IEP / SEN support target", max_length=100, blank=True, help_text="Optional reference."
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    history = HistoricalRecords()

    class Meta:
        ordering = ["by_when", "pk"]

    def __str__(self):
        return self.what


class TargetProgress(models.Model):
    """Progress on one target, noted with a session record."""

    class Rating(models.IntegerChoices):
        NONE = 1, "No progress"
        SOME = 2, "Some progress"
        GOOD = 3, "Good progress"
        MET = 4, "Target met"

    record = models.ForeignKey(
        SessionRecord, on_delete=models.CASCADE, related_name="target_progress"
    )
    target = models.ForeignKey(Target, on_delete=models.PROTECT, related_name="progress")
    rating = models.PositiveSmallIntegerField(choices=Rating.choices)
    note = models.CharField(max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["record__date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["record", "target"], name="one_progress_per_target")
        ]

    def __str__(self):
        return f"{self.get_rating_display()} on {self.target}"


# --- Meetings --------------------------------------------------------------------------------


class MeetingRecord(models.Model):
    class Kind(models.TextChoices):
        PARENTS = "parents", "Parents/carers"
        CLASS_TEACHER = "class_teacher", "Class teacher"
        SENDCO = "sendco", "SENDCO"
        SOCIAL_CARE = "social_care", "Outside agency: social care"
        EWS = "ews", "Outside agency: education welfare service"
        CAMHS = "camhs", "Outside agency: CAMHS"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="meetings")
    met_on = models.DateField("date", default=timezone.localdate)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    attendees = models.CharField("who attended", max_length=300)
    notes = models.TextField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["met_on", "pk"]

    def __str__(self):
        return f"Meeting with {self.get_kind_display().lower()}, {self.met_on:%d/%m/%Y}"


class MeetingAction(models.Model):
    meeting = models.ForeignKey(MeetingRecord, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="meeting_actions"
    )
    due_on = models.DateField("due")
    done_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.action


# --- Termly review and closure ---------------------------------------------------------------


class TermlyReview(models.Model):
    """One review per case per term: the mentor prepares, the class teacher adds a view,
    the coordinator decides."""

    class Decision(models.TextChoices):
        CONTINUE = "continue", "Continue"
        EXTEND = "extend", "Extend beyond the block"
        CLOSE = "close", "Close"
        REFER_ON = "refer_on", "Refer on"

    class ReferOn(models.TextChoices):
        EP = "ep", "Educational psychologist"
        CAMHS = "camhs", "CAMHS"
        SOCIAL_CARE = "social_care", "Social care"
        OTHER = "other", "Other"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="termly_reviews")
    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="+")
    # The mentor's part.
    progress_summary = models.TextField("progress on the targets", blank=True)
    behaviour_evidence = models.TextField("behaviour evidence", blank=True)
    attendance_evidence = models.TextField("attendance evidence", blank=True)
    prepared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    prepared_on = models.DateField(null=True, blank=True)
    # The class teacher's part.
    teacher_view = models.TextField("the class teacher's view", blank=True)
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    teacher_added_on = models.DateField(null=True, blank=True)
    # The coordinator's decision.
    decision = models.CharField(max_length=10, choices=Decision.choices, blank=True)
    refer_on_to = models.CharField(max_length=20, choices=ReferOn.choices, blank=True)
    next_review_on = models.DateField("next review", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["term__starts_on", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["case", "term"], name="one_review_per_case_and_term")
        ]

    def __str__(self):
        return f"Termly review, {self.term}"


class CaseClosure(models.Model):
    """Why and how a case closed, with its short case study."""

    class Reason(models.TextChoices):
        TARGETS_MET = "targets_met", "Targets met"
        BLOCK_ENDED = "block_ended", "Block ended"
        REFERRED_ON = "referred_on", "Referred on"
        CONSENT_WITHDRAWN = "consent_withdrawn", "Consent withdrawn"
        LEFT_SCHOOL = "left_school", "Left the school"
        OTHER = "other", "Other"

    case = models.OneToOneField(Case, on_delete=models.PROTECT, related_name="closure")
    reason = models.CharField(max_length=20, choices=Reason.choices)
    closed_on = models.DateField(default=timezone.localdate)
    background = models.TextField(blank=True)
    what_was_done = models.TextField(blank=True)
    outcomes = models.TextField(blank=True)
    lessons = models.TextField("what was learned", blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords()

    def __str__(self):
        return f"Closed on {self.closed_on:%d/%m/%Y}: {self.get_reason_display()}"


# --- Generated documents ---------------------------------------------------------------------


class GeneratedDocument(models.Model):
    """A document made in the background (a termly review pack), with its progress."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"
        # Given up while stuck, because it was asked for again (reviews.tasks.request_pack).
        REPLACED = "replaced", "Replaced"

    class Kind(models.TextChoices):
        REVIEW_PACK = "review_pack", "Termly review pack"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    term = models.ForeignKey(Term, on_delete=models.CASCADE, related_name="+", null=True)
    audience = models.CharField(max_length=20, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.WAITING)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Per cent done.")
    file_name = models.CharField(max_length=200, blank=True)
    error = models.CharField(max_length=300, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Whom the finished document names (a staff pack; a governors' pack names none): each
    # download or print of it is noted in their access logs too.
    pupils = models.ManyToManyField(Pupil, related_name="+", blank=True)
    history = HistoricalRecords(excluded_fields=["progress"])

    class Meta:
        ordering = ["-requested_at", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} requested {self.requested_at:%d/%m/%Y %H:%M}"


# --- Programme meetings ----------------------------------------------------------------------


class ProgrammeMeeting(models.Model):
    """The mentors and the coordinator meeting about the programme as a whole, as the
    policies ask: at the end of each block, each term and each year."""

    class Kind(models.TextChoices):
        END_OF_BLOCK = "end_of_block", "End of block"
        TERMLY = "termly", "Termly"
        ANNUAL = "annual", "Annual"

    school = models.ForeignKey(School, on_delete=models.CASCADE, related_name="programme_meetings")
    met_on = models.DateField("date of the meeting", default=timezone.localdate)
    kind = models.CharField("kind of meeting", max_length=20, choices=Kind.choices)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        related_name="programme_meetings_attended",
        verbose_name="who attended",
    )
    notes = models.TextField()
    decisions = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    history = HistoricalRecords(m2m_fields=[attendees])

    class Meta:
        ordering = ["-met_on", "-pk"]

    def __str__(self):
        return f"{self.get_kind_display()} meeting, {self.met_on:%d/%m/%Y}"


class ProgrammeAction(models.Model):
    meeting = models.ForeignKey(ProgrammeMeeting, on_delete=models.CASCADE, related_name="actions")
    action = models.CharField(max_length=300)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="programme_actions"
    )
    due_on = models.DateField("due")
    done_on = models.DateField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self):
        return self.action
