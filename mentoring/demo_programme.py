"""Demo programme: last year's and this year's programme meetings with their actions, the
mentors' training (one renewal due soon, one overdue), a few resources, and the mentoring
policy's dates, so that its review is due soon.

Called by ``demo.seed`` once the staff exist. Meetings and training records go through their
services, as the pages would, by the coordinator. Each row is keyed (a meeting by its school,
kind and date; a training record by its mentor and course; a resource by its title) and
only made when missing, so a second run creates nothing and changes nothing.

The demo's files are made here (a plain-text activity and a one-page PDF), checked as an
upload would be, and kept under a fixed name, so seeding again never leaves stray copies.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from reviews.models import ProgrammeMeeting
from reviews.programme_meetings import programme_meeting_record

from .audit import save_as
from .models import Resource, TrainingRecord
from .policy import add_months
from .resources import check_upload
from .training import training_record_save

FEELINGS_FACES = """Feelings faces: a ten-minute warm-up

1. Lay out the six faces: happy, sad, worried, cross, calm, excited.
2. Ask the pupil to pick the face that is most like their morning.
3. Ask what happened just before they felt like that.
4. Pick the face they would like for the afternoon, and one small thing that would help.

Keep the faces in the mentoring box; make a new set when they get tatty.
"""

ACTIONS_LAST_YEAR = [
    ("Order a second set of sand-tray figures", "coordinator", 14),
    ("Share the friendship-group plans with the new mentor", "mentor", 21),
]
ACTIONS_THIS_YEAR = [
    ("Try the feelings-faces warm-up in every first session", "mentor", 10),
    ("Book the safeguarding refresher for both mentors", "coordinator", 60),
    ("Bring three worksheets for the resources library", "mentor2", 20),
]


def _pdf(lines):
    """A one-page PDF of a few lines of text, written out by hand: no file in the code base."""
    text = " ".join(f"({line}) Tj T*" for line in lines)
    stream = f"BT /F1 14 Tf 16 TL 60 780 Td {text} ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
    ]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


CALM_CORNER = _pdf(
    [
        "The calm corner: a guide for mentors",
        "Somewhere quiet, with a cushion, a timer and the feelings faces.",
        "The pupil chooses when to go there, and when to come back.",
    ]
)

RESOURCES = [
    {
        "title": "Feelings faces warm-up",
        "kind": Resource.Kind.ACTIVITY,
        "description": "A ten-minute start to a session, for Key Stage 1 and 2.",
        "file": ("feelings-faces.txt", FEELINGS_FACES.encode()),
    },
    {
        "title": "The calm corner",
        "kind": Resource.Kind.GUIDANCE,
        "description": "Setting up a calm corner in the mentoring room.",
        "file": ("calm-corner.pdf", CALM_CORNER),
    },
    {
        "title": "Friendship skills games (made-up example site)",
        "kind": Resource.Kind.WEBSITE,
        "description": "Games for small groups; the site is an invented example.",
        "link": "https://friendship-games.example.org/small-groups",
    },
    {
        "title": "Worry monsters: a picture book",
        "kind": Resource.Kind.BOOK,
        "description": "Kept in the mentoring room's book box; good for Years 1 to 3.",
        "link": "https://library.example.org/worry-monsters",
    },
]


def seed_programme(school, users, today):
    start_year = today.year if today.month >= 9 else today.year - 1
    _seed_policy(school, users, today)
    _seed_meetings(school, users, today, start_year)
    _seed_training(school, users, today)
    _seed_resources(school, users, today)


def _seed_policy(school, users, today):
    """Agreed two years ago, less six weeks: the head sees its review coming up."""
    if school.policy_adopted_on is not None:
        return
    school.policy_adopted_on = add_months(today, -24) + dt.timedelta(days=42)
    school.policy_review_months = 24
    save_as(school, users["office"], reason="Mentoring policy dates")


def _meeting(school, users, met_on, kind, notes, decisions, actions, today, done=False):
    if (
        met_on > today
        or ProgrammeMeeting.objects.filter(school=school, kind=kind, met_on=met_on).exists()
    ):
        return
    coordinator = users["coordinator"]
    meeting = programme_meeting_record(
        school=school,
        user=coordinator,
        met_on=met_on,
        kind=kind,
        attendees=[coordinator, users["mentor"], users["mentor2"]],
        notes=notes,
        decisions=decisions,
        actions=[
            {"action": what, "owner": users[who], "due_on": met_on + dt.timedelta(days=days)}
            for what, who, days in actions
        ],
    )
    if done:
        for action in meeting.actions.all():
            action.done_on = min(action.due_on, today)
            save_as(action, coordinator, reason="Marked done")


def _seed_meetings(school, users, today, start_year):
    last_year, this_year = start_year - 1, start_year
    K = ProgrammeMeeting.Kind
    _meeting(
        school,
        users,
        dt.date(last_year, 12, 12),
        K.TERMLY,
        "Autumn term: nine pupils mentored, two blocks finished. The sand-tray sessions went "
        "well; the figures are wearing out.",
        "Keep blocks at eight weeks.",
        ACTIONS_LAST_YEAR[:1],
        today,
        done=True,
    )
    _meeting(
        school,
        users,
        dt.date(this_year, 7, 10),
        K.ANNUAL,
        "The year in review: referrals steady, most targets met. The mentors asked for more "
        "worksheets they can share.",
        "Start a resources library in September. Review the training at every termly meeting.",
        ACTIONS_LAST_YEAR[1:],
        today,
        done=True,
    )
    _meeting(
        school,
        users,
        dt.date(this_year, 10, 16),
        K.END_OF_BLOCK,
        "First block of the year ended. Two pupils settled quickly; one needs a longer block. "
        "The feelings-faces warm-up helped the shy starters.",
        "Offer the warm-up in every first session.",
        ACTIONS_THIS_YEAR,
        today,
    )


def _seed_training(school, users, today):
    """Safeguarding refreshers: Mina's due in a fortnight, Milo's a fortnight overdue."""
    rows = [
        ("mentor", "Safeguarding refresher", 350, 15),
        ("mentor2", "Safeguarding refresher", 380, -15),
        ("mentor", "Drawing & Talking practitioner", 700, None),
        ("mentor2", "Emotion coaching", 200, None),
    ]
    for who, course, days_ago, renewal_in in rows:
        mentor = users[who]
        if TrainingRecord.objects.filter(school=school, mentor=mentor, course=course).exists():
            continue
        training_record_save(
            record=TrainingRecord(
                school=school,
                mentor=mentor,
                course=course,
                completed_on=today - dt.timedelta(days=days_ago),
                renewal_due_on=(
                    today + dt.timedelta(days=renewal_in) if renewal_in is not None else None
                ),
            ),
            user=users["coordinator"],
        )


def _seed_resources(school, users, today):
    for spec in RESOURCES:
        if Resource.objects.filter(school=school, title=spec["title"]).exists():
            continue
        resource = Resource(
            school=school,
            title=spec["title"],
            kind=spec["kind"],
            description=spec["description"],
            link=spec.get("link", ""),
            added_by=users["mentor"],
            added_on=today - dt.timedelta(days=20),
        )
        if "file" in spec:
            name, content = spec["file"]
            upload = ContentFile(content, name=name)
            checked = check_upload(upload)
            stored = f"resources/demo/{name}"
            if default_storage.exists(stored):
                default_storage.delete(stored)
            resource.file.name = default_storage.save(stored, upload)
            resource.file_name = checked.original_name
            resource.content_type = checked.content_type
            resource.size = upload.size
        resource.full_clean()
        save_as(resource, users["mentor"])
