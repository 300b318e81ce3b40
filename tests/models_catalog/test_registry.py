"""Custom models: versions with lineage, aliases, deploy and rollback, and `custom/...` names."""

from __future__ import annotations

import pytest
from django.utils import timezone

from audit.models import AuditEntry
from kernel.errors import Conflict, InvalidInput, NotAllowed, NotFound
from models_catalog.models import AliasChange, Provider
from models_catalog.selectors import resolve_model
from models_catalog.services.access import grant_model
from models_catalog.services.registry import (
    delete_version,
    deploy,
    register_custom_model,
    register_version,
    rollback,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def claims_model():
    model = register_custom_model(
        name="claims-triage",
        provider=Provider.objects.get(name="sagemaker"),
        display_name="Claims triage",
        actor="ml-team",
    )
    for number in (1, 2, 3):
        register_version(
            custom_model=model,
            artifact_uri=f"s3://models/claims-triage/{number}/",
            serving_target=f"claims-triage-v{number}",
            base_model_name="meta.llama3-1-8b-instruct-v1:0",
            parent_number=number - 1 if number > 1 else None,
            training_data="s3://datasets/claims/2026-10/",
            hyperparameters={"lr": 2e-5, "epochs": number},
            architecture="llama-3.1-8b + LoRA r=16",
            evaluation_metrics={"f1": 0.80 + number / 100},
            model_card=f"# Claims triage v{number}",
            actor="ml-team",
        )
    return model


def test_versions_are_numbered_with_lineage(claims_model) -> None:
    v3 = claims_model.versions.get(number=3)
    assert v3.parent.number == 2
    assert v3.base_model.name == "meta.llama3-1-8b-instruct-v1:0"
    assert v3.hyperparameters == {"lr": 2e-5, "epochs": 3}


def test_deploy_and_rollback_move_the_alias_and_are_audited(claims_model) -> None:
    deploy(custom_model=claims_model, alias_name="production", version_number=1, actor="a")
    deploy(custom_model=claims_model, alias_name="production", version_number=2, actor="a")
    deploy(custom_model=claims_model, alias_name="production", version_number=3, actor="a")
    alias = rollback(custom_model=claims_model, alias_name="production", actor="b")
    assert alias.version.number == 2
    alias = rollback(custom_model=claims_model, alias_name="production", actor="b")
    assert alias.version.number == 1
    with pytest.raises(Conflict, match="no earlier version"):
        rollback(custom_model=claims_model, alias_name="production", actor="b")

    history = list(
        alias.history.order_by("changed_at", "id").values_list(
            "action", "from_version__number", "to_version__number"
        )
    )
    assert history == [
        ("deploy", None, 1),
        ("deploy", 1, 2),
        ("deploy", 2, 3),
        ("rollback", 3, 2),
        ("rollback", 2, 1),
    ]
    rolled = AuditEntry.objects.unscoped().filter(action="model_alias.rolled_back").order_by("id")
    assert [(e.before["version"], e.after["version"]) for e in rolled] == [(3, 2), (2, 1)]


def test_alias_to_a_version_that_does_not_exist_is_refused(claims_model) -> None:
    other = register_custom_model(
        name="fraud",
        provider=Provider.objects.get(name="sagemaker"),
        display_name="Fraud",
        actor="ml-team",
    )
    register_version(
        custom_model=other, artifact_uri="s3://m/f/1", serving_target="fraud-1", actor="ml-team"
    )
    with pytest.raises(NotFound, match="has no version 7"):
        deploy(custom_model=other, alias_name="production", version_number=7, actor="a")
    with pytest.raises(InvalidInput, match="lowercase"):
        deploy(custom_model=other, alias_name="Prod!", version_number=1, actor="a")
    assert not AliasChange.objects.filter(alias__custom_model=other).exists()


def test_deleting_a_version_an_alias_points_at_is_refused(claims_model) -> None:
    deploy(custom_model=claims_model, alias_name="staging", version_number=3, actor="a")
    with pytest.raises(Conflict, match="staging points at"):
        delete_version(version=claims_model.versions.get(number=3), actor="a")
    with pytest.raises(Conflict, match="parent of later versions"):
        delete_version(version=claims_model.versions.get(number=1), actor="a")
    assert claims_model.versions.count() == 3


def test_custom_names_resolve_to_versions_only_with_access(claims_model, module_tenants) -> None:
    acme, globex = module_tenants["acme"], module_tenants["globex"]
    deploy(custom_model=claims_model, alias_name="production", version_number=2, actor="a")
    deploy(custom_model=claims_model, alias_name="staging", version_number=3, actor="a")
    grant_model(model_name="custom/claims-triage", tenants=[acme], actor="root")
    now = timezone.now()
    assert resolve_model(acme, "custom/claims-triage", now).version.number == 2
    assert resolve_model(acme, "custom/claims-triage@staging", now).version.number == 3
    assert resolve_model(acme, "custom/claims-triage@1", now).version.number == 1
    with pytest.raises(NotFound, match="no version 9"):
        resolve_model(acme, "custom/claims-triage@9", now)
    with pytest.raises(NotFound, match="canary"):
        resolve_model(acme, "custom/claims-triage@canary", now)
    with pytest.raises(NotAllowed):
        resolve_model(globex, "custom/claims-triage", now)
    with pytest.raises(NotFound):
        resolve_model(acme, "custom/unknown", now)


def test_custom_models_need_a_serving_provider() -> None:
    with pytest.raises(InvalidInput, match="SageMaker or an OpenAI-compatible"):
        register_custom_model(
            name="x", provider=Provider.objects.get(name="bedrock"), display_name="x", actor="a"
        )
