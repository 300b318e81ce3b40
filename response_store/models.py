"""Responses of the Responses API kept for `previous_response_id`, in the tenant's own schema
(a tenant's conversations never share a table with another's), for RESPONSES_RETENTION_DAYS."""

from __future__ import annotations

from django.db import models


class StoredResponse(models.Model):
    """One answered response and the conversation that led to it.

    `conversation` holds the input items up to and including this response's own input (not
    its `instructions`, which OpenAI does not carry over either); `response` is the response
    object as answered, its output included. A follow-up reads both, so each stored response
    stands alone: deleting or purging an earlier one never breaks a later one."""

    id = models.CharField(primary_key=True, max_length=64)
    principal = models.CharField(max_length=64)  # "<kind>:<id>" of the caller: its owner
    model = models.CharField(max_length=200)
    conversation = models.JSONField(default=list)
    response = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.id
