from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from .views import (
    access_log,
    cases,
    home,
    programme,
    pupils,
    resources,
    roster,
    staff,
    subject_access,
    training,
)

urlpatterns = [
    path("", home.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("mentoring.accounts.urls")),
    path("pupils/", pupils.pupil_list, name="pupil_list"),
    path("pupils/import/", roster.roster_import, name="roster_import"),
    path("pupils/import/template.csv", roster.roster_template, name="roster_template"),
    path("pupils/<int:pk>/", pupils.pupil_detail, name="pupil_detail"),
    path("pupils/<int:pk>/history/", pupils.pupil_history, name="pupil_history"),
    path("pupils/<int:pk>/access-log/", access_log.pupil_access_log, name="pupil_access_log"),
    path(
        "pupils/<int:pk>/subject-access/",
        subject_access.subject_access_download,
        name="subject_access_download",
    ),
    path("cases/", cases.case_list, name="case_list"),
    path("cases/<int:pk>/", cases.case_detail, name="case_detail"),
    path("cases/<int:pk>/history/", cases.case_history, name="case_history"),
    path("staff/", staff.staff_list, name="staff_list"),
    path("programme/", programme.programme, name="programme"),
    path("training-records/", training.training_list, name="training_list"),
    path("training-records/new/", training.training_create, name="training_create"),
    path("training-records/<int:pk>/edit/", training.training_edit, name="training_edit"),
    path("resources/", resources.resource_list, name="resource_list"),
    path("resources/new/", resources.resource_create, name="resource_create"),
    path("resources/<int:pk>/edit/", resources.resource_edit, name="resource_edit"),
    path("resources/<int:pk>/remove/", resources.resource_remove, name="resource_remove"),
    path("resources/<int:pk>/download/", resources.resource_download, name="resource_download"),
    path("", include("referrals.urls")),
    path("", include("sessions.urls")),
    path("", include("reviews.urls")),
    path("setup/", admin.site.urls),
]
