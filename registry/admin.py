from typing import Any

from django import forms
from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.widgets import AutocompleteSelectMultiple
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import User
from django.core.exceptions import (
    BadRequest,
    FieldDoesNotExist,
    PermissionDenied,
    ValidationError,
)
from django.db import models
from django.db.models import QuerySet
from django.forms import Field
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from import_export.admin import ImportExportMixin
from import_export.formats import base_formats
from simple_history.admin import SimpleHistoryAdmin

from registry.importing.tabular import table_from_rows
from registry.jobs.models import Job
from registry.jobs.records import records_export_start, records_import_start
from registry.models import (
    Agreement,
    AgreementParty,
    Engagement,
    Party,
    Publication,
    amendment_problems,
    bound_party_messages,
)
from registry.resources import AgreementResource, PartyResource
from registry.roles import ROLES, role_grant, role_revoke
from registry.services import (
    VersionConflict,
    history_paused,
    record_version,
    sets_history_record,
    version_check,
)
from registry.web.permissions import CAN_EXPORT, CAN_IMPORT


class BadLookupsMixin:
    """A change list whose query asks the impossible (`?signed_on__year=99999`, the date
    hierarchy at year 9999) is a bad lookup, shown as the admin shows any other, not a 500.

    Django checks the lookups when it builds the query, but a date out of Python's range
    only fails when the query is compiled, to count the rows.
    """

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        try:
            return super().get_changelist_instance(request)  # type: ignore[misc]
        except (ValueError, OverflowError) as error:
            raise IncorrectLookupParameters(error) from error

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        """The add page's initial values from its query string, without references that
        are not ids (`?categories=x` would fail while the form renders)."""
        initial: dict[str, Any] = super().get_changeform_initial_data(request)  # type: ignore[misc]
        opts = self.model._meta  # type: ignore[attr-defined]
        for name, value in list(initial.items()):
            try:
                field = opts.get_field(name)
            except FieldDoesNotExist:
                continue
            if not field.is_relation or field.target_field is None:
                continue
            try:
                for each in value if isinstance(value, list) else [value]:
                    field.target_field.to_python(each)
            except ValidationError:
                del initial[name]
        return initial


class SetsHistoryMixin:
    """One history row a save, with the many-to-many sets as the form leaves them.

    The admin saves the row, then the sets; simple_history would write a row with the old
    sets, then one for each removal and addition. The sets are saved without history and
    one row written after them (`sets_history_record`)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not change:  # a new record's "created" row is written now, its sets added after
            super().save_model(request, obj, form, change)  # type: ignore[misc]
            return
        with history_paused(obj):
            super().save_model(request, obj, form, change)  # type: ignore[misc]

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        with history_paused(form.instance):
            super().save_related(request, form, formsets, change)  # type: ignore[misc]
        sets_history_record(form.instance, created=not change)


class VersionGuardForm(forms.ModelForm):
    """A change form based on one version of its record (the id of its latest history row):
    a save over a newer one is refused with what the other person changed, the form kept."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            self.fields["version"].initial = record_version(self.instance)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        try:
            version_check(instance=self.instance, version=cleaned.get("version"))
        except VersionConflict as conflict:
            # Based on the latest version now: saving again keeps this user's values.
            data = self.data.copy()  # type: ignore[attr-defined]  # a QueryDict
            data["version"] = "" if conflict.current is None else str(conflict.current)
            self.data = data
            raise ValidationError(conflict.describe()) from conflict
        return cleaned


class VersionGuardMixin:
    """No lost update in the admin, as on the edit pages (registry.services.version_check)."""

    form = VersionGuardForm


