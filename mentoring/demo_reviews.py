"""Demo reviews: questionnaires, targets, observations, meetings, termly reviews, a closure.

Called by ``demo.seed`` after the sessions, so that every case has its slot and records.
Everything goes through the reviews services, as the pages would, with the demo user who
would have done it: the mentor records their own cases' questionnaires, targets, progress
(with their own session records), observations, meetings and the mentor's part of the
termly review; the pupil's class teacher adds a view; the coordinator decides and closes.

The seeded calendar starts with this school year, so "last term's reviews" are reviews of
the current term: decided ("continue") for the cases whose block started earliest, waiting
for the coordinator or the class teacher for two more, and none at all for the two newest,
so that the coordinator's "reviews due" list has every kind of entry. One more pupil had a
block of mentoring earlier this term that closed with its targets met and a case study.

Services stamp "today" on what they do; the dates they take (completed, observed, met,
prepared, decided, closed) are given in the past instead, and the two they have no
parameter for (when a target was set, when an action was done) are moved into the past
on the instance and saved again, which the history records too.

Seeding is keyed on the case: a case that already has questionnaires, targets,
observations, meetings or this term's review keeps them and gets no more, and the closed
case's pupil is found again by its closure, so a second run creates nothing and changes
nothing.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from mentoring.audit import save_as
from referrals.models import ConsentRecord, Referral
from reviews.closure import case_close
from reviews.meetings import action_done, meeting_record
from reviews.models import (
    CaseClosure,
    MeetingRecord,
    Observation,
    OutcomeArea,
    Questionnaire,
    Target,
    TargetProgress,
    TermlyReview,
)
from reviews.questionnaires import (
    administration_record,
    instrument_score_record,
    questionnaires_ensure_defaults,
)
from reviews.targets import observation_add, progress_save, target_add, target_set_status
from reviews.termly import review_decide, review_save, teacher_view_save, term_containing
from sessions import services as session_services
from sessions.models import Allocation, SessionRecord
from sessions.schedule import block_session_dates, calendar_for_block, first_weekday_on_or_after

from .calendar import SchoolCalendar
from .demo_referrals import PRONOUNS, Consent, DemoReferral, Form, _Seeder
from .demo_sessions import FIRST_MEETING, Missed, Note, Plan, _log_sessions
from .models import Case, ClassStaff, Room, SupportType, Term, YearGroup

SEED = "larkspur-reviews"
A = OutcomeArea
K = Questionnaire.Kind
D = TermlyReview.Decision
R = TargetProgress.Rating
NONE, SOME, GOOD, MET = R.NONE, R.SOME, R.GOOD, R.MET
FRI = 4


@dataclass(frozen=True)
class DemoTarget:
    """A SMART target set at the first session, and the progress noted on the held sessions
    after it, one (rating, note) each, in order. ``by`` is "block" or "term"."""

    what: str
    measure: str
    success: str
    area: str
    progress: tuple = ()
    by: str = "block"
    iep: str = ""
    achieved: bool = False  # marked achieved once the progress reaches "target met"


@dataclass(frozen=True)
class DemoAction:
    """``owner``: a username, "mentor" or "class_teacher"; due ``due_in`` days from today
    (negative: in the past); done ``done`` school days ago, if it was."""

    owner: str
    action: str
    due_in: int
    done: int | None = None


@dataclass(frozen=True)
class DemoMeeting:
    kind: str
    school_days_ago: int
    attendees: str
    notes: str
    actions: tuple = ()


@dataclass(frozen=True)
class DemoReview:
    """This term's review, as far as it has gone: "prepared" by the mentor, the class
    teacher's view added ("teacher") or "decided" by the coordinator."""

    stage: str
    progress: str
    behaviour: str
    attendance: str
    teacher_view: str = ""


# School days before today that each part of a review was done, by how far it has gone.
REVIEW_DAYS = {"prepared": (1, None, None), "teacher": (2, 1, None), "decided": (4, 3, 2)}


@dataclass(frozen=True)
class CaseWork:
    targets: tuple
    pupil_questionnaire: bool = False
    observations: tuple = ()  # (Observation.Setting, school days ago, notes)
    meetings: tuple = ()
    review: DemoReview | None = None
    sdq: tuple = ()  # SDQ total difficulties (teacher) at entry, and at exit if it closed


SDQ = "SDQ total difficulties (teacher)"

