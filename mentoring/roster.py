"""Pupil roster import from CSV: all or nothing, matched by UPN, every change in the history.

The columns are documented in README.md. A file with any bad row imports nothing and every
bad row is reported by its line number (the header is line 1) and column.
"""

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from .models import Gender, Pupil, SchoolClass, SenStatus, YearGroup

REQUIRED_COLUMNS = ["upn", "legal_first_name", "legal_last_name", "date_of_birth", "year_group"]
OPTIONAL_COLUMNS = [
    "preferred_name",
    "class",
    "gender",
    "sen_status",
    "pupil_premium",
    "eal",
    "looked_after",
    "ethnicity",
    "date_left",
]
COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# The fields an import sets; comparing them tells an unchanged row from a changed one.
IMPORTED_FIELDS = [
    "legal_first_name",
    "legal_last_name",
    "preferred_name",
    "date_of_birth",
    "year_group",
    "school_class",
    "gender",
    "sen_status",
    "pupil_premium",
    "eal",
    "looked_after",
    "ethnicity",
    "date_left",
]
CHANGE_REASON = "Roster import"

YEAR_GROUPS = {"r": YearGroup.RECEPTION, "reception": YearGroup.RECEPTION, "0": 0}
for _n in range(1, 7):
    YEAR_GROUPS.update({str(_n): _n, f"y{_n}": _n, f"year {_n}": _n, f"year{_n}": _n})
GENDERS = {"f": Gender.FEMALE, "female": Gender.FEMALE, "m": Gender.MALE, "male": Gender.MALE}
GENDERS.update({"x": Gender.OTHER, "other": Gender.OTHER, "": Gender.OTHER})
SEN = {"": SenStatus.NONE, "n": SenStatus.NONE, "none": SenStatus.NONE}
SEN.update({"k": SenStatus.SEN_SUPPORT, "sen support": SenStatus.SEN_SUPPORT})
SEN.update({"e": SenStatus.EHC_PLAN, "ehc plan": SenStatus.EHC_PLAN, "ehcp": SenStatus.EHC_PLAN})
YES = {"y", "yes", "true", "1"}
NO = {"", "n", "no", "false", "0"}
DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


@dataclass
class RowError:
    line: int | None  # None for a problem with the whole file
    column: str
    message: str

    def __str__(self):
        if self.line is None:
            return self.message
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def ok(self):
        return not self.errors

    @property
    def summary(self):
        if not self.ok:
            problems = _count(len(self.errors), "problem was", "problems were")
            return f"Nothing was imported: {problems} found."
        counts = (
            f"{_count(self.created, 'new pupil', 'new pupils')}, "
            f"{self.updated} updated, {self.unchanged} unchanged"
        )
        if self.dry_run:
            return f"The file is ready to import: {counts}. Nothing has been changed yet."
        return f"Roster imported: {counts}."


def _count(n, one, many):
    return f"{n} {one if n == 1 else many}"


class _Row:
    """Turns one CSV row into field values, collecting an error for each bad cell."""

    def __init__(self, line, raw, errors):
        self.line, self.raw, self.errors = line, raw, errors

    def text(self, column):
        return (self.raw.get(column) or "").strip()

    def fail(self, column, message):
        self.errors.append(RowError(self.line, column, message))

    def required(self, column):
        value = self.text(column)
        if not value:
            self.fail(column, "is required.")
        return value

    def choice(self, column, options, what):
        value = self.text(column)
        if value.lower() in options:
            return options[value.lower()]
        self.fail(column, f"{value!r} is not a known {what}.")
        return None

    def boolean(self, column):
        value = self.text(column).lower()
        if value in YES or value in NO:
            return value in YES
        self.fail(column, f"{self.text(column)!r} is not yes or no.")
        return False

    def date(self, column, required=False):
        value = self.text(column)
        if not value:
            if required:
                self.fail(column, "is required.")
            return None
        for fmt in DATE_FORMATS:
            try:
                return datetime.strptime(value, fmt).date()
            except ValueError:
                continue
        self.fail(column, f"{value!r} is not a date (use DD/MM/YYYY).")
        return None


def read_csv(data):
    """Decode uploaded bytes to [(line, row)], or raise ValidationError with a message for the
    office. Empty rows (blank lines, or bare commas from a spreadsheet) are left out."""
    if len(data) > settings.ROSTER_IMPORT_MAX_BYTES:
        limit = filesizeformat(settings.ROSTER_IMPORT_MAX_BYTES)
        raise ValidationError(f"The file is larger than {limit}; split it or remove columns.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationError(
            "The file is not UTF-8 text. In your spreadsheet, save it as “CSV UTF-8”."
        ) from exc
    if "\x00" in text:
        raise ValidationError("The file is not a CSV text file.")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    headers = [(h or "").strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in headers]
    if missing:
        raise ValidationError(
            f"The header (line 1) is missing the column(s) {', '.join(missing)}. "
            f"Expected columns: {', '.join(COLUMNS)}."
        )
    unknown = [h for h in headers if h not in COLUMNS]
    if unknown:
        raise ValidationError(f"The header (line 1) has unknown column(s): {', '.join(unknown)}.")
    reader.fieldnames = headers
    rows = []
    try:
        for raw in reader:
            # Cells past the header's come as a list; missing cells as None.
            cells = [c or "" for v in raw.values() for c in (v if isinstance(v, list) else [v])]
            if not "".join(cells).strip():
                continue
            # The line the row starts on, counting the blank lines and any line breaks in
            # quoted cells, so that it matches the line (row) the office sees in the file.
            rows.append((reader.line_num - sum(c.count("\n") for c in cells), raw))
    except csv.Error as exc:
        raise ValidationError(f"The file could not be read as CSV: {exc}.") from exc
    return rows


