from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from thrive.accounts.models import ApiToken, Membership, Organization, TaskForce, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organization"]


@admin.register(User)
class ThriveUserAdmin(UserAdmin):
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_active", "is_staff"]


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "county", "state"]
    list_filter = ["kind", "state"]
    search_fields = ["name", "slug", "county"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organization", "role", "created_at"]
    list_filter = ["role", "organization"]
    search_fields = ["user__username", "organization__name"]
    autocomplete_fields = ["user", "organization"]


@admin.register(TaskForce)
class TaskForceAdmin(admin.ModelAdmin):
    list_display = ["name", "coordinator"]
    filter_horizontal = ["members"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are created by their owners; here an administrator can only see and revoke."""

    list_display = [
        "name",
        "user",
        "organization",
        "hint",
        "created_at",
        "last_used_at",
        "revoked_at",
    ]
    readonly_fields = ["user", "organization", "name", "hint", "created_at", "last_used_at"]
    fields = [*readonly_fields, "revoked_at"]

    def has_add_permission(self, request):
        return False
