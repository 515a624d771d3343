"""Backups of the whole database in one portable file, and restoring one.

The file is gzip'd JSON lines, the same whichever database made it, so a backup taken on
SQLite restores into PostgreSQL and the other way round:

* the first line is the header: format and version, the application's version, when it was
  made, the database's migrations and the number of rows in every table;
* then the rows, a model at a time in lines of up to ``ROWS_PER_LINE`` rows, as Django's
  serializers write them (history tables, many-to-many tables and the access log included);
* then the files that rows point to (a school's logo), base64 encoded;
* the last line holds the SHA-256 of every line before it.

``write_backup`` takes every row inside one transaction, so the file is one consistent
moment, and writes it to a temporary file that is renamed into place only when complete.
``read_backup`` checks a file from end to end without touching the database: a damaged,
truncated or foreign file is refused with a message saying which. ``restore_backup`` then
empties the database and loads the file inside one transaction: if anything fails, nothing
has changed.

Sign-in sessions are neither backed up nor kept: a restore signs everyone out, since a
session left over from before could belong to a different account in the restored data.
"""

import base64
import gzip
import hashlib
import importlib.metadata
import json
import os
import tempfile
import zlib
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.core import serializers
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management.color import no_style
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "mentoring-backup"
FORMAT_VERSION = 1
ROWS_PER_LINE = 1000
# Never backed up: who is signed in is not the school's data (see the module's docstring).
NOT_BACKED_UP = {"sessions.session"}
# Tables that ``migrate`` fills by itself: a database holding only these is empty.
FILLED_BY_MIGRATE = {"contenttypes.contenttype", "auth.permission"}


class BackupError(Exception):
    """A backup that cannot be made, read or restored, with a message saying why."""


@dataclass
class Backup:
    """A backup file that has been read from end to end and found whole."""

    path: Path
    header: dict
    counts: dict = field(default_factory=dict)

    @property
    def total(self):
        return sum(self.counts.values())


def app_version():
    try:
        return importlib.metadata.version("mentoring-case-management")
    except importlib.metadata.PackageNotFoundError:
        return "unknown"


def backed_up_models():
    """Every concrete table of every installed app, many-to-many tables included."""
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed
        and not model._meta.proxy
        and model._meta.label_lower not in NOT_BACKED_UP
    ]


def applied_migrations(connection):
    """The migrations applied to the database that the code still knows, as "app.name"."""
    loader = MigrationLoader(connection, ignore_no_migrations=True)
    applied = MigrationRecorder(connection).applied_migrations()
    return sorted(f"{app}.{name}" for app, name in applied if (app, name) in loader.graph.nodes)


# --- Writing ---------------------------------------------------------------------------------


def _encode(value):
    # Not DjangoJSONEncoder: it cuts times to milliseconds, and the access log's digests
    # seal the exact microsecond.
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    raise TypeError(f"Cannot back up a value of type {type(value).__name__}")


def _line(data):
    return (json.dumps(data, default=_encode, ensure_ascii=False) + "\n").encode("utf-8")


def _fields_to_write(model):
    # Many-to-many links are written from their own tables, with their own ids.
    return [f.name for f in model._meta.local_fields if f.serialize]


def _rows(model, alias):
    queryset = model._base_manager.using(alias).order_by("pk")
    names = _fields_to_write(model)
    batch = []
    for obj in queryset.iterator(chunk_size=2000):
        batch.append(obj)
        if len(batch) == ROWS_PER_LINE:
            yield _serialise(batch, names)
            batch = []
    if batch:
        yield _serialise(batch, names)


def _serialise(batch, names):
    # Each line names its model once; the objects need not repeat it.
    objects = serializers.serialize("python", batch, fields=names)
    return [{"pk": obj["pk"], "fields": obj["fields"]} for obj in objects]


def _file_names(models_, alias):
    """Names of the stored files that rows point to (logos)."""
    names = set()
    for model in models_:
        file_fields = [f for f in model._meta.local_fields if isinstance(f, models.FileField)]
        for f in file_fields:
            rows = model._base_manager.using(alias).exclude(**{f.name: ""})
            names.update(rows.exclude(**{f"{f.name}__isnull": True}).values_list(f.name, flat=True))
    return sorted(names)


