"""Kubernetes as repositories really hold it: kustomize trees with loose files, Components, Helm
charts, odd YAML, non-Kubernetes files, duplicate and nameless objects (issue 13).

Every input is a small tree written here, reproducing what real repositories hold."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from scanner.sources.kubernetes import DEFAULT_MAX_FILE_SIZE, load_kubernetes
from scanner.sources.kubernetes import loader as loader_module

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not on PATH")

KUSTOMIZATION = "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"


def deployment(name: str, image: str = "nginx:1.27", extra: str = "") -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\n{extra}spec:\n"
        f"  selector:\n    matchLabels: {{app: {name}}}\n  template:\n"
        f"    metadata:\n      labels: {{app: {name}}}\n    spec:\n"
        f"      containers:\n        - name: {name}\n          image: {image}\n"
    )


def write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def ids_and_files(result):
    return sorted((r.id, r.location.file) for r in result.resources)


# -- 1. files beside a kustomization -----------------------------------------------------------
@needs_kubectl
def test_files_no_kustomization_uses_are_still_scanned(tmp_path):
    write(
        tmp_path,
        {
            "examples/kustomization.yaml": KUSTOMIZATION + "resources:\n  - listed.yaml\n",
            "examples/listed.yaml": deployment("listed"),
            "examples/unlisted.yaml": deployment("unlisted", image="nginx:latest"),
            "examples/more/other.yaml": deployment("other"),
        },
    )
    result = load_kubernetes([tmp_path])
    assert result.errors == []
    assert ids_and_files(result) == [
        ("Deployment/default/listed", "examples/kustomization.yaml"),  # rendered, judged once
        ("Deployment/default/other", "examples/more/other.yaml"),
        ("Deployment/default/unlisted", "examples/unlisted.yaml"),
    ]
    unlisted = next(r for r in result.resources if r.id == "Deployment/default/unlisted")
    assert unlisted.attributes["containers"][0]["image"] == "nginx:latest"


@needs_kubectl
def test_a_base_shared_by_two_overlays_is_judged_through_each_overlay_only(tmp_path, monkeypatch):
    write(
        tmp_path,
        {
            "base/kustomization.yaml": KUSTOMIZATION + "resources:\n  - app.yaml\n",
            "base/app.yaml": deployment("app"),
            "staging/kustomization.yaml": KUSTOMIZATION
            + "namespace: staging\nresources:\n  - ../base\n",
            "prod/kustomization.yaml": KUSTOMIZATION + "namespace: prod\nresources:\n  - ../base\n",
        },
    )
    rendered: list[Path] = []
    real_render = loader_module.load_folder.__globals__["render"]

    def counting_render(folder, kubectl):
        rendered.append(folder)
        return real_render(folder, kubectl)

    monkeypatch.setitem(loader_module.load_folder.__globals__, "render", counting_render)
    result = load_kubernetes([tmp_path])
    assert result.errors == []
    assert ids_and_files(result) == [
        ("Deployment/prod/app", "prod/kustomization.yaml"),
        ("Deployment/staging/app", "staging/kustomization.yaml"),
    ]
    # Each root rendered once; the base never on its own.
    assert sorted(p.name for p in rendered) == ["prod", "staging"]


@needs_kubectl
def test_a_base_is_rendered_on_its_own_when_its_overlay_fails(tmp_path):
    write(
        tmp_path,
        {
            "base/kustomization.yaml": KUSTOMIZATION + "resources:\n  - app.yaml\n",
            "base/app.yaml": deployment("app"),
            "broken/kustomization.yaml": KUSTOMIZATION
            + "resources:\n  - ../base\n  - missing.yaml\n",
        },
    )
    result = load_kubernetes([tmp_path])
    assert [e.target for e in result.errors] == ["broken/kustomization.yaml"]
    assert ids_and_files(result) == [("Deployment/default/app", "base/kustomization.yaml")]


# -- 2. Components ----------------------------------------------------------------------------
COMPONENT = "apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n"
PATCH = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\nspec:\n  replicas: 5\n"


@needs_kubectl
def test_a_component_is_never_rendered_alone_and_is_judged_through_its_user(tmp_path):
    write(
        tmp_path,
        {
            "components/scale/kustomization.yaml": COMPONENT
            + "patches:\n  - path: replicas.yaml\n",
            "components/scale/replicas.yaml": PATCH,
            "components/unused/kustomization.yaml": COMPONENT
            + "patches:\n  - path: replicas.yaml\n",
            "components/unused/replicas.yaml": PATCH,
            "app/kustomization.yaml": KUSTOMIZATION
            + "resources:\n  - app.yaml\ncomponents:\n  - ../components/scale\n",
            "app/app.yaml": deployment("app"),
        },
    )
    result = load_kubernetes([tmp_path])
    assert result.errors == []
    [app] = result.resources
    assert (app.id, app.attributes["spec"]["replicas"]) == ("Deployment/default/app", 5)
    assert [(s.target, s.category) for s in result.skipped] == [
        ("components/unused/kustomization.yaml", "kustomize_component"),
        ("components/unused/replicas.yaml", "kustomize_patch"),
    ]
    assert "not renderable on its own" in result.skipped[0].reason


# -- 3. YAML as the Kubernetes API reads it ---------------------------------------------------
def test_yaml_value_tag_and_unknown_tags_load(tmp_path):
    write(
        tmp_path,
        {
            "crd.yaml": (
                "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
                "metadata:\n  name: rules.example.com\nspec:\n  group: example.com\n"
                "  names: {kind: Rule, plural: rules}\n  scope: Namespaced\n"
                "  versions:\n    - name: v1\n      schema:\n        openAPIV3Schema:\n"
                "          properties:\n            operator:\n              enum:\n"
                "                - =\n                - '!='\n                - in\n"
            ),
        },
    )
    result = load_kubernetes([tmp_path])
    assert result.errors == []
    [crd] = result.resources
    schema = crd.attributes["spec"]["versions"][0]["schema"]["openAPIV3Schema"]
    assert schema["properties"]["operator"]["enum"] == ["=", "!=", "in"]


# -- 4. files that are not Kubernetes ---------------------------------------------------------
def test_non_kubernetes_files_are_skipped_and_counted_not_errors(tmp_path):
    write(
        tmp_path,
        {
            "mkdocs.yml": (
                "site_name: docs\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
                "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
            ),
            "data/cities.json": json.dumps([{"name": "Oslo"}, {"name": "Lima"}]),
            "dashboards/api.json": json.dumps({"title": "API", "panels": [{"type": "graph"}]}),
            "data/events.json": '{"event": "a"}\n{"event": "b"}\n',
            "tsconfig.json": '{\n  // comments are not JSON\n  "compilerOptions": {}\n}\n',
            "app.yaml": deployment("app"),
        },
    )
    result = load_kubernetes([tmp_path])
    assert result.errors == []
    assert [r.id for r in result.resources] == ["Deployment/default/app"]
    assert sorted(s.target for s in result.skipped) == [
        "dashboards/api.json",
        "data/cities.json",
        "data/events.json",
        "mkdocs.yml",
        "tsconfig.json",
    ]
    assert {s.category for s in result.skipped} == {"not_kubernetes"}
    assert result.files_skipped == 5 and result.files_scanned == 6


def test_broken_files_that_look_like_manifests_remain_errors(tmp_path):
    write(
        tmp_path,
        {
            "broken.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n",
            "broken.json": '{"apiVersion": "v1", "kind": "ConfigMap",}',
        },
    )
    result = load_kubernetes([tmp_path])
    assert sorted(e.target for e in result.errors) == ["broken.json", "broken.yaml"]
    assert result.skipped == []


def test_json_lines_of_objects_are_loaded_with_their_lines(tmp_path):
    lines = [
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "a"}},
        {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "b"}},
    ]
    (tmp_path / "objects.json").write_text("".join(json.dumps(o) + "\n" for o in lines))
    result = load_kubernetes([tmp_path])
    assert result.errors == []
    assert [(r.id, r.location.start_line) for r in result.resources] == [
        ("ConfigMap/default/a", 1),
        ("ConfigMap/default/b", 2),
    ]


# -- 5. the same id in two files --------------------------------------------------------------
def test_same_object_in_two_files_keeps_both_with_the_file_in_the_id(tmp_path):
    write(
        tmp_path,
        {
            "a/web.yaml": deployment("web", image="nginx:latest"),
            "b/web.yaml": deployment("web", image="nginx:1.27"),
        },
    )
    result = load_kubernetes([tmp_path])
    assert result.errors == []
    images = {r.id: r.attributes["containers"][0]["image"] for r in result.resources}
    assert images == {
        "Deployment/default/web@a/web.yaml": "nginx:latest",
        "Deployment/default/web@b/web.yaml": "nginx:1.27",
    }
    [warning] = result.warnings
    assert warning.message.startswith(
        "1 object defined more than once, in 2 files (a/web.yaml, b/web.yaml): "
        "Deployment/default/web; each is judged"
    )


def test_a_copied_folder_is_one_warning_not_one_per_object(tmp_path):
    for folder in ("app", "app-copy"):
        for name in ("a", "b", "c", "d"):
            (tmp_path / folder).mkdir(exist_ok=True)
            (tmp_path / folder / f"{name}.yaml").write_text(deployment(name))
    result = load_kubernetes([tmp_path])
    assert len(result.resources) == 8
    assert len(result.warnings) == 4  # one per pair of files
    assert len({r.id for r in result.resources}) == 8


def test_same_object_twice_in_one_file_is_told_apart_by_line(tmp_path):
    (tmp_path / "twice.yaml").write_text(deployment("web") + "---\n" + deployment("web"))
    result = load_kubernetes([tmp_path])
    assert [r.id for r in result.resources] == [
        "Deployment/default/web@twice.yaml:1",
        "Deployment/default/web@twice.yaml:16",
    ]


# -- 7. size limit ----------------------------------------------------------------------------
def test_default_size_limit_takes_a_large_rendered_install(tmp_path):
    assert DEFAULT_MAX_FILE_SIZE == 64 * 1024 * 1024
    padding = "x" * 1000
    documents = [
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\ndata:\n  pad: {padding}\n"
        for i in range(11_500)
    ]
    (tmp_path / "install.yaml").write_text("---\n".join(documents))
    assert (tmp_path / "install.yaml").stat().st_size > 11 * 1024 * 1024
    result = load_kubernetes([tmp_path])
    assert result.errors == [] and len(result.resources) == 11_500


# -- 8. kinds without metadata.name -----------------------------------------------------------
def test_custom_kinds_without_a_name_get_a_stable_synthetic_id(tmp_path):
    operator = (
        "apiVersion: install.istio.io/v1alpha1\nkind: IstioOperator\nspec:\n  profile: demo\n"
    )
    (tmp_path / "istio.yaml").write_text(operator + "---\n" + operator)
    result = load_kubernetes([tmp_path])
    assert result.errors == []
    assert [r.id for r in result.resources] == [
        "IstioOperator/default/unnamed-1@istio.yaml",
        "IstioOperator/default/unnamed-2@istio.yaml",
    ]
    # `v1` Policy is a scheduler configuration, not an object the API server serves.
    policy = tmp_path.parent / f"{tmp_path.name}-policy.json"
    policy.write_text('{"apiVersion": "v1", "kind": "Policy"}')
    assert [r.id for r in load_kubernetes([policy]).resources] == [
        f"Policy/default/unnamed-1@{policy.name}"
    ]
    # The same input gives the same ids.
    assert [r.id for r in load_kubernetes([tmp_path]).resources] == [r.id for r in result.resources]


# -- 9. Helm charts ---------------------------------------------------------------------------
CHART = {
    "chart/Chart.yaml": "apiVersion: v2\nname: web\nversion: 0.1.0\n",
    "chart/values.yaml": "image: nginx\n",
    "chart/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
    ),
    "chart/templates/service.yaml": (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n"
    ),
}


def test_a_chart_without_helm_is_one_skipped_item_with_the_command(tmp_path, monkeypatch):
    monkeypatch.setattr(loader_module, "find_helm", lambda: None)
    write(tmp_path, {**CHART, "other.yaml": deployment("other")})
    result = load_kubernetes([tmp_path])
    assert result.errors == []
    assert [r.id for r in result.resources] == ["Deployment/default/other"]
    [skipped] = result.skipped
    assert (skipped.target, skipped.category) == ("chart/", "helm_chart")
    assert "helm template chart chart | comply scan kubernetes -" in skipped.reason


FAKE_HELM_OUTPUT = """\
---
# Source: web/templates/deployment.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: chart-web
spec:
  template:
    spec:
      containers:
        - name: web
          image: nginx:1.27
