"""People (their role, the schools a DPO answers for, invitations) and the access log."""

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm
from django.contrib.auth.forms import UserChangeForm as DjangoUserChangeForm
from django.contrib.auth.models import Group
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from governance.accounts import InvitationError, invite_user
from governance.admin_base import ReadOnlyAdmin, SafeInputMixin
from governance.models import AccessEvent, User


class RoleFormMixin(forms.ModelForm):
    """Choose a person's role; it sets Django's staff and superuser flags."""

    role = forms.ChoiceField(choices=User.Role.choices, initial=User.Role.DPO)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["role"].initial = self.instance.role

    def save(self, commit: bool = True) -> Any:
        self.instance.set_role(self.cleaned_data["role"])
        return super().save(commit=commit)


class UserChangeForm(RoleFormMixin, DjangoUserChangeForm):
    pass


class UserCreationForm(RoleFormMixin, AdminUserCreationForm):
    pass


class RoleFilter(admin.SimpleListFilter):
    title = "role"
    parameter_name = "role"

    def lookups(self, request: HttpRequest, model_admin: admin.ModelAdmin) -> Any:
        return User.Role.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        flags = {
            User.Role.STAFF: Q(is_superuser=True),
            User.Role.AUDITOR: Q(is_staff=True, is_superuser=False),
            User.Role.DPO: Q(is_staff=False, is_superuser=False),
        }
        value = self.value()
        return queryset.filter(flags[User.Role(value)]) if value in flags else queryset


@admin.register(User)
class UserAdmin(SafeInputMixin, DjangoUserAdmin):
    """Staff manage people here: their role, the schools a DPO answers for, invitations."""

    form = UserChangeForm
    add_form = UserCreationForm
    list_display = ["username", "email", "first_name", "last_name", "role_display", "dpo_of",
                    "is_active", "last_login"]  # fmt: skip
    list_filter = [RoleFilter, "is_active", ("schools", admin.RelatedOnlyFieldListFilter)]
    search_fields = [*DjangoUserAdmin.search_fields, "schools__name", "schools__urn"]
    autocomplete_fields = ["schools"]
    actions = ["send_invitation"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Role", {"fields": ["role", "is_active", "schools"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"fields": ["username", "usable_password", "password1", "password2"]}),
        ("Person", {"fields": ["first_name", "last_name", "email"]}),
        ("Role", {"fields": ["role", "schools"]}),
    ]
    readonly_fields = ["last_login", "date_joined"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return super().get_queryset(request).prefetch_related("schools")

    @admin.display(description="Role", ordering="is_superuser")
    def role_display(self, obj: User) -> str:
        return obj.role.label

    @admin.display(description="DPO of")
    def dpo_of(self, obj: User) -> str:
        return ", ".join(s.name for s in obj.schools.all()) or "—"

    @admin.action(description="Email an invitation to set a password", permissions=["change"])
    def send_invitation(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        sent = 0
        for user in queryset:
            try:
                invite_user(user=user, invited_by=request.user)
            except InvitationError as error:
                self.message_user(request, str(error), messages.WARNING)
            else:
                sent += 1
        if sent:
            self.message_user(request, f"Invitation sent to {sent} person(s).", messages.SUCCESS)


@admin.register(AccessEvent)
class AccessEventAdmin(ReadOnlyAdmin):
    """Sign-ins, sign-outs, failed sign-ins and private downloads: read-only."""

    list_display = ["at", "kind", "username", "ip_address", "document", "path"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "ip_address", "document", "path"]
    date_hierarchy = "at"


class GuardedAccessAttemptAdmin(SafeInputMixin, AccessAttemptAdmin):
    """django-axes' list of failed sign-ins, whose clean-up action deletes rows: offered to
    those who may delete them, never to auditors."""

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        actions = super().get_actions(request)
        if not self.has_delete_permission(request):
            actions.pop("cleanup_expired_attempts", None)
        return actions


if admin.site.is_registered(AccessAttempt):  # django-axes registers it when its admin is on
    admin.site.unregister(AccessAttempt)
    admin.site.register(AccessAttempt, GuardedAccessAttemptAdmin)


# The other admins Django and django-axes register, again with the project's care for bad input.
class GroupAdmin(SafeInputMixin, DjangoGroupAdmin):
    pass


class GuardedAccessLogAdmin(SafeInputMixin, AccessLogAdmin):
    pass


class GuardedAccessFailureLogAdmin(SafeInputMixin, AccessFailureLogAdmin):
    pass


for model, model_admin in [
    (Group, GroupAdmin),
    (AccessLog, GuardedAccessLogAdmin),
    (AccessFailureLog, GuardedAccessFailureLogAdmin),
]:
    if admin.site.is_registered(model):
        admin.site.unregister(model)
        admin.site.register(model, model_admin)
