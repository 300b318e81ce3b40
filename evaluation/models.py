"""Evaluation records, in the tenant's own schema: verdicts on answers (a playground turn's, or
an API response's), datasets of prompts with their expected answers (uploaded, or curated from
those verdicts), jobs that run chosen models over a dataset, and one scored result per (job,
model, item)."""

from __future__ import annotations

import uuid

from django.db import models

RATINGS = [(1, "Thumbs up"), (-1, "Thumbs down")]


class Feedback(models.Model):
    """A person's verdict on one playground answer: the raw material of evaluation datasets.

    The answer is the playground's `Turn`, named by string: the database keeps the foreign key
    (a deleted conversation takes its verdicts with it) while evaluation's code imports nothing
    from the playground, which stands above it. The table kept its name when the model moved
    here from the playground."""

    turn = models.ForeignKey("playground.Turn", on_delete=models.CASCADE, related_name="feedback")
    user_id = models.BigIntegerField()
    rating = models.SmallIntegerField(choices=RATINGS)
    comment = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "playground_feedback"
        constraints = [
            models.UniqueConstraint(fields=["turn", "user_id"], name="one_verdict_per_person"),
        ]

    def __str__(self) -> str:
        return f"{'+' if self.rating > 0 else '-'} on {self.turn_id}"


class ResponseFeedback(models.Model):
    """A verdict on a response of the API (`POST /v1/feedback` with its id), by the caller.
    The table kept its name when the model moved here from the playground."""

    request_id = models.CharField(max_length=64)
    principal_type = models.CharField(max_length=20)
    principal_id = models.BigIntegerField()
    principal_name = models.CharField(max_length=200)
    rating = models.SmallIntegerField(choices=RATINGS)
    comment = models.TextField(blank=True)
    # The exchange judged, from the invocation log when the tenant captures calls (else blank:
    # the verdict is kept, but cannot become an evaluation item).
    prompt = models.TextField(blank=True)
    answer = models.TextField(blank=True)
    model = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "playground_responsefeedback"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["request_id", "principal_type", "principal_id"],
                name="one_verdict_per_caller",
            ),
        ]

    def __str__(self) -> str:
        return f"{'+' if self.rating > 0 else '-'} on {self.request_id}"


class Dataset(models.Model):
    class Source(models.TextChoices):
        UPLOAD = "upload", "Uploaded"
        FEEDBACK = "feedback", "Curated from feedback"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    created_by = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class DatasetItem(models.Model):
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="items")
    line = models.PositiveIntegerField()  # the upload's line number, or the order of curation
    prompt = models.TextField()
    expected = models.TextField()
    # Where a curated item came from; kept when the conversation is deleted (the item stays).
    feedback = models.ForeignKey(
        Feedback, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    response_feedback = models.ForeignKey(
        ResponseFeedback, on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        ordering = ["dataset", "line"]
        constraints = [
            models.UniqueConstraint(fields=["dataset", "line"], name="one_item_per_line"),
            models.UniqueConstraint(fields=["dataset", "feedback"], name="feedback_once_per_set"),
            models.UniqueConstraint(
                fields=["dataset", "response_feedback"], name="api_feedback_once_per_set"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dataset_id}:{self.line}"


class EvaluationJob(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    dataset = models.ForeignKey(Dataset, on_delete=models.CASCADE, related_name="jobs")
    model_names = models.JSONField(default=list)  # catalogue names, in the order chosen
    max_tokens = models.PositiveIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    failure = models.CharField(max_length=500, blank=True)
    # Who started it: the calls are made, budgeted and charged as this person.
    created_by = models.CharField(max_length=200)
    created_by_id = models.BigIntegerField()
    business_unit_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The run at work on it (one delivery of its task) and until when, renewed before each
    # call: a second delivery waits for it instead of asking, and billing, the same items.
    lease = models.CharField(max_length=32, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.dataset_id} x {', '.join(self.model_names)}"


class EvaluationResult(models.Model):
    job = models.ForeignKey(EvaluationJob, on_delete=models.CASCADE, related_name="results")
    model = models.CharField(max_length=200)
    item = models.ForeignKey(DatasetItem, on_delete=models.CASCADE, related_name="results")
    answer = models.TextField(blank=True)
    exact_match = models.BooleanField(default=False)
    token_f1 = models.FloatField(default=0.0)
    similarity = models.FloatField(default=0.0)
    guardrail_blocked = models.BooleanField(default=False)
    latency_ms = models.PositiveIntegerField(default=0)
    cost = models.DecimalField(max_digits=18, decimal_places=9, null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job", "model", "item__line"]
        constraints = [
            models.UniqueConstraint(fields=["job", "model", "item"], name="one_result_per_call"),
        ]

    def __str__(self) -> str:
        return f"{self.model} on {self.item_id}"
