"""API tokens: staff issue a system its key (shown once), see when each was last used, and
revoke them. Tokens are never edited or deleted: a revoked one stays, for the record.
Auditors see the list and each token, and change nothing."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import flatten_fieldsets, unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html

from governance.admin_base import ModelAdmin
from governance.models import ApiToken, User
from governance.models.tokens import KEY_START, PREFIX_LENGTH


class RevokedFilter(admin.SimpleListFilter):
    title = "revoked"
    parameter_name = "revoked"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("no", "Not revoked"), ("yes", "Revoked")]

    def queryset(self, request: HttpRequest, queryset: QuerySet) -> QuerySet:
        if self.value() in ("yes", "no"):
            return queryset.filter(revoked_at__isnull=self.value() == "no")
        return queryset


class OwnerChoiceField(forms.ModelChoiceField):
    """Active people, each with the role a token of theirs can narrow."""

    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.username} ({obj.role.label})"


@admin.register(ApiToken)
class ApiTokenAdmin(ModelAdmin):
    """Issue (the key is shown once, in a message), look up and revoke API tokens."""

    list_display = ["name", "user", "role", "key_display", "created_at", "last_used_at",
                    "expires_at", "revoked_at", "status"]  # fmt: skip
    list_filter = ["role", "may_sign", RevokedFilter]
    search_fields = ["name", "user__username", "prefix"]
    list_select_related = ["user"]
    actions = ["revoke_tokens"]
    add_fieldsets = [
        (None, {
            "fields": ["user", "name", "role", "expires_at", "may_sign"],
            "description": "The key is shown once, when you save: copy it then into the system "
                           "that uses it. Only a hash of it is kept.",
        }),
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": ["name", "user", "role", "may_sign", "status"]}),
        ("Key", {"fields": ["key_display"]}),
        ("Use", {"fields": ["created_at", "created_by", "last_used_at", "expires_at"]}),
    ]

    # -- who may do what: issue (add) and revoke; never edit or delete -------------------------

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_revoke_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        """Revoking is the one change a token gets: staff's, never an auditor's."""
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")

    # -- the pages ---------------------------------------------------------------------------

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.add_fieldsets
        revocation = ["revocation"]
        if not obj.is_revoked and self.has_revoke_permission(request, obj):
            revocation.append("revoke_button")
        return [*self.fieldsets, ("Revocation", {"fields": revocation})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return () if obj is None else flatten_fieldsets(self.get_fieldsets(request, obj))

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if db_field.name == "user":
            kwargs["queryset"] = User.objects.filter(is_active=True).order_by("username")
            kwargs["form_class"] = OwnerChoiceField
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet, search_term: str
    ) -> tuple[QuerySet, bool]:
        # A key pasted whole, or its prefix as the list shows it, finds its token.
        term = search_term.strip()
        if term.startswith(KEY_START):
            term = term[len(KEY_START) : len(KEY_START) + PREFIX_LENGTH]
        return super().get_search_results(request, queryset, term)

    def save_model(self, request: HttpRequest, obj: ApiToken, form: Any, change: bool) -> None:
        """Issue the token (only ever added: there is no change page that saves)."""
        if change:
            raise PermissionDenied("API tokens are never edited.")
        token, key = ApiToken.issue(
            user=obj.user,
            name=obj.name,
            role=obj.role,
            created_by=request.user,
            expires_at=obj.expires_at,
            may_sign=obj.may_sign,
        )
        obj.pk = token.pk
        obj.refresh_from_db()
        obj._state.adding = False
        messages.success(
            request,
            format_html(
                'The key of “{}”: <code class="api-key">{}</code><br>'
                "<strong>Copy it now: it is not shown again.</strong> Only its hash is kept.",
                token.name,
                key,
            ),
        )

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        if request.method == "POST" and "_revoke" in request.POST:
            return self.revoke_view(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def revoke_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """The change page's Revoke button."""
        token = self.get_object(request, unquote(object_id))
        if token is None:
            raise Http404("No such API token.")
        if not self.has_revoke_permission(request, token):
            raise PermissionDenied
        self._revoke(request, [token])
        return redirect("admin:governance_apitoken_change", token.pk)

    @admin.action(description="Revoke selected tokens", permissions=["revoke"])
    def revoke_tokens(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        self._revoke(request, list(queryset))

    def _revoke(self, request: HttpRequest, tokens: list[ApiToken]) -> None:
        revoked = [token for token in tokens if token.revoke(request.user)]
        for token in revoked:
            self.log_change(request, token, "Revoked.")
        if revoked:
            names = ", ".join(f"“{token.name}”" for token in revoked)
            self.message_user(
                request,
                f"Revoked {len(revoked)} token(s): {names}. The API refuses them from now on.",
                messages.SUCCESS,
            )
        if len(revoked) < len(tokens):
            self.message_user(
                request,
                f"{len(tokens) - len(revoked)} token(s) had already been revoked: left as they "
                "were.",
                messages.WARNING,
            )

    # -- columns and read-only fields ----------------------------------------------------------

    @admin.display(description="Key", ordering="prefix")
    def key_display(self, obj: ApiToken) -> str:
        return format_html("<code>{}{}…</code>", KEY_START, obj.prefix)

    @admin.display(description="Status")
    def status(self, obj: ApiToken) -> str:
        return obj.refusal or "Usable"

    @admin.display(description="Revoked")
    def revocation(self, obj: ApiToken) -> str:
        if not obj.is_revoked:
            return "No: the API accepts it (unless it has expired)."
        when = date_format(timezone.localtime(obj.revoked_at), "DATETIME_FORMAT")
        return f"On {when}, by {obj.revoked_by or 'someone since deleted'}."

    @admin.display(description="Revoke")
    def revoke_button(self, obj: ApiToken) -> str:
        return format_html(
            '<button type="submit" name="_revoke" value="1" class="button">{}</button>'
            '<div class="help">{}</div>',
            "Revoke this token",
            "For good: the system using it is refused from then on. Issue a new token to let "
            "it in again.",
        )