# In the order of demo.CASES, then the two pupils who joined the small group.
WORK = (
    # Oak, Year 4 (the "teacher" login's class): self-esteem, started three weeks ago.
    CaseWork(
        (
            DemoTarget(
                "Say one thing {he} did well at the end of each school day",
                "Ticks on {his} target card, checked with Ms Marchbank at home time",
                "Four days out of five, three weeks running, without a prompt",
                A.SELF_ESTEEM,
                ((SOME, "Card ticked on three days this week, each time after a prompt."),),
            ),
            DemoTarget(
                "Read a paragraph aloud in {his} guided reading group",
                "Noted in the guided reading record by Ms Marchbank or Mrs Ellerby",
                "Reads aloud in the group once a week for three weeks, asked only once",
                A.CONFIDENCE,
                ((SOME, "Read {his} joke aloud to me; not ready for the group yet."),),
            ),
            DemoTarget(
                "Keep every page in {his} exercise books: no pages torn out",
                "Ms Marchbank checks {his} books every Friday",
                "No torn-out pages for four weeks running",
                A.ATTITUDES,
                ((GOOD, "One page torn out this week, down from four; used the fix-it card."),),
                by="term",
            ),
        ),
        pupil_questionnaire=True,
        meetings=(
            DemoMeeting(
                MeetingRecord.Kind.CLASS_TEACHER,
                3,
                "Ms Marchbank (class teacher), Mrs Ellerby (teaching assistant), "
                "Mrs Hartfield (learning mentor)",
                "Shared the target card and the fix-it card. {name} is calmer in maths since "
                "the TA check-in moved to the start of the lesson, but still will not read "
                "aloud. Agreed small chances to shine in front of the class, with a warning "
                "the day before so that {name} can prepare.",
                (
                    DemoAction(
                        "class_teacher",
                        "Give {name} the Friday 'joke of the week' slot, telling {him} on Thursday",
                        7,
                    ),
                    DemoAction("mentor", "Put a fix-it card in {name}'s tray", -4, done=2),
                ),
            ),
        ),
        review=DemoReview(
            "teacher",
            "Two sessions so far. Target card: ticked on three days in the first week, with "
            "prompts; {name} has started to name things done well. Reading aloud: read a "
            "joke aloud to me, not yet to the group. Torn pages: one this week, down from "
            "four the week before.",
            "No behaviour incidents this term; tearing pages was the main sign of "
            "frustration and is getting less frequent.",
            "Both sessions held. School attendance 97% this term.",
            "{name} has had a better fortnight: quicker to start work, and told the class "
            "about a model longship from home without being asked, which I had not seen "
            "before. Still says 'I can't' at the start of writing. I would like the "
            "mentoring to carry on into the spring term.",
        ),
    ),
    # Willow, Year 2: drawing and talking after a separation. No review yet.
    CaseWork(
        (
            DemoTarget(
                "Go to the calm corner with the sand timer instead of throwing equipment "
                "when angry",
                "Outbursts noted by Ms Ferraby on the class behaviour log",
                "No more than one outburst a week, three weeks running",
                A.BEHAVIOUR,
                ((SOME, "One outburst this week, on Monday; chose the calm corner on Thursday."),),
            ),
            DemoTarget(
                "Choose a feelings card at the Monday check-in and say one sentence about it",
                "The class TA notes the card and the sentence each Monday",
                "Five Mondays out of six",
                A.SOCIAL_EMOTIONAL,
                ((NONE, "Did not want a card after the contact weekend; drew the boat instead."),),
                by="term",
            ),
        ),
    ),
    # Chestnut, Year 5: friendships and writing. Decided: continue.
    CaseWork(
        (
            DemoTarget(
                "Have a calm lunchtime, coming back to class without needing an adult to "
                "sort out a falling-out",
                "The midday supervisors' lunchtime log and {his} target card",
                "Three calm lunchtimes a week, three weeks running",
                A.FRIENDSHIPS,
                (
                    (SOME, "Two calm lunchtimes out of five."),
                    (GOOD, "Used the walk-away plan on Tuesday; three calm lunchtimes."),
                    (GOOD, "Three calm lunchtimes again; sits with a friend from chess club."),
                ),
            ),
            DemoTarget(
                "Finish one piece of extended writing each week",
                "Ms Linwood's writing record and the pieces in {his} writing folder",
                "Four finished pieces in a row, two of them at the expected standard",
                A.ATTAINMENT,
                (
                    (GOOD, "Finished the trip account and one more piece; proud of both."),
                    (GOOD, "One more piece, at the expected standard (Ms Linwood)."),
                    (MET, "Fourth piece finished, the second at the expected standard."),
                ),
                achieved=True,
            ),
            DemoTarget(
                "Go to chess club every Wednesday lunchtime",
                "The chess club register",
                "Attends five Wednesdays running",
                A.CONFIDENCE,
                (
                    (SOME, "Went once; not sure the others want {him} there."),
                    (GOOD, "Three Wednesdays running, with a regular opponent."),
                    (GOOD, "Still going every week."),
                ),
                by="term",
            ),
        ),
        pupil_questionnaire=True,
        observations=(
            (
                Observation.Setting.CLASSROOM,
                22,
                "Writing lesson, 40 minutes. {name} planned well with a partner and wrote "
                "five lines, then stopped when someone from the friendship group laughed at "
                "the next table, and spent ten minutes rubbing out. Settled again once Ms "
                "Linwood moved {him} to the front table; finished the paragraph.",
            ),
            (
                Observation.Setting.PLAYGROUND,
                18,
                "Lunchtime, 20 minutes. Started in a game of tag with the friendship group; "
                "left out when teams were picked and stood by the wall for five minutes, "
                "then walked over to the chess club table: the walk-away plan working. No "
                "adult needed.",
            ),
        ),
        meetings=(
            DemoMeeting(
                MeetingRecord.Kind.PARENTS,
                20,
                "{parent}, Ms Linwood (class teacher), Mrs Hartfield (learning mentor)",
                "Shared the target card and the first piece of finished writing. At home "
                "{name} is calmer since joining chess club but still upset about the "
                "friendship group on Sunday evenings. Agreed the same words at home and at "
                "school when {name} is left out: say it, walk away, find someone else.",
                (
                    DemoAction(
                        "mentor", "Send a copy of the target card home each Friday", -31, done=15
                    ),
                ),
            ),
        ),
        review=DemoReview(
            "decided",
            "Lunchtimes: three calm lunchtimes a week for the last three weeks, using the "
            "walk-away plan. Writing: target met, four pieces finished, two at the expected "
            "standard. Chess club: goes every Wednesday and has a regular opponent.",
            "No lunchtime incidents logged in the last four weeks, against three in the "
            "first half of term.",
            "Four of five sessions held; one cancelled for the Year 5 trip. School "
            "attendance 96% this term.",
            "A different child in the afternoons: {name} comes in from lunch ready to work "
            "most days, and the writing is back on track. The friendship group is still "
            "fragile, so I would like the sessions to continue.",
        ),
    ),
    # Beech, Year 6: nurture, SEN support for social communication. Decided: continue.
    CaseWork(
        (
            DemoTarget(
                "Take turns in a structured game with a partner, waiting for {his} turn "
                "with one reminder at most",
                "The mentor's session notes, reviewed at the SEN support review with Ms Pendleford",
                "A whole game with a Year 6 partner, one reminder or none, three sessions running",
                A.SOCIAL_EMOTIONAL,
                (
                    (SOME, "Waited for {his} turn with one reminder each time."),
                    (GOOD, "A Year 6 partner joined for ten minutes; no reminders needed."),
                    (GOOD, "A whole game with a partner and one reminder."),
                ),
                iep="SEN support plan, target 2",
            ),
            DemoTarget(
                "Start a conversation with a classmate at lunchtime, using one of the "
                "openers practised in sessions",
                "Lunchtime check-in with the midday supervisor, twice a week",
                "Uses an opener on two days a week, three weeks running",
                A.FRIENDSHIPS,
                (
                    (NONE, "Has not tried an opener yet; ate lunch in the library."),
                    (SOME, "Tried 'what are you reading?' once, with a boy in the library."),
                    (SOME, "Used an opener with the Year 6 boy who joins our sessions."),
                ),
                by="term",
            ),
            DemoTarget(
                "Ask two of {his} own questions on the secondary school transition visit",
                "The questions list in {his} folder, and Mr Cradock's note of the visit",
                "Asks at least two questions during the visit",
                A.CONFIDENCE,
                (
                    (SOME, "Wrote six questions; worried about the size of the building."),
                    (SOME, "Practised asking the questions with me."),
                    (GOOD, "Much calmer about the move; chose the two questions to ask."),
                ),
                by="term",
            ),
        ),
        observations=(
            (
                Observation.Setting.PLAYGROUND,
                21,
                "Morning break. {name} walked round the edge of the playground alone, then "
                "stood by the fence watching the trains for most of break. Answered a Year 5 "
                "pupil who asked about the trains, but did not ask anything back.",
            ),
            (
                Observation.Setting.CLASSROOM,
                11,
                "Maths, paired work. On task for 25 minutes with a visual timer; needed one "
                "prompt to let {his} partner have a turn with the resources. Put {his} hand "
                "up once.",
            ),
        ),
        meetings=(
            DemoMeeting(
                MeetingRecord.Kind.CLASS_TEACHER,
                19,
                "Mr Cradock (class teacher), Mrs Hartfield (learning mentor)",
                "Agreed a quiet lunchtime option in the library on the hardest days, and a "
                "Year 6 partner to join the last ten minutes of the nurture sessions.",
                (
                    DemoAction(
                        "class_teacher",
                        "Choose a kind Year 6 partner to join {name}'s sessions",
                        -33,
                        done=17,
                    ),
                ),
            ),
            DemoMeeting(
                MeetingRecord.Kind.PARENTS,
                13,
                "{parent}, Ms Pendleford (SENDCO), Mrs Hartfield (learning mentor)",
                "Went over the nurture sessions and the move to secondary school. The visual "
                "timetable has helped at home too. The main worry is the size of the "
                "secondary school building: the family would like an extra visit in a small "
                "group before the main transition days.",
                (
                    DemoAction(
                        "coordinator",
                        "Ask the secondary school for an extra small-group transition visit "
                        "for {name}",
                        -6,
                    ),
                    DemoAction(
                        "mentor",
                        "Send home the visual timetable and the conversation openers",
                        -14,
                        done=12,
                    ),
                ),
            ),
        ),
        review=DemoReview(
            "decided",
            "Turn-taking (SEN support target 2): good progress, whole games with a partner "
            "with one reminder at most. Conversation openers: some progress; used one twice "
            "but still prefers the library at lunchtime. Transition: six questions written "
            "and two chosen for the visit; much calmer about the move.",
            "No incidents. Mr Cradock reports fewer prompts to take turns in class.",
            "Four of five sessions held; one missed through illness. School attendance 95% "
            "this term.",
            "{name} is more settled in class and has started to work with a partner in "
            "maths. Lunchtimes are still hard. I support continuing in the spring term, "
            "linked to the transition visits.",
        ),
        sdq=(19,),
    ),
    # Hazel, Year 1: sand play, started last week. No review yet.
    CaseWork(
        (
            DemoTarget(
                "Come into class at drop-off without crying, using the photo book of the classroom",
                "The Year 1 TA notes each morning's drop-off",
                "Four calm drop-offs out of five, two weeks running",
                A.CONFIDENCE,
            ),
            DemoTarget(
                "Say a few words to another child during small-world play",
                "Mr Ketteridge's notes of the afternoon play session",
                "Talks with another child in three play sessions",
                A.FRIENDSHIPS,
                by="term",
            ),
        ),
    ),
    # Birch, Year 3: playground behaviour. Review prepared, waiting for the class teacher.
    CaseWork(
        (
            DemoTarget(
                "Walk away and tell an adult when a playtime game gets heated",
                "The playground incident log and the head's Friday report card",
                "No playground incidents for three weeks running",
                A.BEHAVIOUR,
                ((GOOD, "Walked away twice this week and told the play leader; no incidents."),),
            ),
            DemoTarget(
                "Use the calm-down ladder to be back to learning within ten minutes of an upset",
                "Mr Amberley notes the time to settle on the report card",
                "Back to learning within ten minutes, four times out of five",
                A.SOCIAL_EMOTIONAL,
                ((SOME, "Used the ladder once, with a reminder; settled in about 15 minutes."),),
                by="term",
            ),
        ),
        pupil_questionnaire=True,
        observations=(
            (
                Observation.Setting.PLAYGROUND,
                14,
                "Lunchtime football, 20 minutes. {name} played well until a disputed goal, "
                "then shouted at the goalkeeper; walked to the play leader when she caught "
                "{his} eye, and was back in the game five minutes later.",
            ),
            (
                Observation.Setting.CLASSROOM,
                8,
                "Science, group work. Keen and full of ideas; took over the equipment twice "
                "and was upset when the group chose another plan. Used the ladder card on "
                "{his} desk with a reminder from Mr Amberley.",
            ),
        ),
        meetings=(
            DemoMeeting(
                MeetingRecord.Kind.CLASS_TEACHER,
                12,
                "Mr Amberley (class teacher), Mr Thistlewood (learning mentor)",
                "Playtimes are improving; the hardest time is now the return to class after "
                "lunch. Agreed to use the same calm-down ladder in class as in sessions.",
                (
                    DemoAction(
                        "class_teacher",
                        "Add the calm-down ladder to {name}'s report card",
                        -17,
                        done=11,
                    ),
                ),
            ),
        ),
        review=DemoReview(
            "prepared",
            "Walking away: good progress, no playground incidents for two weeks. Calm-down "
            "ladder: some progress; used with a reminder, back to learning in about 15 "
            "minutes.",
            "Two playground incidents in October, none in November. The head's report card "
            "has been green for the last two Fridays.",
            "Two of three sessions held; one cancelled (the mentor was on a first-aid "
            "course). School attendance 98% this term.",
        ),
    ),
    # Beech, Year 6: the small group, EHC plan. Decided: continue.
    CaseWork(
        (
            DemoTarget(
                "Spend lunchtime with at least one other child instead of on {his} own",
                "The midday supervisors' log, checked three days a week",
                "With other children on most days, three weeks running",
                A.FRIENDSHIPS,
                (
                    (SOME, "With the group at lunch on two days."),
                    (GOOD, "Ate lunch with a friend from drama club on three days."),
                    (MET, "With others every day, three weeks running: target met."),
                ),
                iep="EHC plan, outcome 3",
                achieved=True,
            ),
            DemoTarget(
                "Explain the rules of a game to a table of Year 4 pupils at the group's "
                "board-game club",
                "Mr Thistlewood's notes of the club sessions",
                "Explains a game's rules to a Year 4 table, two weeks running",
                A.CONFIDENCE,
                (
                    (SOME, "Helped plan the club; did not want to speak to the Year 4s yet."),
                    (SOME, "Agreed to explain one game next time."),
                    (GOOD, "Made the sign-up sheet and practised explaining one game."),
                ),
                by="term",
            ),
        ),
        pupil_questionnaire=True,
        review=DemoReview(
            "decided",
            "Lunchtimes: target met (EHC plan outcome 3), with others every day for three "
            "weeks. Board-game club: good progress; made the sign-up sheet and has "
            "practised explaining a game.",
            "No unkind messages reported since the anti-bullying work in September.",
            "Four of five group sessions; one missed for a dentist appointment. School "
            "attendance 94% this term.",
            "{name} is much happier and no longer asks to stay in at lunchtime. Still "
            "anxious about secondary school; the group gives {him} somewhere to say so.",
        ),
    ),
    # The small group's two other pupils, both decided: continue.
    CaseWork(
        (
            DemoTarget(
                "Join a playground game by asking, using the words practised in the group",
                "Mr Thistlewood's weekly check with the play leader",
                "Joins a game by asking on three playtimes a week",
                A.FRIENDSHIPS,
                (
                    (SOME, "Asked once, with the play leader nearby."),
                    (GOOD, "Joined football twice by asking."),
                    (GOOD, "Asked to join on three playtimes."),
                    (MET, "Three playtimes again, and was asked to join once: target met."),
                ),
                achieved=True,
            ),
            DemoTarget(
                "Name one thing to be proud of in each group session",
                "Noted in the group's session records",
                "Names something without a prompt in four sessions running",
                A.SELF_ESTEEM,
                (
                    (SOME, "Needed a prompt: proud of the tower."),
                    (SOME, "Named the friendship poster, with a prompt."),
                    (GOOD, "Proud of the role-play, no prompt needed."),
                    (GOOD, "Proud of the sign-up sheet, no prompt needed."),
                ),
            ),
        ),
        review=DemoReview(
            "decided",
            "Joining games: target met, asks to join on three playtimes a week. Pride: good "
            "progress, names something without a prompt in the last two sessions.",
            "No incidents. Seen playing with others at most playtimes.",
            "Five of five group sessions. School attendance 97% this term.",
            "{name} has found a couple of friends in the class and is more relaxed. The "
            "group has been good for {him}; worth finishing the block.",
        ),
    ),
    CaseWork(
        (
            DemoTarget(
                "Speak in the group at least twice each session without being asked",
                "A tally in the group's session notes",
                "Twice or more in four sessions running",
                A.CONFIDENCE,
                (
                    (NONE, "Spoke once, when asked."),
                    (SOME, "Spoke twice, once without being asked."),
                    (GOOD, "Spoke three times without being asked."),
                ),
            ),
            DemoTarget(
                "Write down one worry about secondary school and one thing that would help",
                "{His} transition booklet, reviewed in the group",
                "Three worries, each with a plan, in the booklet by the end of term",
                A.SOCIAL_EMOTIONAL,
                (
                    (SOME, "One worry written: getting lost. No plan yet."),
                    (SOME, "Plan for getting lost: the map from the open evening."),
                    (GOOD, "Two worries with plans; shared one with the group."),
                ),
                by="term",
            ),
        ),
        review=DemoReview(
            "decided",
            "Speaking in the group: good progress, three times without being asked in the "
            "last session. Worries: two written with a plan each.",
            "No concerns about behaviour.",
            "Four of five group sessions; one missed through illness. School attendance "
            "96% this term.",
            "{name} has put {his} hand up in class twice this week, which is new. I would "
            "like the group to carry on until the transition visits.",
        ),
    ),
)


