"""Demo referrals: a living referral queue for the demo school (called by ``demo.seed``).

Every referral goes through the referral services, as the pages would, with the demo user
who would have done it (the class teacher, head or SENDCO refers; the coordinator triages
and records consent), so that its history reads like the real thing. The services stamp
"now" (submitted, decided, recorded); those times are then moved into the past on the
instance and saved again, which the history records too.

Seeding is keyed on the pupil: a pupil who already has a referral (or, for a new referral,
an open case) is skipped, so a second run creates nothing and changes nothing.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from referrals import services
from referrals.models import Barrier, ConsentRecord, Criterion, Referral

from .audit import save_as
from .calendar import SchoolCalendar
from .models import Case, Gender, SupportType, YearGroup

S = Referral.Status
W = Referral.Willing
P = Referral.Priority
D = ConsentRecord.Decision
M = ConsentRecord.Method


@dataclass(frozen=True)
class Form:
    """What the referrer writes. ``{name}``, ``{he}``, ``{him}`` and ``{his}`` (capitalised
    at the start of a sentence) are the pupil's; "they" needs a plural verb, so a pronoun
    is only ever the subject of a verb in the past tense or after a modal (can, will)."""

    criteria: tuple
    barriers: tuple
    needs: str
    tried: str
    willing: str = W.YES
    asked_for_help: bool = False
    short_term: str = ""  # what the short-term difficulty is, if it is one


@dataclass(frozen=True)
class Consent:
    decision: str
    school_days_ago: int
    method: str
    note: str = ""


@dataclass(frozen=True)
class DemoReferral:
    """A referral of a pupil of ``year_group`` and how far it has gone."""

    year_group: int
    referrer: str
    status: str
    days_ago: int  # calendar days since it was submitted (a draft: since it was started)
    form: Form
    discussion: tuple = ()  # (school days ago, note) of a talk with the class teacher
    priority: int | None = None
    panel_school_days_ago: int = 0  # when the panel prioritised and decided it
    support_type: str = ""
    reason: str = ""  # why it was declined or withdrawn
    letter_school_days_ago: int | None = None
    consent: Consent | None = None
    small_group: bool = False  # joins the small group of demo.CASES (demo_sessions)


@dataclass(frozen=True)
class CaseReferral:
    """The referral that led to one of ``demo.CASES``, accepted on the day the case opened."""

    referrer: str
    days_before_opening: int
    form: Form
    consent_method: str
    answered_after_days: int = 3  # after the letter; the case opened on a Monday
    consent_note: str = ""
    priority: int = P.HIGH


# In the order of demo.CASES.
CASE_REFERRALS = (
    CaseReferral(
        "teacher",
        10,
        Form(
            ("Low self-esteem", "Lacking in confidence or motivation"),
            ("Lack of confidence", "Low self-esteem"),
            "{name} is kind and well liked, and a real help to the younger children at "
            "lunchtime. In lessons {name} gives up quickly, calls {his} own work 'rubbish' and "
            "has started tearing pages out of {his} books. Will not read aloud, even in a "
            "small group.",
            "Seated with a supportive partner; praise stickers and a job as book monitor; a "
            "TA check-in at the start of maths. Each helped for a week or two, then things "
            "slipped back.",
        ),
        M.SLIP,
    ),
    CaseReferral(
        "n.ferraby",
        12,
        Form(
            ("Bereavement or separation", "Challenging behaviour"),
            ("Family issues or concerns", "Poor social and emotional skills"),
            "Since {his} parents separated in the summer, {name} has had angry outbursts, "
            "mostly after weekends: throwing equipment and hiding under tables. Loves drawing "
            "and will talk while drawing. Good at number work when settled.",
            "Calm corner with a sand timer; a visual timetable; a worry box; a weekly phone "
            "call home. The outbursts are shorter but still happen two or three times a week.",
            willing=W.UNSURE,
        ),
        M.PHONE,
        consent_note="Pleased: {name} talks about drawing at home too.",
    ),
    CaseReferral(
        "f.linwood",
        9,
        Form(
            ("Underachieving", "Friendship issues"),
            ("Friendship issues", "Peer pressure"),
            "Bright and articulate, a strong reader, but {his} writing has stalled this year "
            "and is now below the expected standard. {name} falls out with {his} friendship "
            "group most lunchtimes and comes in upset, which costs most of the afternoon.",
            "Restorative conversations after lunch; a place in lunchtime chess club; seating "
            "changes. Parents told us at the September meeting that {name} is withdrawing at "
            "home too.",
        ),
        M.SLIP,
        answered_after_days=2,
    ),
    CaseReferral(
        "sendco",
        70,
        Form(
            ("Weak social skills", "Low self-esteem"),
            ("Poor social and emotional skills", "Transition", "Low self-esteem"),
            "Raised at the Year 5 to Year 6 transition meeting. {name} has SEN support for "
            "social communication, finds unstructured times very hard and usually plays "
            "alone; already anxious about secondary school. A real expert on trains and maps, "
            "with an excellent memory for facts.",
            "Social stories; a lunchtime buddy; a quiet space in the library at break. "
            "{name} needs a small, steady group to practise turn-taking and conversation "
            "before the move to secondary school.",
            willing=W.UNSURE,
        ),
        M.MEETING,
        consent_note="Met both parents with the SENDCO; happy for the nurture group to start.",
    ),
    CaseReferral(
        "d.ketteridge",
        8,
        Form(
            ("New to school and having trouble settling in", "Weak social skills"),
            ("Transition", "Lack of confidence"),
            "{name} joined Year 1 in September from a school out of the area and still cries "
            "at drop-off most mornings. Hardly speaks in class but chats happily to one "
            "adult. Loves the sand tray and small-world play.",
            "Meet and greet at the door with the TA; a comfort object from home; a photo book "
            "of the classroom and staff. Talking a little more with one friend, but still "
            "very anxious.",
            willing=W.UNSURE,
        ),
        M.EMAIL,
        answered_after_days=1,
    ),
    CaseReferral(
        "head",
        11,
        Form(
            ("Challenging behaviour", "At risk of exclusion"),
            ("Peer pressure", "Poor social and emotional skills"),
            "Referred after a serious incident in the playground (in the behaviour log). "
            "{name} is easily drawn into trouble by older children and then finds it very "
            "hard to calm down or talk about what happened. Enjoys football and being given "
            "responsibility; responds well to a trusted adult.",
            "Behaviour plan with a daily report card; lunchtime football with a play leader; "
            "a meeting with parents and the class teacher. Better in class, but playtimes "
            "are still difficult.",
        ),
        M.SLIP,
    ),
    CaseReferral(
        "o.cradock",
        11,
        Form(
            ("Friendship issues", "Low self-esteem"),
            ("Friendship issues", "Bullying"),
            "{name} has been left out by {his} old friendship group, with unkind messages on "
            "a group chat outside school. {He} told me {he} would rather not come in on some "
            "days. Creative and funny; a star of drama club.",
            "Spoke to the children involved and their parents; the messages were dealt with "
            "under our anti-bullying policy. Paired work with new partners. Calmer now, but "
            "{name} is still on {his} own at lunchtime.",
        ),
        M.PHONE,
    ),
)

REFERRALS = (
    # The queue: new referrals that have waited for different lengths of time.
    DemoReferral(
        YearGroup.YEAR_4,
        "teacher",
        S.NEW,
        1,
        Form(
            ("Friendship issues", "Lacking in confidence or motivation"),
            ("Friendship issues", "Lack of confidence"),
            "{name} asked Mrs Ellerby on Friday if {he} could 'talk to someone about stuff'. "
            "Quiet and conscientious, with lovely handwriting, always first to help tidy up. "
            "Since half-term {name} spends playtimes on the bench by the office and has "
            "stopped putting {his} hand up.",
            "Invited {him} to the lunchtime Lego club (went once); a buddy for PE. Spoke to "
            "home at pick-up: {name} is tired and not sleeping well, they did not know why.",
            asked_for_help=True,
        ),
    ),
    DemoReferral(
        YearGroup.YEAR_1,
        "d.ketteridge",
        S.NEW,
        3,
        Form(
            ("Bereavement or separation",),
            ("Bereavement", "Family issues or concerns"),
            "{name}'s grandad, who did most of the school pick-ups, died during half-term. "
            "Tearful at home time and keeps asking when Grandad is coming. Usually a sunny, "
            "chatty member of the class who loves singing and the role-play area.",
            "Read a picture book about loss with the class, with the family's agreement; a "
            "trusted adult at home time; a memory box started at home. The family would "
            "welcome support.",
            willing=W.UNSURE,
            short_term="Grandad died during the October half-term.",
        ),
    ),
    DemoReferral(
        YearGroup.YEAR_5,
        "head",
        S.NEW,
        8,
        Form(
            ("Challenging behaviour", "At risk of exclusion"),
            ("Peer pressure", "Poor social and emotional skills", "Poor attendance or timekeeping"),
            "Two lunchtime exclusions this half-term for fighting, and late most Mondays. "
            "{name} is capable and quick at maths, and a different child one to one: polite, "
            "funny and keen to talk about football. In a group, plays up to an audience.",
            "Pastoral support plan since the start of November; a daily check-in with me; an "
            "attendance letter and a meeting with the family. Lunchtimes with the play "
            "leader have helped a little.",
            willing=W.UNSURE,
        ),
    ),
    DemoReferral(
        YearGroup.YEAR_3,
        "j.amberley",
        S.NEW,
        15,
        Form(
            ("New to school and having trouble settling in",),
            ("Transition", "Friendship issues"),
            "{name} joined Birch class at the start of October when the family moved to the "
            "area. Polite and tries hard, but has not found a friend yet and talks every day "
            "about {his} old school. Loves animals and knows everything about "
            "dinosaurs.",
            "Two buddies for the first fortnight; a place in gardening club; a welcome "
            "booklet about Birch class. {He} joined in when an adult set up a game but "
            "drifted off once it started.",
        ),
    ),
    DemoReferral(
        YearGroup.YEAR_2,
        "sendco",
        S.NEW,
        27,
        Form(
            ("Underachieving", "Lacking in confidence or motivation"),
            ("Low aspirations", "Poor attendance or timekeeping", "Lack of confidence"),
            "Attendance is 88% this term and {name} is behind in phonics and early writing "
            "(did not pass the phonics screening check in Year 1). Says 'I can't do it' "
            "before trying. A great sense of humour; loves being given a job.",
            "Daily phonics catch-up with a TA; an attendance meeting with the family; a "
            "reward chart for being on time. Phonics is improving slowly; confidence is the "
            "sticking point.",
            willing=W.UNSURE,
        ),
    ),
    # Triage under way.
    DemoReferral(
        YearGroup.YEAR_6,
        "o.cradock",
        S.UNDER_DISCUSSION,
        12,
        Form(
            ("Low self-esteem", "Lacking in confidence or motivation"),
            ("Low self-esteem", "Low aspirations", "Transition"),
            "{name} is very worried about SATs and the move to secondary school and more than "
            "once has called {him}self 'stupid'. Works well in small groups; a thoughtful "
            "member of the school council.",
            "SATs booster group; reassurance about the secondary school visits; a worry "
            "journal. Some good days, but the worries are growing now the secondary school "
            "applications have gone in.",
        ),
        discussion=(
            3,
            "Talked after school. The worries are mostly about SATs and the move to secondary "
            "school; no safeguarding concerns. The class teacher will ask the family about "
            "extra transition visits; the referral goes to the next panel meeting.",
        ),
    ),
    DemoReferral(
        YearGroup.RECEPTION,
        "r.appleyard",
        S.PRIORITISED,
        17,
        Form(
            ("Weak social skills", "Challenging behaviour"),
            ("Poor social and emotional skills",),
            "{name} finds sharing and turn-taking very hard and lashes out when another child "
            "takes a toy: three incidents this week. Curious, loves the outdoor area, and "
            "settles well when an adult plays alongside {him}.",
            "Visual timetable and now-and-next cards; adult-led turn-taking games; a calm "
            "space in the classroom; regular talks with home, who see the same at home.",
            willing=W.UNSURE,
        ),
        priority=P.HIGH,
        panel_school_days_ago=1,
    ),
    DemoReferral(
        YearGroup.YEAR_2,
        "n.ferraby",
        S.WAITLISTED,
        40,
        Form(
            ("Low self-esteem", "Weak social skills"),
            ("Lack of confidence", "Poor social and emotional skills"),
            "{name} is very quiet and rarely speaks to other children unless an adult is "
            "there. Kind, careful and artistic: {his} drawings are the best in the class.",
            "Talk partners; a small speaking and listening group with the TA; class jobs that "
            "mean talking to others. Small steps: {name} now answers the register out loud.",
        ),
        priority=P.MEDIUM,
        panel_school_days_ago=21,
    ),
    DemoReferral(
        YearGroup.YEAR_4,
        "teacher",
        S.DECLINED,
        19,
        Form(
            ("Underachieving",),
            ("Low aspirations",),
            "{name} is behind in reading (a reading age about two years below) and reluctant "
            "to read at home. Chatty and sociable with lots of friends; good at sport.",
            "Guided reading group; reading records checked weekly; a sticker chart for "
            "reading at home.",
            willing=W.UNSURE,
        ),
        priority=P.LOW,
        panel_school_days_ago=6,
        reason="Thank you for the referral. The panel felt that {name}'s needs are mainly "
        "about reading rather than wellbeing: {name} is happy and settled, with good "
        "friendships. We have asked the SENDCO to offer a place in the Year 4 reading "
        "intervention instead. Please refer again if other worries come up.",
    ),
    DemoReferral(
        YearGroup.YEAR_5,
        "f.linwood",
        S.WITHDRAWN,
        33,
        Form(
            ("Friendship issues",),
            ("Friendship issues",),
            "A falling-out with {his} best friend has spilled over into lessons; {name} has "
            "been in tears several times this week.",
            "A restorative conversation with both children; a change of seats.",
        ),
        reason="The friendship was sorted out in class and {name} is much happier: no longer "
        "needed.",
    ),
    DemoReferral(
        YearGroup.YEAR_4,
        "teacher",
        S.DRAFT,
        4,
        Form(
            ("Lacking in confidence or motivation",),
            (),
            "Head down on the desk most afternoons since half-term and not finishing work. "
            "Need to check with",
            "",
            willing=W.UNSURE,
        ),
    ),
    # Accepted: the case is open and waits for the parents' answer...
    DemoReferral(
        YearGroup.YEAR_3,
        "j.amberley",
        S.ACCEPTED,
        18,
        Form(
            ("Bereavement or separation", "Low self-esteem"),
            ("Family issues or concerns", "Low self-esteem"),
            "Dad moved out over the summer and {name} now sees him every other weekend. Quiet "
            "in class, draws all the time and hides {his} work. The class ask {him} to draw "
            "cartoons for them.",
            "Time with the TA to talk on Monday mornings after contact weekends; a job as "
            "class artist for the display board. {name} talks more while drawing.",
        ),
        priority=P.HIGH,
        panel_school_days_ago=4,
        support_type=SupportType.DRAWING_AND_TALKING,
        letter_school_days_ago=3,
    ),
    DemoReferral(
        YearGroup.YEAR_5,
        "f.linwood",
        S.ACCEPTED,
        54,
        Form(
            ("Lacking in confidence or motivation", "Underachieving"),
            ("Low aspirations", "Lack of confidence"),
            "{name} says school is pointless and has stopped trying in maths, a strength last "
            "year. Loves cooking and helping in the kitchen garden.",
            "Maths target card; praise and a certificate in assembly; talked with home at "
            "parents' evening, who see the same attitude to homework.",
        ),
        priority=P.MEDIUM,
        panel_school_days_ago=16,
        support_type=SupportType.MENTORING,
        letter_school_days_ago=15,
    ),
    # ...for its letter to be sent...
    DemoReferral(
        YearGroup.YEAR_1,
        "d.ketteridge",
        S.ACCEPTED,
        10,
        Form(
            ("Weak social skills", "Challenging behaviour"),
            ("Poor social and emotional skills", "Family issues or concerns"),
            "{name} often arrives upset, finds the start of the day very hard and hits out at "
            "other children when frustrated. Very caring towards the class guinea pigs; "
            "loves Lego.",
            "A soft start with a job at the door; a visual timetable; emotion cards. Mornings "
            "go better when {name} has a job to do.",
            willing=W.UNSURE,
        ),
        priority=P.HIGH,
        panel_school_days_ago=1,
        support_type=SupportType.DRAWING_AND_TALKING,
    ),
    # ...or closed, the parents having refused.
    DemoReferral(
        YearGroup.YEAR_6,
        "o.cradock",
        S.ACCEPTED,
        63,
        Form(
            ("Challenging behaviour", "Lacking in confidence or motivation"),
            ("Peer pressure", "Low aspirations"),
            "Low-level disruption in most lessons and work left unfinished; {name} says "
            "school does not matter because the plan is to be a footballer. Good with the "
            "younger children as a sports leader.",
            "A seating plan; a report card to the head each Friday; a meeting with Dad.",
        ),
        priority=P.MEDIUM,
        panel_school_days_ago=34,
        support_type=SupportType.MENTORING,
        letter_school_days_ago=33,
        consent=Consent(
            D.REFUSED,
            27,
            M.PHONE,
            "Would rather {name} did not miss lessons in Year 6. Happy to talk again after SATs.",
        ),
    ),
    # Accepted with consent in the autumn: two Year 6 pupils for the small group.
    DemoReferral(
        YearGroup.YEAR_6,
        "o.cradock",
        S.ACCEPTED,
        70,
        Form(
            ("Weak social skills", "Friendship issues"),
            ("Friendship issues", "Poor social and emotional skills"),
            "{name} joined us in Year 5 and has not yet found a place in the class: hovers at "
            "the edge of games at playtime and says nobody wants {him}. Thoughtful and "
            "funny one to one; a keen reader who recommends books to the class.",
            "A playground buddy; a job in the library at lunchtime; paired reading with a "
            "Year 2 class. {name} enjoys the jobs but is still on {his} own at playtimes.",
        ),
        priority=P.MEDIUM,
        panel_school_days_ago=41,
        support_type=SupportType.SMALL_GROUP,
        letter_school_days_ago=40,
        consent=Consent(D.GIVEN, 36, M.SLIP),
        small_group=True,
    ),
    DemoReferral(
        YearGroup.YEAR_6,
        "sendco",
        S.ACCEPTED,
        73,
        Form(
            ("Lacking in confidence or motivation", "Weak social skills"),
            ("Lack of confidence", "Transition"),
            "{name} is very quiet in class and anxious about the move to secondary school; "
            "rarely joins in at playtime and worries about making new friends. Careful, "
            "hard-working and a talented artist.",
            "Talk partners in class; a transition booklet; a place in art club. {name} talks "
            "more in small groups than in front of the class.",
            willing=W.UNSURE,
        ),
        priority=P.MEDIUM,
        panel_school_days_ago=41,
        support_type=SupportType.SMALL_GROUP,
        letter_school_days_ago=40,
        consent=Consent(D.GIVEN, 37, M.EMAIL, "Glad {name} will be in a small group."),
        small_group=True,
    ),
)

PRONOUNS = {
    Gender.FEMALE: ("she", "her", "her"),
    Gender.MALE: ("he", "him", "his"),
}


def _fill(text, pupil):
    he, him, his = PRONOUNS.get(pupil.gender, ("they", "them", "their"))
    return text.format(
        name=pupil.first_name, he=he, him=him, his=his, He=he.capitalize(), His=his.capitalize()
    )


def _at(day, hour, minute=0):
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def seed_referrals(school, users, pupils, cases, today, rng):
    """Referrals at every stage: the cases' own (``cases`` in the order of demo.CASES),
    then ``REFERRALS`` for pupils of ``pupils`` ({year group: [pupils]}) chosen by ``rng``.

    Returns the open cases of the referrals marked ``small_group``, in their order."""
    services.school_lists_ensure(school=school)
    seeder = _Seeder(school, users, today)
    for case, spec in zip(cases, CASE_REFERRALS, strict=True):
        seeder.refer_case(case, spec)
    # Chosen from the same pupils on every run, whatever the previous run created.
    taken = {case.pupil_id for case in cases}
    group = []
    for spec in REFERRALS:
        pupil = rng.choice([p for p in pupils[spec.year_group] if p.pk not in taken])
        taken.add(pupil.pk)
        seeder.refer(pupil, spec)
        if spec.small_group:
            group.extend(pupil.cases.filter(status=Case.Status.OPEN))
    return group


class _Seeder:
    def __init__(self, school, users, today):
        self.school, self.users, self.today = school, users, today
        self.coordinator = users["coordinator"]
        self.panel = [users["head"], users["sendco"], self.coordinator]
        self.criteria = {c.name: c for c in Criterion.objects.filter(school=school, active=True)}
        self.barriers = {b.name: b for b in Barrier.objects.filter(school=school, active=True)}
        self.calendar = SchoolCalendar.for_school(school, today - dt.timedelta(days=365), today)
        # Before this year's calendar, any weekday counts as a school day.
        self.calendar_starts = min((t.starts_on for t in self.calendar.terms), default=today)

    def school_day(self, n):
        """The ``n``-th school day before today (0: today, or the last school day before)."""
        day, seen = self.today, -1
        while True:
            if self.calendar.is_school_day(day) or (
                day < self.calendar_starts and day.weekday() < 5
            ):
                seen += 1
                if seen == n:
                    return day
            day -= dt.timedelta(days=1)

    def _form(self, referral, form, pupil):
        referral.needs_and_strengths = _fill(form.needs, pupil)
        referral.already_tried = _fill(form.tried, pupil)
        referral.pupil_willing = form.willing
        referral.pupil_asked_for_help = form.asked_for_help
        referral.short_term = bool(form.short_term)
        referral.short_term_details = form.short_term
        criteria = [self.criteria[n] for n in form.criteria if n in self.criteria]
        # A school that renamed its criteria still gets a referral that can be submitted.
        criteria = criteria or list(self.criteria.values())[:1]
        return criteria, [self.barriers[n] for n in form.barriers if n in self.barriers]

    def refer(self, pupil, spec):
        if pupil.referrals.exists() or services.open_referral_or_case(pupil) is not None:
            return
        referrer = self.users[spec.referrer]
        submitted = _at(self.today - dt.timedelta(days=spec.days_ago), 16 + spec.days_ago % 4, 35)
        referral = Referral(pupil=pupil, created_at=submitted - dt.timedelta(minutes=20))
        criteria, barriers = self._form(referral, spec.form, pupil)
        referral = services.referral_save(
            referral=referral,
            user=referrer,
            criteria=criteria,
            barriers=barriers,
            submit=spec.status != S.DRAFT,
        )
        if spec.status == S.DRAFT:
            return
        referral.submitted_at = submitted
        save_as(referral, referrer)

        if spec.discussion:
            days, note = spec.discussion
            discussed_on = self.school_day(days)
            discussion = services.discussion_add(
                referral=referral,
                user=self.coordinator,
                discussed_on=discussed_on,
                with_whom=f"Class teacher ({referrer.title} {referrer.last_name})",
                note=_fill(note, pupil),
            )
            discussion.created_at = _at(discussed_on, 16, 10)
            save_as(discussion, self.coordinator)
        if spec.status == S.WITHDRAWN:
            services.referral_withdraw(
                referral=referral, user=referrer, reason=_fill(spec.reason, pupil)
            )
            return
        if spec.priority is None:
            return
        panel_day = self.school_day(spec.panel_school_days_ago)
        referral = services.referral_prioritise(
            referral=referral,
            user=self.coordinator,
            priority=spec.priority,
            panel=self.panel,
            prioritised_on=panel_day,
        )
        if spec.status not in services.DECISIONS:
            return
        referral = services.referral_decide(
            referral=referral,
            user=self.coordinator,
            decision=spec.status,
            support_type=spec.support_type,
            reason=_fill(spec.reason, pupil),
        )
        if spec.status == S.WAITLISTED:
            return
        referral.decided_at = _at(panel_day, 16, 5)
        save_as(referral, self.coordinator)
        if referral.case is None:
            return
        case = referral.case
        case.opened_on = panel_day
        save_as(case, self.coordinator)
        if spec.letter_school_days_ago is not None:
            self._letter(case, self.school_day(spec.letter_school_days_ago))
        if spec.consent is not None:
            c = spec.consent
            self._consent(case, c.decision, self.school_day(c.school_days_ago), c.method, c.note)

    def refer_case(self, case, spec):
        """The accepted referral behind an existing case, with consent given since.

        Accepting through ``referral_decide`` would open a second case, so the referral is
        submitted and prioritised as usual and then linked to the case it led to.
        """
        pupil = case.pupil
        if case.status != Case.Status.OPEN or pupil.referrals.exists():
            return
        referrer = self.users[spec.referrer]
        opened = case.opened_on
        day = opened - dt.timedelta(days=spec.days_before_opening)
        day -= dt.timedelta(days=max(0, day.weekday() - 4))  # a weekday
        submitted = _at(day, 15, 50)
        referral = Referral(
            school=case.school,
            pupil=pupil,
            referred_by=referrer,
            status=S.NEW,
            created_at=submitted - dt.timedelta(minutes=25),
            submitted_at=submitted,
        )
        criteria, barriers = self._form(referral, spec.form, pupil)
        # referral_save refuses a pupil with an open case, which this pupil already has.
        referral.full_clean(exclude=["criteria", "barriers", "panel"])
        save_as(referral, referrer)
        referral.criteria.set(criteria)
        referral.barriers.set(barriers)
        referral = services.referral_prioritise(
            referral=referral,
            user=self.coordinator,
            priority=spec.priority,
            panel=self.panel,
            prioritised_on=opened,
        )
        referral.status = S.ACCEPTED
        referral.decided_at = _at(opened, 16, 5)
        referral.decided_by = self.coordinator
        referral.support_type = case.support_type
        referral.case = case
        save_as(referral, self.coordinator)
        self._letter(case, min(opened + dt.timedelta(days=1), self.today))
        answered = min(opened + dt.timedelta(days=1 + spec.answered_after_days), self.today)
        self._consent(case, D.GIVEN, answered, spec.consent_method, spec.consent_note)

    def _letter(self, case, sent_on):
        contact = case.pupil.contacts.order_by("priority").first()
        services.consent_letter_send(
            case=case, user=self.coordinator, addressed_to=contact, sent_on=sent_on
        )

    def _consent(self, case, decision, decided_on, method, note):
        contact = case.pupil.contacts.order_by("priority").first()
        if contact is not None and contact.parental_responsibility:
            given_by, relationship = contact.name, contact.relationship
        else:  # a looked-after child: the local authority holds parental responsibility
            given_by, relationship = "Jo Whitlow", "Social worker"
        record = services.consent_record(
            case=case,
            user=self.coordinator,
            decision=decision,
            given_by=given_by,
            relationship=relationship,
            method=method,
            decided_on=decided_on,
            note=_fill(note, case.pupil),
        )
        record.recorded_at = _at(decided_on, 15, 40)
        save_as(record, self.coordinator)
