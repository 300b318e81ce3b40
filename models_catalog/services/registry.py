"""The registry of custom models: versions with lineage, aliases, deploy and rollback."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from audit.services import record_audit
from kernel.errors import Conflict, InvalidInput, NotFound, invalid_input_of
from models_catalog.models import (
    ALIAS_NAME,
    AliasChange,
    CustomModel,
    FoundationModel,
    Modality,
    ModelAlias,
    ModelVersion,
    Provider,
)
from models_catalog.selectors import CUSTOM_NAME

SERVING_PROVIDERS = {Provider.Kind.SAGEMAKER, Provider.Kind.OPENAI_COMPATIBLE}


def register_custom_model(
    *,
    name: str,
    provider: Provider,
    display_name: str,
    modality: str = Modality.CHAT,
    description: str = "",
    context_window: int = 8192,
    max_output_tokens: int = 2048,
    actor: str,
) -> CustomModel:
    """A new custom model and its catalogue entry `custom/<name>` (granted like any model)."""
    if provider.kind not in SERVING_PROVIDERS:
        raise InvalidInput("Custom models are served by SageMaker or an OpenAI-compatible server.")
    if modality not in Modality.values:
        raise InvalidInput(f"Unknown modality {modality!r}: use one of {Modality.values}.")
    if not CUSTOM_NAME.match(f"custom/{name}"):
        raise InvalidInput(
            f"{name!r} cannot name a custom model: use lowercase letters, digits, hyphens and "
            "underscores (e.g. claims-triage).",
            param="name",
        )
    if CustomModel.objects.filter(name=name).exists():
        raise Conflict(f"A custom model called {name!r} exists already.")
    entry = FoundationModel(
        name=f"custom/{name}",
        provider=provider,
        provider_model_id=name,
        kind=FoundationModel.Kind.CUSTOM,
        display_name=display_name or name,
        modality=modality,
        context_window=context_window,
        max_output_tokens=max_output_tokens,
    )
    custom = CustomModel(name=name, description=description, created_by=actor)
    try:
        custom.full_clean(exclude=["entry"])
        entry.full_clean()
    except ValidationError as error:
        raise invalid_input_of(error) from None
    with transaction.atomic():
        entry.save()
        custom.entry = entry
        custom.save()
        record_audit(
            actor=actor,
            action="custom_model.registered",
            target=custom,
            after={"name": name, "provider": provider.name},
        )
    return custom


def register_version(
    *,
    custom_model: CustomModel,
    artifact_uri: str,
    serving_target: str,
    actor: str,
    base_model_name: str | None = None,
    parent_number: int | None = None,
    training_data: str = "",
    hyperparameters: dict[str, Any] | None = None,
    architecture: str = "",
    evaluation_metrics: dict[str, Any] | None = None,
    model_card: str = "",
) -> ModelVersion:
    """Register the next version, with its lineage (base model, data, parent version)."""
    if not artifact_uri.strip() or not serving_target.strip():
        raise InvalidInput("A version needs its artefact URI and where it is served.")
    base_model = None
    if base_model_name:
        base_model = FoundationModel.objects.filter(name=base_model_name).first()
        if base_model is None:
            raise NotFound(f"The catalogue has no base model called {base_model_name!r}.")
    for label, value in (("hyperparameters", hyperparameters), ("metrics", evaluation_metrics)):
        if value is not None and not isinstance(value, dict):
            raise InvalidInput(f"{label} must be a JSON object.")
    with transaction.atomic():
        # Locked: numbering is serialised, and the number read is the one last given.
        locked = CustomModel.objects.select_for_update().get(pk=custom_model.pk)
        parent = None
        if parent_number is not None:
            parent = custom_model.versions.filter(number=parent_number).first()
            if parent is None:
                raise NotFound(f"{custom_model} has no version {parent_number} to derive from.")
        latest = custom_model.versions.aggregate(n=Max("number"))["n"] or 0
        version = ModelVersion(
            custom_model=custom_model,
            number=max(latest, locked.last_version_number) + 1,
            artifact_uri=artifact_uri.strip(),
            serving_target=serving_target.strip(),
            base_model=base_model,
            parent=parent,
            training_data=training_data,
            hyperparameters=hyperparameters or {},
            architecture=architecture,
            evaluation_metrics=evaluation_metrics or {},
            model_card=model_card,
            registered_by=actor,
        )
        try:
            version.full_clean(validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            raise invalid_input_of(error) from None
        version.save()
        CustomModel.objects.filter(pk=custom_model.pk).update(last_version_number=version.number)
        custom_model.last_version_number = version.number
        record_audit(
            actor=actor,
            action="model_version.registered",
            target=version,
            after={"model": custom_model.name, "version": version.number},
        )
    return version


def _alias_stack(alias: ModelAlias) -> list[int]:
    """The versions the alias has stood at, replaying deploys (push) and rollbacks (pop)."""
    stack: list[int] = []
    for change in alias.history.order_by("changed_at", "id"):
        if change.action == AliasChange.Action.DEPLOY:
            stack.append(change.to_version_id)
        elif stack:
            stack.pop()
    return stack


def deploy(
    *,
    custom_model: CustomModel,
    alias_name: str,
    version_number: int,
    actor: str,
    now: datetime | None = None,
) -> ModelAlias:
    """Point `alias_name` at a version of this model; audited with the version it replaced."""
    try:
        ALIAS_NAME(alias_name)
    except ValidationError as error:
        raise InvalidInput(" ".join(error.messages)) from None
    version = custom_model.versions.filter(number=version_number).first()
    if version is None:
        raise NotFound(f"{custom_model} has no version {version_number}.")
    now = now or timezone.now()
    with transaction.atomic():
        alias = (
            ModelAlias.objects.select_for_update()
            .filter(custom_model=custom_model, name=alias_name)
            .first()
        )
        replaced = alias.version if alias else None
        if alias is None:
            alias = ModelAlias.objects.create(
                custom_model=custom_model, name=alias_name, version=version
            )
        elif alias.version_id == version.pk:
            raise Conflict(f"{alias_name} already points at version {version_number}.")
        else:
            alias.version = version
            alias.save(update_fields=["version"])
        AliasChange.objects.create(
            alias=alias,
            action=AliasChange.Action.DEPLOY,
            from_version=replaced,
            to_version=version,
            actor=actor,
            changed_at=now,
        )
        record_audit(
            actor=actor,
            action="model_alias.deployed",
            target=alias,
            before={"version": replaced.number if replaced else None},
            after={"version": version.number},
        )
    return alias


def rollback(
    *, custom_model: CustomModel, alias_name: str, actor: str, now: datetime | None = None
) -> ModelAlias:
    """Move the alias back to the version it pointed at before its latest deploy."""
    now = now or timezone.now()
    with transaction.atomic():
        alias = (
            ModelAlias.objects.select_for_update()
            .select_related("version")
            .filter(custom_model=custom_model, name=alias_name)
            .first()
        )
        if alias is None:
            raise NotFound(f"{custom_model} has no alias {alias_name!r}.")
        stack = _alias_stack(alias)
        if len(stack) < 2:
            raise Conflict(f"{alias_name} has no earlier version to roll back to.")
        previous = ModelVersion.objects.get(pk=stack[-2])
        replaced = alias.version
        alias.version = previous
        alias.save(update_fields=["version"])
        AliasChange.objects.create(
            alias=alias,
            action=AliasChange.Action.ROLLBACK,
            from_version=replaced,
            to_version=previous,
            actor=actor,
            changed_at=now,
        )
        record_audit(
            actor=actor,
            action="model_alias.rolled_back",
            target=alias,
            before={"version": replaced.number},
            after={"version": previous.number},
        )
    return alias


def delete_version(*, version: ModelVersion, actor: str) -> None:
    """Delete a version nothing points at (no alias, no history, no derived version)."""
    aliases = list(version.aliases.values_list("name", flat=True))
    if aliases:
        raise Conflict(
            f"Version {version.number} is what {', '.join(aliases)} points at; "
            "deploy another version to that alias first."
        )
    if version.children.exists():
        raise Conflict(f"Version {version.number} is the parent of later versions.")
    in_history = AliasChange.objects.filter(from_version=version).exists() or (
        AliasChange.objects.filter(to_version=version).exists()
    )
    if in_history:
        raise Conflict(f"Version {version.number} is in an alias's history, which is kept.")
    with transaction.atomic():
        record_audit(
            actor=actor,
            action="model_version.deleted",
            target=version,
            before={"model": version.custom_model.name, "version": version.number},
        )
        version.delete()
