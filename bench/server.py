"""What the page and load benchmarks share: a scratch database, signed-in sessions and a
gunicorn server on 127.0.0.1 serving the project with bench/settings.py."""

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = "bench.settings"
# Two cores: four sync workers keep both busy while some wait on the database.
WORKERS = 4


def default_postgres():
    return os.environ.get("BENCH_POSTGRES_URL") or (
        f"postgres://{os.environ.get('USER', 'root')}@127.0.0.1:5432/postgres"
    )


@contextmanager
def scratch_database(database_url, name):
    """Point this process (and the servers it starts) at a fresh database: ``name`` on the
    PostgreSQL server of ``database_url``, or with ``database_url=None`` an SQLite file in a
    temporary directory. Dropped or removed at the end."""
    var_dir = tempfile.TemporaryDirectory(prefix=f"bench-{name}-")
    os.environ["VAR_DIR"] = var_dir.name
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    drop = None
    if database_url:
        import psycopg

        server = database_url.rsplit("/", 1)[0]
        with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            connection.execute(f'CREATE DATABASE "{name}"')
        os.environ["DATABASE_URL"] = f"{server}/{name}"

        def drop():
            from django.db import connections

            connections.close_all()
            with psycopg.connect(f"{server}/postgres", autocommit=True) as connection:
                connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    else:
        os.environ.pop("DATABASE_URL", None)
    try:
        yield Path(var_dir.name)
    finally:
        if drop:
            drop()
        var_dir.cleanup()


def setup_django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def database_name():
    from django.db import connection

    version = ".".join(map(str, connection.get_database_version()))
    return f"{connection.display_name} {version}"


def signed_in(user):
    """The key of a new session of ``user``, signed in and, where the role needs it, past
    the second step, as a browser would have after signing in."""
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mentoring.accounts.middleware import LAST_SEEN, SIGNED_IN_AT

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session[SIGNED_IN_AT] = session[LAST_SEEN] = time.time()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return session.session_key


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def gunicorn(log_path, workers=WORKERS, threads=1):
    """A gunicorn server of the project on 127.0.0.1 with this process's environment.
    Yields its base URL; its error log (Django's logged errors too) goes to ``log_path``."""
    from django.db import connections

    connections.close_all()  # the server's workers open their own
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "mentoring.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--timeout",
        "120",
        "--error-logfile",
        str(log_path),
        "--log-level",
        "warning",
    ]
    env = dict(os.environ, DJANGO_SETTINGS_MODULE=SETTINGS)
    process = subprocess.Popen(command, cwd=ROOT, env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                # Signed out: the sign-in page answers once a worker is up.
                urllib.request.urlopen(f"{url}/accounts/login/", timeout=5).read()  # noqa: S310
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not start; see {log_path}") from None
                time.sleep(0.3)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
