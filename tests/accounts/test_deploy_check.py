"""A production installation, configured as README.md documents, passes `check --deploy`."""

import os
import secrets
import subprocess
import sys

from django.conf import settings


def production_environment(var_dir):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    env.update(
        {
            "ENVIRONMENT": "production",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "mentoring.example.org",
            "CSRF_TRUSTED_ORIGINS": "https://mentoring.example.org",
            "SITE_URL": "https://mentoring.example.org",
            "STATIC_MANIFEST": "true",
            "VAR_DIR": str(var_dir),
        }
    )
    env.pop("DEBUG", None)
    return env


def manage(*args, env):
    return subprocess.run(  # noqa: S603  (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_reports_no_issues(tmp_path):
    result = manage(
        "check", "--deploy", "--fail-level", "DEBUG", env=production_environment(tmp_path)
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_the_sign_in_limits_come_from_the_environment(tmp_path):
    env = production_environment(tmp_path)
    env.update({"SIGN_IN_FAILURE_LIMIT": "3", "SIGN_IN_LOCKOUT_MINUTES": "30"})
    env.update({"SESSION_IDLE_MINUTES": "10", "SESSION_MAX_HOURS": "8"})
    code = (
        "from django.conf import settings as s; "
        "print(s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME, s.SIGN_OUT_WHEN_IDLE, s.SIGN_OUT_AFTER,"
        " s.SESSION_COOKIE_SECURE, s.SECURE_HSTS_SECONDS)"
    )
    result = manage("shell", "--no-imports", "-c", code, env=env)
    assert result.stdout.split() == ["3", "0:30:00", "0:10:00", "8:00:00", "True", "31536000"]
