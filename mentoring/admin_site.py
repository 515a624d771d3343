"""The set-up area: Django's admin, opened to the school office through our permissions."""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.shortcuts import resolve_url

from . import permissions


class SetupAdminSite(admin.AdminSite):
    site_header = "School set-up"
    site_title = "School set-up"
    index_title = "Roster, calendar, rooms, classes and staff"
    site_url = "/"

    def has_permission(self, request):
        user = request.user
        return user.is_active and (user.is_superuser or permissions.can_manage_setup(user))

    def login(self, request, extra_context=None):
        # One sign-in page for the whole product; a signed-in user without set-up rights is
        # refused, rather than sent round the sign-in page again.
        if request.user.is_authenticated:
            raise PermissionDenied
        return redirect_to_login(request.GET.get("next", "/setup/"), resolve_url("login"))