# --- The closed case: a block earlier this term, closed with its targets met ----------------

CLOSED_YEAR = YearGroup.YEAR_3
# School days before today, as demo_referrals counts them: the panel accepted the referral,
# the letter went home, the parents gave consent. Submitted three school days before the panel.
CLOSED_PANEL, CLOSED_LETTER, CLOSED_CONSENT = 46, 45, 43
CLOSED_SLOT = (
    FRI,
    dt.time(9, 30),
    45,
    "Learning Mentor Room",
    6,
)  # weekday, time, min, room, weeks
CLOSED_FORM = Form(
    ("Lacking in confidence or motivation", "Low self-esteem"),
    ("Transition", "Poor attendance or timekeeping", "Lack of confidence"),
    "{name} has found the move up to Year 3 very hard: tearful at the classroom door most "
    "mornings since September, often late, and three or four visits a week to the office "
    "with a tummy ache, which stop once {name} is settled. Bright and curious; loves science "
    "and looking after the class plants.",
    "A soft start with a job watering the plants; a meet and greet at the door; a phone call "
    "home about the mornings. The job helps, but the tummy aches and late starts go on.",
)
CLOSED_PLAN = Plan(
    (
        Note(
            FIRST_MEETING + "{name} chose two targets: a calm start to the day, and telling "
            "an adult about a worry instead of going to the office with a tummy ache. Made a "
            "worry card to keep in {his} tray.",
            2,
            "Try the worry card this week; ask Mr Amberley about a morning job.",
        ),
        Note(
            "Two calm starts this week, with the plant-watering job. Drew a 'worry monster' "
            "and fed it three worries about Year 3: the big playground, times tables and "
            "getting things wrong.",
            3,
            "Keep the morning job; practise the two times table with a game.",
        ),
        Note(
            "Used the worry card twice this week and did not go to the office once. Played a "
            "times-table game; {name} beat me and was delighted.",
            4,
            "Tell Mr Amberley that the worry card is working.",
        ),
        Note(
            "On time every day this week. Planned what to say to a friend who had been "
            "unkind at playtime; {name} said it the next morning and they made up.",
            4,
            "Start talking about the end of our sessions: two weeks to go.",
        ),
        Note(
            "Last session: looked back at the worry card, the target card and the worry "
            "monster. {name} says mornings are 'easy now' and chose to keep the worry card "
            "in {his} tray.",
            5,
            "Exit questionnaires; a note home; check in with Mr Amberley after half-term.",
        ),
    ),
    missed={3: Missed(SessionRecord.Attendance.PUPIL_ABSENT, "Off sick with a cold.")},
)
CLOSED_WORK = CaseWork(
    (
        DemoTarget(
            "Arrive on time and come into class calmly, starting with the plant-watering job",
            "The register's late marks and Mr Amberley's morning notes",
            "On time and settled on nine school days out of ten by the end of the block",
            A.ATTENDANCE,
            (
                (SOME, "On time three days out of five; tearful once at the door."),
                (GOOD, "On time every day but Monday; straight to the plants."),
                (GOOD, "On time and settled every day this week."),
                (MET, "Nine days out of ten on time and settled: target met."),
            ),
            achieved=True,
        ),
        DemoTarget(
            "Tell an adult about a worry with the worry card, instead of going to the office "
            "with a tummy ache",
            "The office's visits log and the worry card",
            "No more than one office visit a week, three weeks running",
            A.SOCIAL_EMOTIONAL,
            (
                (SOME, "Two office visits this week, down from four; used the card once."),
                (GOOD, "Used the card twice; no office visits."),
                (GOOD, "No office visits; told Mr Amberley about a worry at lunch."),
                (MET, "No office visits for three weeks: target met."),
            ),
            achieved=True,
        ),
    ),
    pupil_questionnaire=True,
    review=DemoReview(
        "decided",
        "Calm start: target met, on time and settled on nine days out of ten. Worries: "
        "target met, no office visits for three weeks and the worry card used at home too.",
        "No concerns about behaviour at any point; the difficulty was anxiety, not conduct.",
        "Five of six sessions held; one missed through illness. School attendance up from "
        "91% in the first three weeks of term to 98% over the block.",
        "{name} comes in smiling now and is first to the plants every morning. I agree the "
        "sessions can end; I will keep the worry card going in class.",
    ),
    sdq=(17, 10),
)
CLOSED_STUDY = {
    "background": "{name} was referred by Mr Amberley at the start of Year 3. The move up "
    "from the infants had been hard: tearful at the classroom door most mornings, often "
    "late, and three or four visits a week to the office with a tummy ache. Bright and "
    "curious, with a love of science and the class plants.",
    "what_was_done": "A six-week block of weekly one-to-one mentoring with Mrs Hartfield on "
    "Friday mornings. Two targets: a calm, on-time start to the day with a morning job "
    "watering the class plants, and telling an adult about a worry with a worry card. "
    "Sessions used a 'worry monster', times-table games and rehearsing what to say to "
    "friends. Mr Amberley and the family used the same worry card.",
    "outcomes": "Both targets met. The staff rating rose from {staff_entry} to {staff_exit} "
    "(mean answer out of 5) and {name}'s own 'All about me' answers from {pupil_entry} to "
    "{pupil_exit} (out of 3); the SDQ total difficulties score (teacher) fell from 17 to "
    "10. On time and settled on nine days out of ten by the end of the block, with no "
    "visits to the office in the last three weeks. The parents' questionnaire at exit was "
    "positive throughout.",
    "lessons": "A practical job at the start of the day made the biggest difference, and "
    "cost nothing. The worry card worked because home and school used the same one. "
    "Starting within two weeks of the referral stopped the late starts becoming a habit. "
    "Worth a check-in after the Christmas holidays, the next likely wobble.",
}