def write_backup(path, *, using=DEFAULT_DB_ALIAS):
    """Write a backup of the whole database to ``path``; returns its ``Backup``."""
    path = Path(path)
    connection = connections[using]
    if MigrationExecutor(connection).migration_plan(MigrationLoader(connection).graph.leaf_nodes()):
        raise BackupError("The database is not up to date: run manage.py migrate first.")
    models_ = backed_up_models()
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise BackupError(f"There is no folder {directory} to write the backup into.")
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        # Children's records: readable by the owner only.
        os.fchmod(handle, 0o600)
        outermost = not connection.in_atomic_block
        with os.fdopen(handle, "wb") as raw, transaction.atomic(using=using):
            if outermost and connection.vendor == "postgresql":
                # Every table as of one moment, whatever is written meanwhile. (SQLite's
                # transaction already holds the write lock, so nothing is written meanwhile.)
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            header = _write(raw, connection, models_, using)
            raw.flush()
            os.fsync(raw.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return Backup(path=path, header=header, counts=header["tables"])


def _write(raw, connection, models_, using):
    counts = {m._meta.label: m._base_manager.using(using).count() for m in models_}
    header = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "app_version": app_version(),
        "created_at": timezone.now().isoformat(),
        "database": connection.vendor,
        "migrations": applied_migrations(connection),
        "tables": counts,
    }
    checksum = hashlib.sha256()
    # mtime=0: the header says when; the same data makes the same bytes.
    with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as out:

        def put(data):
            line = _line(data)
            checksum.update(line)
            out.write(line)

        put(header)
        for model in models_:
            written = 0
            for objects in _rows(model, using):
                written += len(objects)
                put({"model": model._meta.label, "objects": objects})
            if written != counts[model._meta.label]:
                raise BackupError(f"{model._meta.label} changed while it was being backed up.")
        for name in _file_names(models_, using):
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as stored:
                    content = base64.b64encode(stored.read()).decode("ascii")
                put({"file": name, "content": content})
        out.write(_line({"end": True, "sha256": checksum.hexdigest()}))
    return header


# --- Reading ---------------------------------------------------------------------------------


def _lines(path):
    """(line bytes, decoded JSON) of every line, with a clear error for a bad file."""
    name = Path(path).name
    try:
        with gzip.open(path, "rb") as stream:
            for number, line in enumerate(stream, start=1):
                try:
                    yield line, json.loads(line)
                except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                    raise BackupError(
                        f"{name} is damaged: line {number} is not readable ({exc})."
                    ) from exc
    except FileNotFoundError as exc:
        raise BackupError(f"There is no file {path}.") from exc
    except EOFError as exc:
        raise BackupError(
            f"{name} is incomplete: it ends part-way through. It may have been cut short "
            "while it was being written or copied."
        ) from exc
    except (gzip.BadGzipFile, zlib.error) as exc:
        raise BackupError(
            f"{name} is damaged or is not a backup made by this application ({exc})."
        ) from exc


def _entries(path, on_row=None):
    """Check the file from header to end marker, calling ``on_row(model, objects)`` or
    ``on_file(name, bytes)`` on the way; returns (header, counts, files)."""
    name = Path(path).name
    checksum = hashlib.sha256()
    header, counts, files, ended = None, {}, {}, False
    for line, data in _lines(path):
        if ended:
            raise BackupError(f"{name} is damaged: there is more after its end marker.")
        if header is None:
            header = _check_header(name, data)
            counts = dict.fromkeys(header["tables"], 0)
        elif data.get("end"):
            if data.get("sha256") != checksum.hexdigest():
                raise BackupError(f"{name} is damaged: its contents do not match its checksum.")
            ended = True
            continue
        elif "model" in data:
            label = data["model"]
            if label not in counts:
                raise BackupError(f"{name} is damaged: it has rows of {label}, not listed.")
            counts[label] += len(data["objects"])
            if on_row is not None:
                on_row(label, data["objects"])
        elif "file" in data:
            files[data["file"]] = data["content"]
        checksum.update(line)
    if header is None:
        raise BackupError(f"{name} is empty.")
    if not ended:
        raise BackupError(
            f"{name} is incomplete: it has no end marker. It may have been cut short while "
            "it was being written or copied."
        )
    for label, expected in header["tables"].items():
        if counts[label] != expected:
            raise BackupError(
                f"{name} is damaged: {label} should have {expected} rows but has {counts[label]}."
            )
    return header, counts, files


def _check_header(name, data):
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(f"{name} is not a backup made by this application.")
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"{name} is in backup format version {data.get('format_version')}; this version "
            f"of the application reads version {FORMAT_VERSION}."
        )
    return data