class AgreementAdminForm(VersionGuardForm):
    """A UK Addendum amends SCCs 2021 binding its parties, as in agreement_upsert."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        amends, parties = cleaned.get("amends"), cleaned.get("parties")
        if amends is not None and parties is not None and cleaned.get("kind"):
            for problem in amendment_problems(
                kind=cleaned["kind"],
                amends=str(amends),
                amends_kind=amends.kind,
                parties=[p.name for p in parties],
                amends_parties=[p.name for p in amends.parties.all()],
            ):
                self.add_error(problem.field, problem.message)
        return cleaned


class RegisterHistoryAdmin(BadLookupsMixin, SimpleHistoryAdmin):
    """The admin of a record with a change history. Record and version ids are numbers:
    simple_history filters on whatever the address holds, and a word there is a 500."""

    def history_view(self, request: HttpRequest, object_id: str, extra_context: Any = None) -> Any:
        if not object_id.isdigit():
            raise Http404("No such record.")
        return super().history_view(request, object_id, extra_context)

    def history_form_view(
        self, request: HttpRequest, object_id: str, version_id: str, extra_context: Any = None
    ) -> Any:
        if not (object_id.isdigit() and version_id.isdigit()):
            raise Http404("No such version.")
        return super().history_form_view(request, object_id, version_id, extra_context)


class RegisterImportExportMixin(ImportExportMixin):
    """The import and export pages, behind their own permissions (not add/change/view).

    Imports run the checked path (RegisterResource.import_data): every row checked, then
    all written in one transaction, or none. The preview (a dry run) answers in the request;
    the confirmed import and the export run as background jobs, and the admin sends the user
    to the job's page, which shows their progress, then the import report or the file.
    Admin log entries are skipped: the history of each record keeps who imported what.
    """

    skip_admin_log = True
    # What the export job writes (registry.importing.tabular.write_table).
    export_formats = [base_formats.CSV, base_formats.XLSX, base_formats.JSON]

    def has_import_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CAN_IMPORT)

    def has_export_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(CAN_EXPORT)

    def is_skip_import_confirm_enabled(self) -> bool:
        # The preview always comes first: process_dataset below starts a job, which only
        # the confirm step (process_import) knows how to answer.
        return False

    def process_dataset(self, dataset: Any, form: Any, request: HttpRequest, **kwargs: Any) -> Any:
        """The confirmed import, as a job over the rows the preview read (the uploaded file
        stays on the web machine's disk; the rows travel with the task to any worker)."""
        resource = self.choose_import_resource_class(form, request)
        table = table_from_rows(dataset.headers or [], dataset)
        return records_import_start(user=request.user, kind=resource.kind.name, table=table)

    def process_result(self, result: Any, request: HttpRequest) -> HttpResponse:
        if isinstance(result, Job):
            return redirect(result)
        return super().process_result(result, request)

    def get_export_queryset(self, request: HttpRequest) -> QuerySet:
        """The rows of the change list, read with the resource's joins (no query per row).

        A filter the change list would refuse (it redirects with ?e=1) is a bad request."""
        try:
            rows = super().get_export_queryset(request).values("pk")
            rows.query.sql_with_params()  # a date out of range fails only when compiled
        except (IncorrectLookupParameters, ValueError, OverflowError) as error:
            raise BadRequest(f"The export's filters are not valid: {error}") from error
        return self.resource_classes[0]().get_queryset().filter(pk__in=rows)

    def _do_file_export(
        self, file_format: Any, request: HttpRequest, queryset: QuerySet, export_form: Any = None
    ) -> HttpResponse:
        """The export as a job, with the format and columns of the form. Both ways into an
        export (the form, and no form) end here; django-import-export names no public hook
        between the choice and the file.

        A filtered change list sends the natural keys of its rows; the whole table sends
        none, so the job writes what `export_records` writes."""
        if not self.has_export_permission(request):
            raise PermissionDenied
        resource = self.choose_export_resource_class(export_form, request)
        kind = resource.kind
        rows = queryset.prefetch_related(None).order_by()
        count = rows.count()
        keys = None
        if count < self.model._default_manager.count():
            keys = list(rows.values_list(kind.key, flat=True))
        job = records_export_start(
            user=request.user,
            kind=kind.name,
            fmt=file_format.get_extension(),
            count=count,
            columns=self.get_export_resource_fields_from_form(export_form),
            keys=keys,
        )
        return redirect(job)


class EngagementInline(admin.TabularInline):
    """The processors engaging a party, on the party's page (its sub-processors have their
    own admin, Engagement)."""

    model = Engagement
    fk_name = "subprocessor"
    extra = 0
    autocomplete_fields = ("processor",)
    fields = ("processor", "noticed_on", "notice_source", "objected_on", "authorised_on",
              "evidence", "evidenced_on", "ended_on")  # fmt: skip
    verbose_name = "engagement by a processor"
    verbose_name_plural = "engaged by (processors)"


@admin.register(Party)
class PartyAdmin(VersionGuardMixin, RegisterImportExportMixin, RegisterHistoryAdmin):
    resource_classes = [PartyResource]
    list_display = ("name", "slug", "relationship", "country", "status", "parent")
    list_filter = ("relationship", "status", "country")
    list_select_related = ("parent",)
    search_fields = ("slug", "name", "legal_name", "contact_email")
    autocomplete_fields = ("parent",)
    prepopulated_fields = {"slug": ("name",)}
    inlines = [EngagementInline]

    def get_deleted_objects(self, objs: Any, request: HttpRequest) -> tuple[Any, ...]:
        """The delete page and the bulk delete action refuse parties that agreements bind
        (AgreementParty protects them) and say to offboard them instead."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        bound = bound_party_messages(objs)
        if bound:
            # Refused for the agreements, not for want of a permission on their links.
            perms_needed.discard(AgreementParty._meta.verbose_name)
        return deleted, counts, perms_needed, [*bound, *protected]


@admin.register(Agreement)
class AgreementAdmin(
    VersionGuardMixin, SetsHistoryMixin, RegisterImportExportMixin, RegisterHistoryAdmin
):
    resource_classes = [AgreementResource]
    form = AgreementAdminForm
    list_display = ("reference", "title", "kind", "signed_on", "expires_on", "terminated_on")
    list_filter = ("kind", "flowdown", "subprocessor_authorisation")
    search_fields = ("reference", "title", "parties__name", "parties__slug")
    autocomplete_fields = ("parties", "categories", "amends")
    date_hierarchy = "signed_on"

    def formfield_for_manytomany(
        self, db_field: models.ManyToManyField, request: HttpRequest, **kwargs: Any
    ) -> Field | None:
        # The admin leaves out a many-to-many with its own through model; AgreementParty
        # has no field of its own, so the set is edited (and its history kept) as before.
        if db_field.name == "parties":
            kwargs.setdefault(
                "widget",
                AutocompleteSelectMultiple(db_field, self.admin_site, using=kwargs.get("using")),
            )
            return db_field.formfield(**kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)


@admin.register(Engagement)
class EngagementAdmin(RegisterHistoryAdmin):
    """Processors engaging sub-processors: the notice, our objection or authorisation, the
    evidence of the sub-processing agreement, the end."""

    list_display = ("processor", "subprocessor", "noticed_on", "evidence", "evidenced_on",
                    "ended_on")  # fmt: skip
    list_filter = ("evidence",)
    list_select_related = ("processor", "subprocessor")
    search_fields = ("processor__name", "processor__slug", "subprocessor__name",
                     "subprocessor__slug", "notice_source")  # fmt: skip
    autocomplete_fields = ("processor", "subprocessor")
    date_hierarchy = "noticed_on"


class ReadOnlyAdmin(BadLookupsMixin, admin.ModelAdmin):
    """Rows shown to staff and never edited by hand: the application writes them, or
    another page does."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AgreementParty)
class AgreementPartyAdmin(ReadOnlyAdmin):
    """Who each agreement binds, to read. The links change on the agreement's page, which
    keeps their history; a party bound here is offboarded, never deleted."""

    list_display = ("agreement", "party")
    list_select_related = ("agreement", "party")
    search_fields = ("agreement__reference", "party__name", "party__slug")


@admin.register(Publication)
class PublicationAdmin(ReadOnlyAdmin):
    """The reviewers' decisions that put parties on the public list (or take them off), to
    read. They are recorded on the sub-processor decisions page, with a notice period."""

    list_display = ("party", "change", "notice_on", "effective_on", "decided_by", "decided_at")
    list_filter = ("change",)
    list_select_related = ("party", "decided_by")
    search_fields = ("party__name", "party__slug")
    date_hierarchy = "effective_on"


class UserRoleForm(UserChangeForm):
    """The user's page: groups as before, at most one of them a role (registry.roles)."""

    def clean_groups(self) -> Any:
        groups = self.cleaned_data["groups"]
        roles = sorted(group.name for group in groups if group.name in ROLES)
        if len(roles) > 1:
            raise ValidationError(
                f"A user has one role; choose one of {', '.join(roles)} "
                f"(the roles are {', '.join(ROLES)})."
            )
        return groups


# The users' change list has a date hierarchy too: the same guard against impossible dates.
class UserAdmin(BadLookupsMixin, DjangoUserAdmin):
    """Users, whose role group decides staff status: the groups saved here go through
    `role_grant`, so that the admin group (and only it) opens /admin/."""

    form = UserRoleForm
    readonly_fields = ("is_staff",)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        super().save_related(request, form, formsets, change)
        if "groups" not in form.cleaned_data:
            return
        user = form.instance
        role = next((g.name for g in form.cleaned_data["groups"] if g.name in ROLES), None)
        if role is None:
            role_revoke(user=user)
        else:
            role_grant(user=user, role=role)


admin.site.unregister(User)
admin.site.register(User, UserAdmin)
