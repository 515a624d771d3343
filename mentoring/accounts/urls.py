from django.urls import path

from . import views

urlpatterns = [
    path("accounts/two-step/", views.two_factor, name="two_factor"),
    path("accounts/two-step/set-up/", views.two_factor_setup, name="two_factor_setup"),
    path("accounts/two-step/code/", views.two_factor_verify, name="two_factor_verify"),
    path("accounts/two-step/backup-codes/", views.backup_codes, name="backup_codes"),
]
