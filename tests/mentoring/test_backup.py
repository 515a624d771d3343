"""Backups: one file of every table, restored exactly (every row, every column, the access
log's chain still whole), refused when damaged, cut short or from another version, and
portable between SQLite and PostgreSQL."""

import base64
import gzip
import hashlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from django.test import override_settings

from mentoring import access_log, backup
from mentoring.audit import record_access
from mentoring.models import AccessEvent, Case, Pupil, Room, School, User

from ..factories import PupilFactory

pytestmark = pytest.mark.django_db

# A 1x1 PNG: the school's logo, kept in the backup beside the rows.
LOGO = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


@pytest.fixture(scope="module")
def media(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, media):
    """The demo school, a logo and some access log entries, made once for the module and
    rolled back after it; each test runs in its own savepoint inside."""
    fast = override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"], MEDIA_ROOT=media
    )
    with django_db_blocker.unblock(), fast, transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        school = School.objects.get()
        school.logo.save("logo.png", ContentFile(LOGO))
        head = User.objects.get(username="head")
        for case in Case.objects.order_by("pk")[:3]:
            record_access(
                None, AccessEvent.Action.PRINT, f"Case file {case.reference}", pupil=case.pupil
            )
            record_access(
                None,
                AccessEvent.Action.VIEW,
                f"the case page ({case.reference})",
                pupil=case.pupil,
                user=head,
            )
        yield school
        transaction.set_rollback(True)


@pytest.fixture
def demo(seeded, media, settings):
    settings.MEDIA_ROOT = media
    return seeded


def every_table():
    """Every row of every backed-up table, all columns, in primary key order."""
    return {
        model._meta.label: list(model._base_manager.order_by("pk").values())
        for model in backup.backed_up_models()
    }


def run(command, *args):
    out = io.StringIO()
    call_command(command, *args, stdout=out)
    return out.getvalue()


def lines(path):
    return gzip.decompress(Path(path).read_bytes()).splitlines(keepends=True)


def rewrite(path, change):
    """Let ``change`` edit the file's lines (JSON), then seal it with a fresh checksum, as
    someone editing a backup on purpose would."""
    rows = [json.loads(line) for line in lines(path)[:-1]]
    change(rows)
    body = b"".join((json.dumps(row) + "\n").encode() for row in rows)
    end = json.dumps({"end": True, "sha256": hashlib.sha256(body).hexdigest()}).encode()
    Path(path).write_bytes(gzip.compress(body + end + b"\n"))


@pytest.fixture
def made(demo, tmp_path):
    path = tmp_path / "school.backup.gz"
    run("backup", "--output", str(path))
    return path


# --- The round trip ----------------------------------------------------------------------------


def test_restore_into_an_emptied_database_puts_back_every_row_of_every_table(demo, tmp_path, media):
    before = every_table()
    chain = access_log.verify()
    assert chain.intact and chain.count == 6
    path = tmp_path / "school.backup.gz"

    output = run("backup", "--output", str(path))

    total = sum(len(rows) for rows in before.values())
    assert f"Backed up {total} rows from {len(before)} tables" in output
    backup.empty_database()
    (media / "logos" / "logo.png").unlink()
    assert not backup.database_has_data() and Pupil.objects.count() == 0

    output = run("restore", str(path))

    assert every_table() == before
    assert f"Restored {total} rows" in output
    assert f"mentoring.Pupil {Pupil.objects.count()}" in " ".join(output.split())
    # The access log's chain still holds, entry for entry.
    after = access_log.verify()
    assert after.intact and after.count == 6 and after.newest.digest == chain.newest.digest
    # The logo is back, and new rows carry on from the restored ids.
    assert (media / "logos" / "logo.png").read_bytes() == LOGO
    room = Room.objects.create(school=demo, name="A new room")
    assert room.pk > max(row["id"] for row in before["mentoring.Room"])
    record_access(None, AccessEvent.Action.VIEW, "the case page", school=demo)
    assert access_log.verify().intact


def test_the_file_says_what_it_holds_and_only_its_owner_may_read_it(made, demo):
    header = json.loads(lines(made)[0])
    end = json.loads(lines(made)[-1])

    assert header["format"] == "mentoring-backup" and header["format_version"] == 1
    assert header["app_version"] and header["created_at"] and header["migrations"]
    assert header["database"] == connection.vendor
    assert header["tables"]["mentoring.Pupil"] == Pupil.objects.count() > 200
    assert header["tables"]["mentoring.HistoricalPupil"] >= Pupil.objects.count()
    assert header["tables"]["mentoring.AccessEvent"] == 6
    assert header["tables"]["referrals.Referral_criteria"] > 0  # many-to-many links too
    assert "sessions.Session" not in header["tables"]
    assert end["sha256"] == hashlib.sha256(b"".join(lines(made)[:-1])).hexdigest()
    assert os.stat(made).st_mode & 0o777 == 0o600
    assert [p.name for p in made.parent.iterdir()] == [made.name]  # no temporary file left


