from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mentoring.accounts"
    label = "accounts"
    verbose_name = "Signing in"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_session_clock

        # The session's clock starts at sign-in, however the sign-in happened (the form, or
        # a test client's force_login), so the absolute limit counts from the real moment.
        user_logged_in.connect(start_session_clock, dispatch_uid="accounts.start_session_clock")