def _parse(school, rows, classes):
    """Validate every (line, row); return ({upn: (line, Pupil values)}, errors)."""
    errors, parsed, first_line = [], {}, {}
    for line, raw in rows:
        if None in raw or any(v is None for v in raw.values()):
            errors.append(RowError(line, "", "has a different number of cells from the header."))
            continue
        row = _Row(line, raw, errors)
        upn = row.required("upn").upper()
        values = {
            "legal_first_name": row.required("legal_first_name"),
            "legal_last_name": row.required("legal_last_name"),
            "preferred_name": row.text("preferred_name"),
            "date_of_birth": row.date("date_of_birth", required=True),
            "year_group": row.choice("year_group", YEAR_GROUPS, "year group (R or 1-6)"),
            "school_class": None,
            "gender": row.choice("gender", GENDERS, "gender (F, M or X)"),
            "sen_status": row.choice("sen_status", SEN, "SEN status (N, K or E)"),
            "pupil_premium": row.boolean("pupil_premium"),
            "eal": row.boolean("eal"),
            "looked_after": row.boolean("looked_after"),
            "ethnicity": row.text("ethnicity"),
            "date_left": row.date("date_left"),
        }
        class_name = row.text("class")
        if class_name:
            values["school_class"] = classes.get(class_name.lower())
            if values["school_class"] is None:
                row.fail("class", f"{class_name!r} is not a class of {school}.")
        if upn and upn in first_line:
            row.fail("upn", f"{upn} appears twice in the file (first on line {first_line[upn]}).")
            continue
        first_line[upn] = line
        pupil = Pupil(school=school, upn=upn, **values)
        try:
            # Unique checks are ours (UPN matched, duplicates above), the school is given and
            # the class was found among its classes: no query per row.
            pupil.full_clean(
                exclude=["school", "school_class"],
                validate_unique=False,
                validate_constraints=False,
            )
        except ValidationError as exc:
            for name, messages in exc.message_dict.items():
                column = "class" if name == "school_class" else name
                if column == "class" and values["year_group"] is None:
                    continue  # the unknown year group is reported; the class can't be checked
                already = any(e.line == line and e.column == column for e in errors)
                if not already:
                    for message in messages:
                        row.fail("" if column == "__all__" else column, message)
        if upn:
            parsed[upn] = (line, values)
    return parsed, errors


def import_pupils(*, school, data, user=None, dry_run=False):
    """Import a roster file (bytes) into ``school``. Nothing is written if any row is bad."""
    result = ImportResult(dry_run=dry_run)
    try:
        rows = read_csv(data)
    except ValidationError as exc:
        result.errors.append(RowError(None, "", exc.messages[0]))
        return result
    if not rows:
        result.errors.append(RowError(2, "", "The file has a header but no pupils."))
        return result
    classes = {c.name.lower(): c for c in SchoolClass.objects.filter(school=school)}
    parsed, errors = _parse(school, rows, classes)
    if errors:
        result.errors = sorted(errors, key=lambda e: (e.line, e.column))
        return result

    if dry_run:
        to_create, to_update = _plan(school, parsed)
        result.created, result.updated = len(to_create), len(to_update)
    else:
        try:
            with transaction.atomic():
                # Planned inside the transaction, so a second import at the same moment waits
                # (SQLite) or fails on the UPN constraint (PostgreSQL) instead of doubling pupils.
                to_create, to_update = _plan(school, parsed)
                history = {"default_user": user, "default_change_reason": CHANGE_REASON}
                if to_create:
                    bulk_create_with_history(to_create, Pupil, batch_size=500, **history)
                if to_update:
                    bulk_update_with_history(
                        to_update, Pupil, IMPORTED_FIELDS, batch_size=500, **history
                    )
        except IntegrityError:
            message = "Another import changed the roster at the same moment; nothing was imported."
            result.errors.append(RowError(None, "", message + " Please try again."))
            return result
        result.created, result.updated = len(to_create), len(to_update)
    result.unchanged = len(parsed) - result.created - result.updated
    return result


def _plan(school, parsed):
    """Split parsed rows into pupils to create and changed pupils to update."""
    # The classes are compared: fetched with the pupils, not with a query per pupil.
    existing = Pupil.objects.filter(school=school, upn__in=list(parsed))
    existing = {p.upn: p for p in existing.select_related("school_class")}
    to_create, to_update = [], []
    for upn, (_line, values) in parsed.items():
        pupil = existing.get(upn)
        if pupil is None:
            to_create.append(Pupil(school=school, upn=upn, **values))
        elif any(getattr(pupil, name) != value for name, value in values.items()):
            for name, value in values.items():
                setattr(pupil, name, value)
            to_update.append(pupil)
    return to_create, to_update


def template_csv():
    """A header line and one example row, offered to the office as a starting point."""
    example = {
        "upn": "T873265400012",
        "legal_first_name": "Example",
        "legal_last_name": "Pupil",
        "date_of_birth": date(2019, 9, 1).strftime("%d/%m/%Y"),
        "year_group": "1",
    }
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerow(example)
    return out.getvalue()