"""


def fake_tool(folder: Path, name: str, output: str) -> Path:
    """An executable `name` on a PATH of its own that records its arguments and prints
    `output` (the real tool cannot be installed here)."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "output.txt").write_text(output)
    script = folder / name
    script.write_text(
        f'#!/bin/sh\nprintf "%s\\n" "$@" > "{folder}/args.txt"\ncat "{folder}/output.txt"\n'
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return folder


def test_a_chart_is_rendered_with_helm_and_values(tmp_path, monkeypatch):
    tools = fake_tool(tmp_path / "bin", "helm", FAKE_HELM_OUTPUT)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    repo = write(tmp_path / "repo", {**CHART, "prod-values.yaml": "replicas: 3\n"})
    result = load_kubernetes([repo / "chart"], helm_values=[repo / "prod-values.yaml"])
    assert result.errors == [] and result.skipped == []
    [web] = result.resources
    assert (web.id, web.location.file) == ("Deployment/default/chart-web", "Chart.yaml")
    assert web.attributes["helm_source"] == "web/templates/deployment.yaml"
    args = (tools / "args.txt").read_text().split("\n")
    assert args[:2] == ["template", "chart"]
    assert "--include-crds" in args
    assert args[args.index("-f") + 1] == str(repo / "prod-values.yaml")


def test_a_chart_helm_cannot_render_is_one_error(tmp_path, monkeypatch):
    tools = tmp_path / "bin"
    tools.mkdir()
    script = tools / "helm"
    script.write_text("#!/bin/sh\necho 'Error: values.yaml: required value missing' >&2\nexit 1\n")
    script.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tools}{os.pathsep}{os.environ['PATH']}")
    repo = write(tmp_path / "repo", CHART)
    result = load_kubernetes([repo])
    [error] = result.errors
    assert error.target == "chart/Chart.yaml"
    assert "required value missing" in error.message
    assert result.resources == []


# -- the shared corpus, when present ----------------------------------------------------------
# `../shared/corpus` beside the checkout (design.md); the first ancestor that has it.
CORPUS = next(
    (
        folder / "shared" / "corpus" / "kubernetes"
        for folder in Path(__file__).resolve().parents
        if (folder / "shared" / "corpus" / "kubernetes").is_dir()
    ),
    Path("/nonexistent"),
)


@needs_kubectl
@pytest.mark.skipif(not CORPUS.is_dir(), reason="no shared corpus")
def test_microservices_demo_scans_without_errors(monkeypatch):
    monkeypatch.setattr(loader_module, "find_helm", lambda: None)
    result = load_kubernetes([CORPUS / "microservices-demo"])
    assert result.errors == []
    charts = [s for s in result.skipped if s.category == "helm_chart"]
    assert [s.target for s in charts] == ["helm-chart/"]
    assert len(result.resources) > 50
