"""Kustomize: overlays are rendered with `kubectl kustomize` when it is available."""

from __future__ import annotations

import shutil

import pytest

from scanner.sources.kubernetes import kustomize, load_kubernetes
from scanner.sources.kubernetes import loader as loader_module
from tests.sources.kubernetes.conftest import FIXTURES

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not on PATH")


@needs_kubectl
def test_only_the_overlay_is_rendered_and_its_base_is_judged_through_it(load):
    # The base is built on by the overlay: rendering it again on its own would judge its
    # objects twice (and run kubectl once more per base).
    result = load("kustomize")
    assert result.errors == [] and result.warnings == []
    assert sorted((r.id, r.location.file) for r in result.resources) == [
        ("Deployment/prod/prod-api", "overlays/prod/kustomization.yaml"),
        ("Service/prod/prod-api", "overlays/prod/kustomization.yaml"),
    ]
    prod = next(r for r in result.resources if r.id == "Deployment/prod/prod-api")
    assert prod.attributes["spec"]["replicas"] == 3  # the overlay's patch is applied
    assert prod.attributes["containers"][0]["name"] == "api"
    # Rendered output has no lines in any file the user wrote.
    assert prod.location.start_line is None
    assert result.files_scanned == 1  # one rendered stream
    assert result.skipped == []


@needs_kubectl
def test_a_kustomization_that_fails_to_render_is_an_error_and_raw_files_are_scanned(tmp_path):
    (tmp_path / "kustomization.yaml").write_text(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n"
        "resources:\n  - missing.yaml\n  - cm.yaml\n"
    )
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n")
    result = load_kubernetes([tmp_path])
    [error] = result.errors
    assert error.target == "kustomization.yaml"
    assert "kubectl kustomize` failed" in error.message and "scanned as they are" in error.message
    assert [r.id for r in result.resources] == ["ConfigMap/default/cm"]


def test_without_kubectl_raw_files_are_scanned_and_patches_skipped(monkeypatch):
    monkeypatch.setattr(loader_module, "find_kubectl", lambda: None)
    result = load_kubernetes([FIXTURES / "kustomize"])
    assert result.errors == []
    assert [(w.target, w.message) for w in result.warnings] == [
        (
            "base/kustomization.yaml",
            "kustomization in base/ not rendered: kubectl is not on PATH; scanned its raw "
            "files instead (patches and overlays not applied)",
        ),
        (
            "overlays/prod/kustomization.yaml",
            "kustomization in overlays/prod/ not rendered: kubectl is not on PATH; scanned its "
            "raw files instead (patches and overlays not applied)",
        ),
    ]
    assert sorted(r.location.file for r in result.resources) == [
        "base/deployment.yaml",
        "base/service.yaml",
    ]
    # A patch is not a whole object: judging it would see a Deployment without containers.
    assert [(s.target, s.category) for s in result.skipped] == [
        ("base/kustomization.yaml", "not_kubernetes"),
        ("overlays/prod/kustomization.yaml", "not_kubernetes"),
        ("overlays/prod/patches/replicas.yaml", "kustomize_patch"),
    ]
    assert result.files_skipped == 3


def test_no_kustomize_scans_raw_files_silently():
    result = load_kubernetes([FIXTURES / "kustomize"], kustomize=False)
    assert result.errors == [] and result.warnings == []
    assert len(result.resources) == 2


def test_kustomization_file_names(tmp_path):
    assert kustomize.kustomization_file(tmp_path) is None
    (tmp_path / "Kustomization").write_text("resources: []\n")
    assert kustomize.kustomization_file(tmp_path) == tmp_path / "Kustomization"
