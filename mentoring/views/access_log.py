from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from .. import permissions
from ..models import AccessEvent


def pupil_access_log(request, pk):
    """Who has viewed, printed or downloaded this pupil's file, newest first.

    Opening this page is not itself recorded: it shows staff names, times and addresses,
    none of the child's file, and recording it would add a line to the very list being read
    each time the DSL checks it.
    """
    pupil = permissions.get_pupil_or_404(request.user, pk)
    if not permissions.can_see_access_log(request.user, pupil):
        raise Http404  # like any page the user may not see: its existence is not revealed
    events = AccessEvent.objects.filter(pupil=pupil).select_related("user").order_by("-at", "-pk")
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(request, "mentoring/access_log.html", {"pupil": pupil, "page": page})
