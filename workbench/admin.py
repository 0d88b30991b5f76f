"""Django's admin, kept from being a back door: what it shows it either cannot write, or
writes through the same services as the app, with the same refusals.

- `ReadOnlyAdmin` / `ReadOnlyInline`: shown, never added, changed or deleted there (claims'
  evidence, ratings and notes change on the claim page; imports come from the import page).
- `ServiceAdminForm` + `ServiceAdmin`: the admin's save is a service call. The form runs
  the service in a savepoint that is always rolled back, so a refusal (evidence missing,
  reason missing, stale version, …) is a form error naming the field; the admin's save then
  runs it for real. If the row changed in between and the service refuses after all, the
  whole request rolls back and the change page says why: nothing is half-written.
- `HistoryAdmin`: simple-history's admin without its "Revert" (which saves an old record as
  it was, past every rule); reverts are made on the claim page, through
  `claims.services.history_revert`.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from workbench.models import User


class _Rehearsal(Exception):
    """Raised to roll back a service call made only to see whether it would be refused."""


class ServiceAdminForm(forms.ModelForm):
    """An admin form whose save is a service call; the service's refusals are its errors.

    Subclasses implement `apply(target, by=...)`: make the change to `target` (the row as
    the database has it, or a new unsaved instance) through services, and raise
    `ValidationError` naming the field for a refusal.
    """

    user = None  # the requesting user, set by ServiceAdmin.get_form

    def apply(self, target: models.Model, *, by) -> models.Model:
        raise NotImplementedError

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                with transaction.atomic():
                    self.apply(self.fresh_target(), by=self.user)
                    raise _Rehearsal
            except _Rehearsal:
                pass
        return data

    def fresh_target(self) -> models.Model:
        """The row as the database has it now (a new instance on an add form).

        Not the form's instance, which the form fills with the posted values: a service
        compares what it is given with what is stored.
        """
        model = type(self.instance)
        if self.instance.pk is None:
            return model()
        return model._default_manager.get(pk=self.instance.pk)


class HistoryAdmin(SimpleHistoryAdmin):
    """History shown (who, when, why), never reverted from the admin."""

    def revert_disabled(self, request, obj=None) -> bool:
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied(
                "Changes are not reverted from the admin: revert them on the claim page, "
                "where the rules are checked."
            )
        return super().history_form_view(request, object_id, version_id, extra_context)


class ServiceAdmin(HistoryAdmin):
    """A change (or add) form saved by its `ServiceAdminForm`'s services; never deleted here."""

    form = ServiceAdminForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.user = request.user  # a fresh class per call: one request's user
        return form

    def save_form(self, request, form, change):
        return form.fresh_target()

    def save_model(self, request, obj, form, change) -> None:
        form.apply(obj, by=request.user)

    def save_related(self, request, form, formsets, change) -> None:
        # No `form.save_m2m()`: the service saved the row. Inlines here are read-only, so
        # saving their formsets saves nothing (it only records that for the change message).
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as exc:
            # Refused at the real save (the row changed after the form was checked): the
            # request's transaction is rolled back; say why on the same page.
            self.message_user(request, " ".join(exc.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdminMixin:
    """Shown in the admin, never added, changed or deleted there."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    pass


class ReadOnlyHistoryAdmin(ReadOnlyAdminMixin, HistoryAdmin):
    pass


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0


@admin.register(User)
class WorkbenchUserAdmin(UserAdmin):
    """Users are deactivated, never deleted: their ratings, notes and history stay theirs."""

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


admin.site.unregister(Group)


@admin.register(Group)
class RoleAdmin(ReadOnlyAdminMixin, GroupAdmin):
    """The role groups are defined in workbench/roles.py (and synced by a migration)."""
