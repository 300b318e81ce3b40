from django.contrib import admin

from identity.models import ExternalIdentity, GroupMapping


@admin.register(GroupMapping)
class GroupMappingAdmin(admin.ModelAdmin):
    list_display = ["group", "grant", "tenant", "business_unit", "created_at"]
    list_filter = ["grant", "tenant"]
    list_select_related = ["tenant", "business_unit"]
    search_fields = ["group"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin):
    list_display = ["user", "issuer", "subject", "grants_platform_admin", "last_seen_at"]
    search_fields = ["user__username", "subject", "issuer"]
    readonly_fields = ["user", "issuer", "subject", "groups_digest", "grants_platform_admin"]

    def has_add_permission(self, request, obj=None) -> bool:  # type: ignore[no-untyped-def]
        return False