# --- Seeding ----------------------------------------------------------------------------------


def seed_reviews(school, users, pupils, cases, group_cases, today):
    """Reviews data for ``cases`` (in the order of demo.CASES) and ``group_cases``, then the
    closed episode of a pupil of ``pupils`` ({year group: [pupils]})."""
    questionnaires_ensure_defaults(school=school, user=users["coordinator"])
    seeder = _Reviews(school, users, today)
    for case, work in zip([*cases, *group_cases], WORK, strict=False):
        case = Case.objects.select_related("pupil", "mentor").get(pk=case.pk)
        allocation = Allocation.objects.filter(case=case).select_related("slot").first()
        if case.status != Case.Status.OPEN or allocation is None:
            continue
        if allocation.starts_on > today:
            continue
        seeder.work(case, allocation, work)
    seeder.closed_episode(pupils.get(CLOSED_YEAR, []))


def _mean(values):
    mean = Decimal(sum(values)) / len(values)
    return mean.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


class _Reviews:
    def __init__(self, school, users, today):
        self.school, self.users, self.today = school, users, today
        self.coordinator = users["coordinator"]
        self.calendar = SchoolCalendar.for_school(
            school, today - dt.timedelta(days=366), today + dt.timedelta(days=366)
        )
        self.questionnaires = {
            kind: Questionnaire.objects.filter(school=school, kind=kind, current=True)
            .order_by("name")
            .first()
            for kind in K.values
        }
        self.term = term_containing(school, today)

    # --- Days ---------------------------------------------------------------------------

    def school_day(self, n):
        """The ``n``-th school day before today (0: today, or the last one before)."""
        day, seen = self.today, -1
        first = min((t.starts_on for t in self.calendar.terms), default=self.today)
        while True:
            if self.calendar.is_school_day(day) or (day < first and day.weekday() < 5):
                seen += 1
                if seen == n:
                    return day
            day -= dt.timedelta(days=1)

    def school_days_after(self, day):
        return list(self.calendar.school_days(day + dt.timedelta(days=1), self.today))

    def next_review_on(self, term):
        """A few weeks into the next term, or six weeks on when the calendar stops."""
        following = (
            Term.objects.filter(academic_year__school=self.school, starts_on__gt=term.ends_on)
            .order_by("starts_on")
            .first()
        )
        if following is None:
            return self.today + dt.timedelta(weeks=6)
        return first_weekday_on_or_after(following.starts_on + dt.timedelta(weeks=3), 0)

    # --- One case -------------------------------------------------------------------------

    def work(self, case, allocation, work):
        """Questionnaires, targets and progress, observations, meetings and this term's
        review for an open case, each only if the case has none yet."""
        pupil, mentor = case.pupil, case.mentor
        held = list(
            SessionRecord.objects.filter(case=case, attendance=SessionRecord.Attendance.HELD)
            .select_related("author")
            .order_by("date")
        )
        started = allocation.starts_on
        teacher = _class_teacher(pupil)
        words = _words(case, teacher)
        if not case.administrations.exists():
            self._entry(case, mentor, teacher, started, _focus(work), work.pupil_questionnaire)
        if work.sdq and not case.instrument_scores.exists():
            instrument_score_record(
                case=case,
                user=mentor,
                instrument=SDQ,
                score=work.sdq[0],
                scored_on=started,
                note="Completed by the class teacher at the start of the block",
            )
        if not case.targets.exists():
            self._targets(case, allocation, held, work.targets, words)
        if not case.observations.exists():
            for setting, days_ago, notes in work.observations:
                observation_add(
                    case=case,
                    user=mentor,
                    observed_on=max(self.school_day(days_ago), started),
                    setting=setting,
                    notes=notes.format(**words),
                )
        if not case.meetings.exists():
            for meeting in work.meetings:
                self._meeting(case, meeting, teacher, words)
        if work.review is not None and self.term is not None:
            days = [n if n is None else self.school_day(n) for n in REVIEW_DAYS[work.review.stage]]
            self._review(case, self.term, work.review, teacher, words, days)

    def _entry(self, case, mentor, teacher, on, focus, pupil_too):
        """The baseline: the class teacher's staff rating, and the pupil's own answers."""
        staff = self.questionnaires[K.STAFF_RATING]
        administration_record(
            case=case,
            questionnaire=staff,
            user=mentor,
            stage="entry",
            completed_on=on,
            completed_by=_teacher_name(teacher),
            answers=_answers(staff, case.pupil.upn, focus),
        )
        pupil = self.questionnaires[K.PUPIL]
        if pupil_too and pupil is not None:
            administration_record(
                case=case,
                questionnaire=pupil,
                user=mentor,
                stage="entry",
                completed_on=on,
                completed_by=f"{case.pupil.first_name} (the pupil), with {_title(mentor)}",
                answers=_answers(pupil, case.pupil.upn, focus),
            )

    def _targets(self, case, allocation, held, targets, words):
        """Targets set at the first held session, and progress on the held ones since."""
        mentor = case.mentor
        term = term_containing(self.school, allocation.starts_on) or self.term
        set_at = held[0].created_at if held else None
        added = []
        for spec in targets:
            by_when = allocation.slot.block_ends_on
            if spec.by == "term" and term is not None:
                by_when = term.ends_on
            target = target_add(
                case=case,
                user=mentor,
                what=spec.what.format(**words),
                measure=spec.measure.format(**words),
                success=spec.success.format(**words),
                by_when=by_when,
                outcome_area=spec.area,
                iep_reference=spec.iep,
                today=held[0].date if held else allocation.starts_on,
            )
            if set_at is not None:
                target.created_at = set_at + dt.timedelta(minutes=5)
                save_as(target, mentor)
            added.append((target, spec))
        for number, record in enumerate(held[1:]):
            entries = {
                target: (spec.progress[number][0], spec.progress[number][1].format(**words))
                for target, spec in added
                if number < len(spec.progress)
            }
            if entries:
                progress_save(record=record, user=record.author, entries=entries)
        for target, spec in added:
            noted = spec.progress[: max(len(held) - 1, 0)]
            if spec.achieved and noted and noted[-1][0] == MET:
                target_set_status(target=target, user=mentor, status=Target.Status.ACHIEVED)

    def _meeting(self, case, meeting, teacher, words):
        """A meeting with its actions, the done ones marked done by their owner."""
        met_on = max(self.school_day(meeting.school_days_ago), case.opened_on)
        owners = {**self.users, "mentor": case.mentor, "class_teacher": teacher}
        actions = [
            (
                {
                    "action": spec.action.format(**words),
                    "owner": owners[spec.owner],
                    "due_on": max(self.today + dt.timedelta(days=spec.due_in), met_on),
                },
                spec.done,
            )
            for spec in meeting.actions
            if owners[spec.owner] is not None
        ]
        record = meeting_record(
            case=case,
            user=case.mentor,
            met_on=met_on,
            kind=meeting.kind,
            attendees=meeting.attendees.format(**words),
            notes=meeting.notes.format(**words),
            actions=[fields for fields, _ in actions],
        )
        for action, (fields, done) in zip(record.actions.order_by("pk"), actions, strict=True):
            if done is None:
                continue
            owner = fields["owner"]
            action = action_done(action=action, user=owner)
            action.done_on = min(max(self.school_day(done), met_on), self.today)
            save_as(action, owner)

    def _review(self, case, term, spec, teacher, words, days, decision=D.CONTINUE):
        """This term's review, as far as ``spec.stage``: ``days`` are the dates it was
        prepared, given the class teacher's view and decided (None: not yet)."""
        if TermlyReview.objects.filter(case=case, term=term).exists():
            return None
        prepared, viewed, decided = days
        review = review_save(
            review=TermlyReview(
                case=case,
                term=term,
                progress_summary=spec.progress.format(**words),
                behaviour_evidence=spec.behaviour.format(**words),
                attendance_evidence=spec.attendance.format(**words),
            ),
            user=case.mentor,
            today=prepared,
        )
        if viewed is not None and teacher is not None:
            review = teacher_view_save(
                review=review,
                user=teacher,
                teacher_view=spec.teacher_view.format(**words),
                today=viewed,
            )
        if decided is not None:
            review = review_decide(
                review=review,
                user=self.coordinator,
                decision=decision,
                next_review_on=None if decision == D.CLOSE else self.next_review_on(term),
                today=decided,
            )
        return review

    # --- The closed episode ---------------------------------------------------------------

    def closed_episode(self, pupils):
        """A pupil mentored earlier this term: referred, given a slot and sessions, with
        entry and exit questionnaires, targets met, a review deciding to close, and the
        closure with its case study. Skipped when the calendar has no room for it."""
        pupil = _closed_case_pupil(pupils)
        if pupil is None:
            return
        mentor, coordinator = self.users["mentor"], self.coordinator
        weekday, starts_at, minutes, room_name, weeks = CLOSED_SLOT
        consent_on = self.school_day(CLOSED_CONSENT)
        start = first_weekday_on_or_after(consent_on + dt.timedelta(days=1), weekday)
        dates, _ = block_session_dates(
            weekday, start, weeks, calendar_for_block(self.school, start)
        )
        # The block, its review and the closure all happened before this week.
        if not dates or len(self.school_days_after(dates[-1])) < 8:
            return
        last = dates[-1]
        after = self.school_days_after(last)
        submitted = self.school_day(CLOSED_PANEL + 3)
        referrals = _Seeder(self.school, self.users, self.today)
        referrals.refer(
            pupil,
            DemoReferral(
                CLOSED_YEAR,
                "j.amberley",
                Referral.Status.ACCEPTED,
                (self.today - submitted).days,
                CLOSED_FORM,
                priority=Referral.Priority.MEDIUM,
                panel_school_days_ago=CLOSED_PANEL,
                support_type=SupportType.MENTORING,
                letter_school_days_ago=CLOSED_LETTER,
                consent=Consent(
                    ConsentRecord.Decision.GIVEN,
                    CLOSED_CONSENT,
                    ConsentRecord.Method.SLIP,
                    "Relieved: the mornings are hard at home too.",
                ),
            ),
        )
        case = Case.objects.filter(pupil=pupil).open().select_related("pupil").first()
        if case is None:
            return
        allocation = session_services.allocate(
            case=case,
            user=coordinator,
            mentor=mentor,
            room=Room.objects.get(school=self.school, name=room_name),
            weekday=weekday,
            starts_at=starts_at,
            duration=minutes,
            block_starts_on=start,
            block_weeks=weeks,
        )
        _log_sessions(self.school, {case.pk: CLOSED_PLAN}, self.today)
        case.refresh_from_db()
        work = CLOSED_WORK
        # Entry questionnaires, targets and progress as for the open cases...
        self.work(case, allocation, CaseWork(work.targets, work.pupil_questionnaire, sdq=work.sdq))
        teacher = _class_teacher(pupil)
        words = _words(case, teacher)
        # ...then the exit: the same questionnaires again, higher, and the parents' view.
        self._exit(case, mentor, teacher, _focus(work), last, after[3])
        instrument_score_record(
            case=case, user=mentor, instrument=SDQ, score=work.sdq[1], scored_on=last
        )
        term = term_containing(self.school, last)
        if term is not None:
            days = (last, after[0], after[4])
            self._review(case, term, work.review, teacher, words, days, D.CLOSE)
        means = _closed_means(case)
        study = {key: text.format(**words, **means) for key, text in CLOSED_STUDY.items()}
        case_close(
            case=case,
            user=coordinator,
            reason=CaseClosure.Reason.TARGETS_MET,
            closed_on=after[4],
            today=self.today,
            **study,
        )

    def _exit(self, case, mentor, teacher, focus, last_session, parents_on):
        staff, pupil, parent = (self.questionnaires[k] for k in (K.STAFF_RATING, K.PUPIL, K.PARENT))
        upn = case.pupil.upn
        administration_record(
            case=case,
            questionnaire=staff,
            user=mentor,
            stage="exit",
            completed_on=last_session,
            completed_by=_teacher_name(teacher),
            answers=_answers(staff, upn, focus, lift=True),
        )
        administration_record(
            case=case,
            questionnaire=pupil,
            user=mentor,
            stage="exit",
            completed_on=last_session,
            completed_by=f"{case.pupil.first_name} (the pupil), with {_title(mentor)}",
            answers=_answers(pupil, upn, focus, lift=True),
        )
        contact = case.pupil.contacts.order_by("priority").first()
        administration_record(
            case=case,
            questionnaire=parent,
            user=mentor,
            stage="exit",
            completed_on=parents_on,
            completed_by=f"{contact.name} ({contact.relationship.lower()})"
            if contact
            else "Parent/carer",
            answers=_answers(parent, upn, (), positive=True),
        )


