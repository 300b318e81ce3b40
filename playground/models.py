"""The playground's records, in the tenant's own schema: conversations per person, their turns
(with what each answer cost), and the tenant's prompt templates. Verdicts on answers are
evaluation's (`evaluation.models.Feedback`)."""

from __future__ import annotations

import uuid

from django.db import models


class Conversation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner_id = models.BigIntegerField(db_index=True)  # the person (public schema's user)
    title = models.CharField(max_length=200)
    model = models.CharField(max_length=200)
    system_prompt = models.TextField(blank=True)
    parameters = models.JSONField(default=dict, blank=True)
    knowledge_base_id = models.UUIDField(null=True, blank=True)
    # The conversations of one comparison (one prompt to several models), reopened side by side.
    comparison_id = models.UUIDField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title


class Turn(models.Model):
    class Role(models.TextChoices):
        USER = "user", "You"
        ASSISTANT = "assistant", "Model"

    class Status(models.TextChoices):
        OK = "ok", "Answered"
        ERROR = "error", "Failed"
        STOPPED = "stopped", "Stopped"

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="turns")
    role = models.CharField(max_length=10, choices=Role.choices)
    content = models.TextField(blank=True)
    model = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OK)
    error = models.CharField(max_length=500, blank=True)
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    input_tokens = models.PositiveIntegerField(default=0)
    output_tokens = models.PositiveIntegerField(default=0)
    latency_ms = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=18, decimal_places=9, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    citations = models.JSONField(default=list, blank=True)
    # Regenerated or edited away: out of the conversation, kept for the verdicts given on it.
    superseded = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.role}: {self.content[:40]}"


class PromptTemplate(models.Model):
    name = models.CharField(max_length=120, unique=True)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def current(self) -> PromptTemplateVersion | None:
        return self.versions.order_by("-number").first()


class PromptTemplateVersion(models.Model):
    template = models.ForeignKey(PromptTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    body = models.TextField()
    variables = models.JSONField(default=list)
    created_by = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="one_version_number"),
        ]

    def __str__(self) -> str:
        return f"{self.template.name} v{self.number}"
