from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST
from icalendar import Calendar, Event

from mentoring import permissions
from mentoring.models import Role, Room

from ..book import SessionBook
from ..models import Allocation, CalendarFeed
from ..week import mentor_allocations


def calendar_feeds(request):
    """A mentor's own feed; the coordinator's feeds of rooms. Each link can be revoked."""
    mentor = permissions.has_role(request.user, Role.MENTOR)
    rooms = Room.objects.filter(
        school_id__in=permissions.schools_where(request.user, Role.COORDINATOR)
    )
    if not mentor and not rooms.exists():
        raise PermissionDenied
    if request.method == "POST":
        chosen = request.POST.get("room", "")
        # Only a room offered on the page: anything else is refused, never a server error.
        room = rooms.filter(pk=chosen).first() if chosen.isdecimal() else None
        if (chosen and room is None) or (room is None and not mentor):
            raise PermissionDenied
        CalendarFeed.objects.create(
            mentor=None if room else request.user, room=room, created_by=request.user
        )
        messages.success(request, "A new calendar link is ready. Keep it to yourself.")
        return redirect("calendar_feeds")
    feeds = (
        CalendarFeed.objects.filter(revoked_at__isnull=True)
        .filter(created_by=request.user)
        .select_related("room", "mentor")
    )
    links = [
        (f, request.build_absolute_uri(reverse("calendar_feed", args=[f.token]))) for f in feeds
    ]
    return render(
        request, "sessions/calendar_feeds.html", {"links": links, "rooms": rooms, "mentor": mentor}
    )


@require_POST
def calendar_feed_revoke(request, pk):
    feed = get_object_or_404(CalendarFeed, pk=pk, created_by=request.user, revoked_at__isnull=True)
    feed.revoked_at = timezone.now()
    feed._history_user = request.user
    feed.save()
    messages.success(request, "The link is revoked: calendars using it will stop updating.")
    return redirect("calendar_feeds")


@login_not_required
def calendar_feed(request, token):
    """The slots as iCalendar, for a calendar app that cannot sign in: the secret link is
    the key, and pupils appear by initials only."""
    feed = (
        CalendarFeed.objects.filter(token=token, revoked_at__isnull=True)
        .select_related("mentor", "room")
        .first()
    )
    if feed is None:
        raise Http404
    if feed.mentor is not None:
        # Scoped like My week: a mentor who moved school stops seeing the old school's pupils.
        allocations = mentor_allocations(feed.mentor)
    else:
        allocations = Allocation.objects.filter(case__status="open", slot__room=feed.room)
    today = timezone.localdate()
    book = SessionBook(allocations, until=today + timedelta(weeks=12))
    calendar = Calendar()
    calendar.add("prodid", "-//Mentoring case management//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"Mentoring: {feed.mentor or feed.room}")
    for allocation in book.allocations:
        for session in book.sessions(allocation):
            if session.date < today - timedelta(weeks=4):
                continue
            start = timezone.make_aware(datetime.combine(session.date, session.slot.starts_at))
            if session.move:
                start = session.move.moved_to
            event = Event()
            event.add(
                "uid",
                f"slot{session.slot.pk}-case{session.case.pk}-{session.date:%Y%m%d}@mentoring",
            )
            event.add("summary", f"Mentoring: {session.case.pupil.initials}")
            event.add("dtstart", start)
            event.add("dtend", start + timedelta(minutes=session.slot.duration))
            event.add("location", session.slot.room.name)
            event.add("dtstamp", timezone.now())
            calendar.add_component(event)
    response = HttpResponse(calendar.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