# --- Helpers ------------------------------------------------------------------------------------


def _focus(work):
    """The outcome areas of the case's targets, where the entry answers are lowest."""
    return {target.area for target in work.targets}


def _class_teacher(pupil):
    return _teacher_of(school_class_id=pupil.school_class_id)


def _teacher_of(**school_class):
    """The teacher of the class that ``school_class`` (ClassStaff lookups) picks, or None."""
    staff = (
        ClassStaff.objects.filter(kind=ClassStaff.Kind.TEACHER, **school_class)
        .select_related("user")
        .first()
    )
    return staff.user if staff else None


def _title(user):
    return f"{user.title} {user.last_name}".strip() if user else ""


def _teacher_name(teacher):
    return f"{_title(teacher)} (class teacher)" if teacher else "The class teacher"


def _words(case, teacher):
    """What the texts may name: the pupil (with pronouns), the first contact."""
    pupil = case.pupil
    he, him, his = PRONOUNS.get(pupil.gender, ("they", "them", "their"))
    contact = pupil.contacts.order_by("priority").first()
    parent = f"{contact.name} ({contact.relationship.lower()})" if contact else "Parent/carer"
    return {
        "name": pupil.first_name,
        "he": he,
        "him": him,
        "his": his,
        "He": he.capitalize(),
        "His": his.capitalize(),
        "parent": parent,
        "teacher": _title(teacher),
    }


