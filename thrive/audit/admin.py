from django.contrib import admin

from thrive.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the trail is evidence, and evidence is not edited."""

    list_display = ["at", "actor", "organization", "action", "object_type", "object_id"]
    list_filter = ["action", "object_type"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
