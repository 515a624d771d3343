"""Set-up screens for the office: every list scoped to the schools the user sets up."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from simple_history.admin import SimpleHistoryAdmin

from . import conflicts, permissions
from .conflicts import ConflictCheckedModelForm, ConflictCheckMixin, VersionField
from .models import (
    AcademicYear,
    ClassStaff,
    ClosureDay,
    Contact,
    Pupil,
    Room,
    School,
    SchoolClass,
    StaffMember,
    StaffRole,
    Term,
    User,
)

# Filter choices drawn from the scoped list itself, so no other school's names appear.
RELATED_ONLY = admin.RelatedOnlyFieldListFilter
SCHOOL_FILTER = ("school", RELATED_ONLY)


class SchoolScopedAdmin(SimpleHistoryAdmin):
    """Office staff see and choose only objects of the schools they set up.

    Every change form is checked for a change saved by someone else since it was opened
    (``mentoring.conflicts``): their version is shown beside the office's, nothing overwritten.
    """

    school_path = "school"
    form = ConflictCheckedModelForm
    change_form_template = "admin/change_form_conflict.html"

    def _schools(self, request):
        return permissions.setup_schools(request.user)

    def _may(self, request):
        return request.user.is_superuser or permissions.can_manage_setup(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.school_path}__in": self._schools(request)}).distinct()

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if not request.user.is_superuser:
            related = db_field.related_model
            schools = self._schools(request)
            if related is School:
                kwargs["queryset"] = School.objects.filter(pk__in=schools)
            elif hasattr(related, "school"):
                kwargs["queryset"] = related._default_manager.filter(school__in=schools)
            elif related is AcademicYear:
                kwargs["queryset"] = AcademicYear.objects.filter(school__in=schools)
            elif related is User:
                kwargs["queryset"] = User.objects.filter(memberships__school__in=schools).distinct()
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_module_permission(self, request):
        return self._may(request)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    def has_add_permission(self, request, obj=None):
        return self._may(request)

    def has_change_permission(self, request, obj=None):
        return self._may(request)

    def has_delete_permission(self, request, obj=None):
        return self._may(request)


class ScopedInline(admin.StackedInline):
    # Stacked, not tabular: a tabular row's fields have no label of their own, and point
    # their aria-describedby at help texts the table does not print.
    extra = 0
    form = ConflictCheckedModelForm  # each row checked, as the change form is
    # A tampered row count must not make the page build thousands of rows.
    max_num = 50

    def get_formset(self, request, obj=None, **kwargs):
        return super().get_formset(request, obj, absolute_max=self.max_num, **kwargs)

    def _may(self, request):
        return request.user.is_superuser or permissions.can_manage_setup(request.user)

    def has_view_permission(self, request, obj=None):
        return self._may(request)

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(School)
class SchoolAdmin(SchoolScopedAdmin):
    school_path = "pk"
    list_display = ["name", "phone", "head_name"]

    def has_add_permission(self, request, obj=None):
        # A new school is a trust-level decision, not an office task.
        return request.user.is_superuser

    has_delete_permission = has_add_permission


class TermInline(ScopedInline):
    model = Term


@admin.register(AcademicYear)
class AcademicYearAdmin(SchoolScopedAdmin):
    list_display = ["name", "school", "starts_on", "ends_on"]
    list_filter = [SCHOOL_FILTER]
    inlines = [TermInline]


@admin.register(ClosureDay)
class ClosureDayAdmin(SchoolScopedAdmin):
    list_display = ["date", "kind", "description", "school"]
    list_filter = [SCHOOL_FILTER, "kind"]
    date_hierarchy = "date"


@admin.register(Room)
class RoomAdmin(SchoolScopedAdmin):
    list_display = ["name", "suitable_for_one_to_one", "notes", "school"]
    list_filter = [SCHOOL_FILTER, "suitable_for_one_to_one"]


class ClassStaffInline(ScopedInline):
    model = ClassStaff
    autocomplete_fields = []


@admin.register(SchoolClass)
class SchoolClassAdmin(SchoolScopedAdmin):
    list_display = ["name", "year_group", "school"]
    list_filter = [SCHOOL_FILTER, "year_group"]
    inlines = [ClassStaffInline]


class StaffRoleInline(ScopedInline):
    model = StaffRole


@admin.register(StaffMember)
class StaffMemberAdmin(SchoolScopedAdmin):
    list_display = ["user", "school", "job_title", "mentoring_hours"]
    list_filter = [SCHOOL_FILTER, "roles__role"]
    list_select_related = ["user", "school"]
    search_fields = ["user__first_name", "user__last_name", "user__username"]
    inlines = [StaffRoleInline]


class ContactInline(ScopedInline):
    model = Contact


@admin.register(Pupil)
class PupilAdmin(SchoolScopedAdmin):
    list_display = ["legal_last_name", "legal_first_name", "upn", "year_group", "school_class"]
    list_filter = [SCHOOL_FILTER, "year_group", ("school_class", RELATED_ONLY), "sen_status"]
    list_select_related = ["school", "school_class"]
    search_fields = ["legal_first_name", "legal_last_name", "preferred_name", "upn"]
    inlines = [ContactInline]

    def has_delete_permission(self, request, obj=None):
        # Pupils leave (date left); deleting would break their cases' history.
        return request.user.is_superuser


class StaffAccountForm(ConflictCheckMixin, UserChangeForm):
    conflict_check_in_clean = True
    opened_version = VersionField()

    def conflict_attrs(self):
        # Signing in changes these without anyone editing the account.
        attrs = super().conflict_attrs()
        return {k: v for k, v in attrs.items() if v not in ("password", "last_login")}


@admin.register(User)
class StaffAccountAdmin(UserAdmin, SchoolScopedAdmin):
    school_path = "memberships__school"
    form = StaffAccountForm
    list_display = ["username", "first_name", "last_name", "email", "is_active"]
    list_filter = ["is_active"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None:
            fieldsets = [*fieldsets, (None, {"fields": [conflicts.FIELD]})]
        if request.user.is_superuser:
            return fieldsets
        # The office manages accounts, not Django's own superuser switches.
        hidden = {"is_staff", "is_superuser", "groups", "user_permissions"}
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in hidden]})
            for name, opts in fieldsets
        ]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(is_superuser=False)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        schools = sorted(permissions.setup_schools(request.user))
        if not change and schools and not request.user.is_superuser:
            # A new account joins the office's school at once, so it stays in their scope;
            # its roles are then given on the staff member page.
            StaffMember.objects.get_or_create(user=obj, school_id=schools[0])