def _answers(questionnaire, key, focus, lift=False, positive=False):
    """Plausible answers, the same on every run: mostly low to middling at entry, lowest in
    the case's focus areas; at exit (``lift``) the entry answers one or two steps higher;
    ``positive``: a parent's agreeing view at exit."""
    top = len(questionnaire.scale_labels)
    middle = (top + 1) // 2
    entry = random.Random(f"{SEED}:{key}:{questionnaire.kind}")  # noqa: S311  (made-up data)
    later = random.Random(f"{SEED}:{key}:{questionnaire.kind}:exit")  # noqa: S311
    answers = {}
    for item in questionnaire.items.all():
        if item.outcome_area in focus:
            value = entry.choice((1, 2, 2, middle))
        else:
            value = entry.choice((2, middle, middle, middle + 1))
        if lift:
            value += later.choice((1, 1, 2))
        if positive:
            value = later.choice((top - 1, top - 1, top))
        answers[item.pk] = max(1, min(top, value))
    return answers


def _closed_means(case):
    """The entry and exit means of the staff rating and the pupil's questionnaire."""
    means = {}
    for administration in case.administrations.select_related("questionnaire"):
        kind = {K.STAFF_RATING: "staff", K.PUPIL: "pupil"}.get(administration.questionnaire.kind)
        if kind:
            values = list(administration.answers.values_list("value", flat=True))
            means[f"{kind}_{administration.stage}"] = _mean(values)
    for key in ("staff_entry", "staff_exit", "pupil_entry", "pupil_exit"):
        means.setdefault(key, "?")
    return means


def _closed_case_pupil(pupils):
    """The first pupil (by UPN) with no referral or case, or None once the closed episode
    exists (its pupil has a case with a closure)."""
    for pupil in sorted(pupils, key=lambda p: p.upn):
        if CaseClosure.objects.filter(case__pupil=pupil).exists():
            return None
        if not pupil.referrals.exists() and not Case.objects.filter(pupil=pupil).exists():
            return pupil
    return None
