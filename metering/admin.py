"""Platform administration of usage events the recorder set aside: read, mend the payload,
replay (metering.usage_queue.replay_dead_letters)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from metering.models import UsageDeadLetter
from metering.usage_queue import replay_dead_letters


@admin.register(UsageDeadLetter)
class UsageDeadLetterAdmin(admin.ModelAdmin):
    list_display = ["created_at", "request_id", "tenant_id", "error", "replayed_at"]
    list_filter = [("replayed_at", admin.EmptyFieldListFilter)]
    search_fields = ["request_id", "error"]
    readonly_fields = ["entry_id", "request_id", "tenant_id", "error", "created_at", "replayed_at"]
    actions = ["replay"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description="Replay the selected events into the usage table")
    def replay(self, request: HttpRequest, queryset: QuerySet[UsageDeadLetter]) -> None:
        recorded, refused = replay_dead_letters(list(queryset.values_list("pk", flat=True)))
        self.message_user(request, f"{recorded} recorded, {refused} still refused.",
                          messages.WARNING if refused else messages.SUCCESS)  # fmt: skip