def read_backup(path):
    """Read the whole file and check it; the database is not touched."""
    header, counts, _files = _entries(path)
    return Backup(path=Path(path), header=header, counts=counts)


# --- Restoring -------------------------------------------------------------------------------


def database_has_data(using=DEFAULT_DB_ALIAS):
    """Does the database hold anything beyond what ``migrate`` puts there itself?"""
    return any(
        model._base_manager.using(using).exists()
        for model in backed_up_models()
        if model._meta.label_lower not in FILLED_BY_MIGRATE
    )


def _check_fits(backup, connection):
    """The file must come from the same database structure as this one."""
    here = set(applied_migrations(connection))
    there = set(backup.header.get("migrations", []))
    if here != there:
        only_there = sorted(there - here)
        only_here = sorted(here - there)
        detail = []
        if only_there:
            detail.append(f"the backup has migrations this database lacks ({only_there[0]}...)")
        if only_here:
            detail.append(f"this database has migrations the backup lacks ({only_here[0]}...)")
        raise BackupError(
            f"{backup.path.name} was made by version {backup.header.get('app_version')} of the "
            f"application with another database structure: {'; '.join(detail)}. Restore it "
            "with the version of the application that made it, then upgrade."
        )
    unknown = [label for label in backup.header["tables"] if not _model(label)]
    if unknown:
        raise BackupError(f"{backup.path.name} has tables this application lacks: {unknown}.")


def _model(label):
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def restore_backup(backup, *, replace=False, using=DEFAULT_DB_ALIAS):
    """Replace everything in the database with the checked ``backup``; returns row counts.

    Refuses a database that already holds data unless ``replace`` is true. The file is read
    again as it loads and checked again: any difference rolls the whole restore back.
    """
    connection = connections[using]
    _check_fits(backup, connection)
    if not replace and database_has_data(using):
        raise BackupError(
            "This database already holds data. A restore replaces all of it with the "
            "backup's: run again with --replace if that is what you want."
        )
    loaded = {}

    def load(label, objects):
        rows = [{"model": label, **obj} for obj in objects]
        instances = [d.object for d in serializers.deserialize("python", rows, using=using)]
        _insert_raw(apps.get_model(label), instances, connections[using])
        loaded[label] = loaded.get(label, 0) + len(instances)

    with transaction.atomic(using=using):
        empty_database(using)
        _header, _counts, files = _entries(backup.path, on_row=load)
        connection.check_constraints()
        sequences = connection.ops.sequence_reset_sql(no_style(), backed_up_models())
        with connection.cursor() as cursor:
            for sql in sequences:
                cursor.execute(sql)
    ContentType.objects.clear_cache()
    # Figures cached from the data that was replaced must not outlive it.
    cache.clear()
    _put_back_files(files)
    return {label: loaded.get(label, 0) for label in backup.header["tables"]}


def _insert_raw(model, instances, connection):
    """Insert the rows exactly as they were, many to a statement.

    Raw, as Django's own saves and bulk inserts do it (``QuerySet._insert``) but with no
    save() and no signals: an "auto_now" date keeps its value, the history adds no rows, and
    the access log comes back as it was, digests and all, so its chain still holds. (The
    log's manager refuses bulk inserts into the live log, and rightly; this is a restore.)
    """
    fields = model._meta.local_concrete_fields
    size = connection.ops.bulk_batch_size(fields, instances) or len(instances)
    queryset = models.QuerySet(model=model, using=connection.alias)
    for start in range(0, len(instances), max(size, 1)):
        queryset._insert(instances[start : start + size], fields=fields, raw=True)


def empty_database(using=DEFAULT_DB_ALIAS):
    """Delete every row of every table (sign-in sessions included), in one transaction."""
    connection = connections[using]
    existing = set(connection.introspection.table_names())
    tables = [
        model._meta.db_table
        for model in apps.get_models(include_auto_created=True)
        if model._meta.managed and not model._meta.proxy and model._meta.db_table in existing
    ]
    with transaction.atomic(using=using), connection.cursor() as cursor:
        # DELETE rather than TRUNCATE: foreign keys are checked at commit, so the order does
        # not matter, and it works inside a transaction that has written already.
        for table in dict.fromkeys(tables):
            # The table names are the models' own, quoted: no outside input.
            cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")  # noqa: S608


def _put_back_files(files):
    for name, content in files.items():
        data = base64.b64decode(content)
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as stored:
                if stored.read() == data:
                    continue
            default_storage.delete(name)
        default_storage.save(name, ContentFile(data))
