"""deploy/: the Kubernetes manifests render (kubectl kustomize), keep the shard wiring
consistent, and pass comply's own Kubernetes checks with zero failures; the Dockerfile's final
stage is non-root and free of build tools; the image's dependency list pins every runtime
dependency."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest
import yaml

from scanner.cli.aws_commands import scan_aws
from tests.conftest import REPO_ROOT

DEPLOY = REPO_ROOT / "deploy"
KUBERNETES = DEPLOY / "kubernetes"
OVERLAYS = sorted(p.name for p in (KUBERNETES / "overlays").iterdir() if p.is_dir())
KUBECTL = shutil.which("kubectl")
NO_KUBECTL = "kubectl is not installed: the overlays cannot be rendered (the base is still scanned)"


def _comply_scan(path: Path, *extra: str) -> dict[str, Any]:
    process = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", "kubernetes", str(path), "-o", "json", *extra],
        capture_output=True,
        text=True,
        cwd=REPO_ROOT,
        timeout=300,
        env={"PATH": "/usr/bin:/bin:/usr/local/bin", "HOME": str(REPO_ROOT / ".pytest_cache")},
    )
    assert process.returncode == 0, process.stderr
    report: dict[str, Any] = json.loads(process.stdout)
    return report


def _assert_clean(report: dict[str, Any]) -> None:
    failures = [
        (f["check_id"], f["resource"]["id"], f["message"])
        for f in report["findings"]
        if f["status"] in ("fail", "error")
    ]
    assert failures == []
    assert report["errors"] == []
    assert report["summary"]["pass"] > 20  # the checks did run on the objects


def _render(overlay: str) -> list[dict[str, Any]]:
    if KUBECTL is None:
        pytest.skip(NO_KUBECTL)
    rendered = subprocess.run(
        [KUBECTL, "kustomize", str(KUBERNETES / "overlays" / overlay)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout
    return [doc for doc in yaml.safe_load_all(rendered) if doc]


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_rendered_overlay_passes_comply_kubernetes_checks(overlay, tmp_path):
    documents = _render(overlay)
    path = tmp_path / f"{overlay}.yaml"
    path.write_text(yaml.safe_dump_all(documents), encoding="utf-8")
    _assert_clean(_comply_scan(path))


def test_base_manifests_pass_comply_kubernetes_checks():
    """Loaded directly through comply's Kubernetes source, without kustomize."""
    report = _comply_scan(KUBERNETES / "base", "--no-kustomize")
    kinds = {f["resource"]["type"] for f in report["findings"]}
    assert {"kubernetes_cron_job", "kubernetes_service_account"} <= kinds
    _assert_clean(report)


def _by_kind(documents: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {doc["kind"]: doc for doc in documents}


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_shards_secrets_irsa_and_egress_are_wired(overlay):
    objects = _by_kind(_render(overlay))
    job = objects["CronJob"]["spec"]["jobTemplate"]["spec"]
    pod = job["template"]["spec"]
    [container] = pod["containers"]
    env = {e["name"]: e for e in container["env"]}
    assert job["completionMode"] == "Indexed"
    shards = int(env["COMPLY_SHARDS"]["value"])
    assert job["completions"] == job["parallelism"] == shards
    args = container["args"]
    assert args[:2] == ["scan", "aws"]
    assert args[args.index("--shard") + 1] == "$(JOB_COMPLETION_INDEX)/$(COMPLY_SHARDS)"
    assert args[args.index("--run-id") + 1] == "$(JOB_NAME)"
    label = "metadata.labels['batch.kubernetes.io/job-name']"
    assert env["JOB_NAME"]["valueFrom"]["fieldRef"]["fieldPath"] == label
    # The store URL and the webhook come from the Secret, never from the manifest.
    assert env["COMPLY_STORE"]["valueFrom"]["secretKeyRef"] == {
        "name": "comply",
        "key": "store-url",
    }
    assert env["SLACK_WEBHOOK"]["valueFrom"]["secretKeyRef"]["name"] == "comply"
    assert env["COMPLY_NOTIFY"]["value"] == "slack=env:SLACK_WEBHOOK"
    # Every option the pod passes is one `comply scan aws` has.
    known = {opt for param in scan_aws.params for opt in param.opts}
    used = {a.split("=")[0] for a in args if a.startswith("-")}
    assert used <= known, used - known
    account = objects["ServiceAccount"]
    assert account["metadata"]["annotations"]["eks.amazonaws.com/role-arn"].startswith(
        "arn:aws:iam::"
    )
    assert pod["serviceAccountName"] == account["metadata"]["name"]
    assert pod["automountServiceAccountToken"] is False
    policy = objects["NetworkPolicy"]["spec"]
    assert policy["policyTypes"] == ["Ingress", "Egress"] and policy["ingress"] == []
    ports = sorted({p["port"] for rule in policy["egress"] for p in rule["ports"]})
    assert ports == [53, 443, 5432]
    selector = policy["podSelector"]["matchLabels"]
    assert all(job["template"]["metadata"]["labels"].get(k) == v for k, v in selector.items())


def _stages(dockerfile: str) -> list[list[str]]:
    stages: list[list[str]] = []
    for line in re.sub(r"\\\n", " ", dockerfile).splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        stages[-1].append(line)
    return stages


def test_dockerfile_final_stage_is_non_root_and_without_build_tools():
    stages = _stages((DEPLOY / "Dockerfile").read_text("utf-8"))
    assert len(stages) == 2
    final = stages[-1]
    users = [line.split()[1] for line in final if line.upper().startswith("USER ")]
    assert users and users[-1].split(":")[0] not in ("0", "root")
    text = "\n".join(final).lower()
    for tool in ("apt-get install", "gcc", "build-essential", "pip install", "make "):
        assert tool not in text
    copies = [line for line in final if line.upper().startswith("COPY ")]
    assert copies == ["COPY --from=build /opt/comply /opt/comply"]
    assert "requirements.lock" in "\n".join(stages[0])  # the image's own dependency list


def test_image_dependency_list_pins_every_runtime_dependency():
    pins = {}
    for line in (DEPLOY / "requirements.txt").read_text("utf-8").splitlines():
        if line and not line.startswith("#"):
            name, _, version = line.partition("==")
            assert version, f"{line}: not pinned"
            pins[name.lower()] = version
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    wanted = [*project["dependencies"], *project["optional-dependencies"]["postgres"]]
    for requirement in wanted:
        name = re.split(r"[\[<>=!~ ]", requirement)[0].lower()
        assert name in pins, f"{name} is a runtime dependency but not pinned for the image"