def test_a_database_with_data_is_only_replaced_when_asked(made, demo):
    before = every_table()
    pupil = Pupil.objects.order_by("pk").first()
    pupil.legal_first_name = "Changed"
    pupil.save()
    PupilFactory(school=demo)
    changed = every_table()

    with pytest.raises(CommandError, match="already holds data.*--replace.*Nothing was changed"):
        run("restore", str(made))
    assert every_table() == changed

    run("restore", str(made), "--replace")
    assert every_table() == before


# --- Refusing a bad file --------------------------------------------------------------------


def cut_short(path):
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def flip_a_byte(path):
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))


def edit_a_row(path):
    # Still a valid gzip file; the content no longer matches the checksum.
    data = lines(path)
    data[1] = data[1].replace(b'"pk": 1,', b'"pk": 1 ,', 1)
    assert data[1] != lines(path)[1]
    path.write_bytes(gzip.compress(b"".join(data)))


def drop_the_end(path):
    path.write_bytes(gzip.compress(b"".join(lines(path)[:-1])))


def not_a_backup(path):
    path.write_bytes(b"upn,legal_first_name\n")


def another_version(path):
    rewrite(path, lambda rows: rows[0]["migrations"].append("mentoring.9999_from_the_future"))


def one_row_missing(path):
    def drop(rows):
        next(row for row in reversed(rows) if row.get("objects"))["objects"].pop()

    rewrite(path, drop)


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (cut_short, "is incomplete"),
        (flip_a_byte, "is damaged"),
        (edit_a_row, "is damaged: its contents do not match its checksum"),
        (drop_the_end, "is incomplete: it has no end marker"),
        (not_a_backup, "not a backup made by this application"),
        (another_version, "another database structure.*9999_from_the_future"),
        (one_row_missing, "is damaged: .* should have .* rows but has"),
    ],
)
def test_a_damaged_or_foreign_file_is_refused_and_nothing_changes(made, damage, message):
    before = every_table()
    damage(made)

    with pytest.raises(CommandError, match=message) as refused:
        run("restore", str(made), "--replace")

    assert str(refused.value).endswith("Nothing was changed.")
    assert every_table() == before


def test_a_file_changed_after_it_was_checked_rolls_the_restore_back(made):
    before = every_table()
    checked = backup.read_backup(made)
    edit_a_row(made)

    with pytest.raises(backup.BackupError, match="do not match its checksum"):
        backup.restore_backup(checked, replace=True)
    assert every_table() == before


# --- Between databases ------------------------------------------------------------------------


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="restores a file made on SQLite into PostgreSQL"
)
def test_a_backup_made_on_sqlite_restores_into_postgresql(demo, tmp_path):
    """The demo school made on SQLite by a separate process, restored here, and backed up
    again: the rows are the same, line for line."""
    made_on_sqlite = tmp_path / "sqlite.backup.gz"
    environment = {key: value for key, value in os.environ.items() if key not in {"DATABASE_URL"}}
    environment["VAR_DIR"] = str(tmp_path / "var")
    # One process: migrate a new SQLite database, seed it (fast passwords) and back it up.
    script = (
        "from django.core.management import call_command\n"
        "from django.test import override_settings\n"
        "md5 = 'django.contrib.auth.hashers.MD5PasswordHasher'\n"
        "with override_settings(PASSWORD_HASHERS=[md5]):\n"
        "    call_command('migrate', verbosity=0)\n"
        "    call_command('seed_demo')\n"
        f"    call_command('backup', output={str(made_on_sqlite)!r})\n"
    )
    manage = Path(django_settings.BASE_DIR) / "manage.py"
    subprocess.run(  # noqa: S603
        [sys.executable, str(manage), "shell", "-c", script],
        env=environment,
        check=True,
        capture_output=True,
    )
    assert json.loads(lines(made_on_sqlite)[0])["database"] == "sqlite"

    run("restore", str(made_on_sqlite), "--replace")
    again = tmp_path / "postgresql.backup.gz"
    run("backup", "--output", str(again))

    assert json.loads(lines(again)[0])["database"] == "postgresql"
    assert lines(again)[1:-1] == lines(made_on_sqlite)[1:-1]
