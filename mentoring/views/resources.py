"""The resources library: the school's shared activities, worksheets, guidance and links."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from .. import permissions, resources
from ..forms_resources import ResourceForm
from ..forms_util import apply_service
from ..models import School


def resource_list(request):
    if not permissions.programme_schools(request.user):
        raise PermissionDenied
    library = (
        permissions.visible_resources(request.user)
        .select_related("added_by")
        .order_by("kind", "title", "pk")
    )
    context = {
        "resources": library,
        "can_add": permissions.can_add_resource(request.user),
        "can_manage": permissions.can_manage_programme(request.user),
    }
    return render(request, "mentoring/resources/resource_list.html", context)


def resource_create(request):
    schools = sorted(permissions.programme_schools(request.user))
    if not schools:
        raise PermissionDenied
    school = School.objects.get(pk=schools[0])
    form = ResourceForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        form.instance.school = school
        upload = form.cleaned_data.get("upload")
        saved = apply_service(
            form,
            lambda: resources.resource_add(
                resource=form.instance, user=request.user, upload=upload or None
            ),
        )
        if saved:
            messages.success(request, f"{saved} added to the library.")
            return redirect("resource_list")
    return render(request, "mentoring/resources/resource_form.html", {"form": form})


def resource_edit(request, pk):
    resource = permissions.get_resource_or_404(request.user, pk)
    if not permissions.can_manage_resource(request.user, resource):
        raise PermissionDenied
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and form.is_valid():
        saved = apply_service(
            form, lambda: resources.resource_update(resource=form.instance, user=request.user)
        )
        if saved:
            messages.success(request, f"{saved} saved.")
            return redirect("resource_list")
    context = {"form": form, "resource": resource}
    return render(request, "mentoring/resources/resource_form.html", context)


@require_POST
def resource_remove(request, pk):
    resource = permissions.get_resource_or_404(request.user, pk)
    if not permissions.can_manage_resource(request.user, resource):
        raise PermissionDenied
    resources.resource_remove(resource=resource, user=request.user)
    messages.success(request, f"{resource} removed from the library.")
    return redirect("resource_list")


def resource_download(request, pk):
    """The file, to those who may read the library: never from a public address."""
    resource = permissions.get_resource_or_404(request.user, pk)
    if not resource.file:
        raise Http404("This resource is a link, not a file.")
    try:
        stored = resource.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file of this resource is missing.") from exc
    response = FileResponse(
        stored,
        as_attachment=True,
        filename=resource.file_name or f"resource-{resource.pk}",
        content_type=resource.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
