from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .. import permissions
from ..audit import record_access
from ..models import AccessEvent
from ..subject_access import file_stem, subject_access_export


@require_POST
def subject_access_download(request, pk):
    """Everything held about the pupil as a ZIP (a PDF and a JSON file), for the head or the
    DSL to review before disclosure; the export is recorded in the access log. A POST, so
    that a link followed by a browser or a crawler never makes one."""
    pupil = permissions.get_pupil_or_404(request.user, pk)
    if not permissions.can_export_subject_access(request.user, pupil):
        raise PermissionDenied
    data = subject_access_export(pupil, request.user, request=request)
    record_access(
        request,
        AccessEvent.Action.EXPORT,
        "everything held about the pupil, for a subject access request",
        pupil=pupil,
    )
    response = HttpResponse(data, content_type="application/zip")
    name = file_stem(pupil, timezone.localdate())
    response["Content-Disposition"] = f'attachment; filename="{name}.zip"'
    return response
