from .access import AccessEvent
from .cases import Case, SupportType
from .pupils import Contact, Gender, Pupil, SenStatus
from .resources import Resource
from .school import AcademicYear, ClosureDay, Room, School, Term, YearGroup
from .staff import ClassStaff, Role, SchoolClass, StaffMember, StaffRole, User
from .training import TrainingRecord

__all__ = [
    "AccessEvent",
    "AcademicYear",
    "Case",
    "ClassStaff",
    "ClosureDay",
    "Contact",
    "Gender",
    "Pupil",
    "Resource",
    "Role",
    "Room",
    "School",
    "SchoolClass",
    "SenStatus",
    "StaffMember",
    "StaffRole",
    "SupportType",
    "Term",
    "TrainingRecord",
    "User",
    "YearGroup",
]
