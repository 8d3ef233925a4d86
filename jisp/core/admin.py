"""The Django admin, for the coordination centre's staff only (two-factor sign-in enforced)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from jisp.core import audit, policy
from jisp.core.models import (
    ApiToken,
    AuditEvent,
    Delivery,
    Invitation,
    Membership,
    Notification,
    Organisation,
    Sector,
    User,
    Webhook,
)


class JispAdminSite(admin.AdminSite):
    site_header = _("JISP administration")
    site_title = _("JISP administration")
    index_title = _("Platform data")
    login_template = None

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_authenticated
            and policy.can_use_admin(user)
            and user.has_two_factor
        )

    def login(self, request: HttpRequest, extra_context: Any = None) -> Any:
        from django.shortcuts import redirect
        from django.urls import reverse

        return redirect(f"{reverse('core:signin')}?next={request.get_full_path()}")


admin_site = JispAdminSite(name="admin")


class CentreAdmin(admin.ModelAdmin):
    """Centre staff may view and change; auditors never come here."""

    def has_module_permission(self, request: HttpRequest) -> bool:
        return policy.can_use_admin(request.user)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_use_admin(request.user)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_use_admin(request.user)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return policy.can_use_admin(request.user)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.can_use_admin(request.user)

    def save_model(self, request: HttpRequest, obj: Model, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        audit.record("core.admin.changed", request=request, obj=obj, change=change)


class ReadOnlyAdmin(CentreAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Sector, site=admin_site)
class SectorAdmin(CentreAdmin):
    list_display = ["code", "name_ja", "name_en", "ministry", "position"]
    list_select_related = ["ministry"]


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(Organisation, site=admin_site)
class OrganisationAdmin(CentreAdmin):
    list_display = ["name", "name_en", "category", "sector", "is_active", "listed"]
    list_filter = ["category", "sector", "is_active"]
    search_fields = ["name", "name_en", "short_name"]
    list_select_related = ["sector"]
    inlines = [MembershipInline]


@admin.register(User, site=admin_site)
class UserAdmin(CentreAdmin):
    list_display = ["email", "name", "language", "is_active", "has_two_factor", "locked_until"]
    list_filter = ["is_active", "language"]
    search_fields = ["email", "name", "name_en"]
    fields = ["email", "name", "name_en", "language", "is_active", "locked_until", "date_joined"]
    readonly_fields = ["date_joined"]

    @admin.display(boolean=True, description=_("two-factor"))
    def has_two_factor(self, obj: User) -> bool:
        return obj.has_two_factor


@admin.register(Membership, site=admin_site)
class MembershipAdmin(CentreAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]


@admin.register(Invitation, site=admin_site)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ["email", "organisation", "role", "created_at", "expires_at", "accepted_at"]


@admin.register(ApiToken, site=admin_site)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "scope", "expires_at", "last_used_at", "revoked_at"]


@admin.register(AuditEvent, site=admin_site)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ["at", "action", "actor_email", "object_type", "object_id", "via", "ip"]
    list_filter = ["action", "via"]
    search_fields = ["actor_email", "object_id"]


@admin.register(Notification, site=admin_site)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "title", "created_at", "read_at"]


@admin.register(Delivery, site=admin_site)
class DeliveryAdmin(ReadOnlyAdmin):
    list_display = ["notification", "channel", "target", "state", "attempts", "sent_at"]
    list_filter = ["channel", "state"]


@admin.register(Webhook, site=admin_site)
class WebhookAdmin(ReadOnlyAdmin):
    list_display = ["name", "user", "url", "is_active"]
