from .access import AccessEvent
from .cases import Case, SupportType
from .pupils import Contact, Gender, Pupil, SenStatus
from .school import AcademicYear, ClosureDay, Room, School, Term, YearGroup
from .staff import ClassStaff, Role, SchoolClass, StaffMember, StaffRole, User

__all__ = [
    "AccessEvent",
    "AcademicYear",
    "Case",
    "ClassStaff",
    "ClosureDay",
    "Contact",
    "Gender",
    "Pupil",
    "Role",
    "Room",
    "School",
    "SchoolClass",
    "SenStatus",
    "StaffMember",
    "StaffRole",
    "SupportType",
    "Term",
    "User",
    "YearGroup",
]
