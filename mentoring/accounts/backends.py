from axes.backends import AxesStandaloneBackend


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for sign-ins over the web.

    Without a request (a management command, ``authenticate()`` called in a test) there is no
    address to key a lockout on and no one guessing from afar; the password is then checked as
    usual by the next backend instead of axes refusing to run.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
