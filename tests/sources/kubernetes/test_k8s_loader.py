"""Files -> documents -> objects: multi-document YAML, JSON, lists, what is skipped, lines."""

from __future__ import annotations

import shutil

from scanner.sources.kubernetes import load_kubernetes, scan_root
from tests.sources.kubernetes.conftest import FIXTURES


def spans(result):
    return {
        r.id: (r.location.file, r.location.start_line, r.location.end_line)
        for r in result.resources
    }


def test_multi_document_yaml_with_line_numbers(load):
    result = load("multidoc")
    assert result.errors == [] and result.warnings == []
    # First and last line of each object: leading `---`/comments and trailing comments excluded.
    assert spans(result) == {
        "Namespace/payments": ("app.yaml", 3, 6),
        "Deployment/payments/api": ("app.yaml", 8, 19),
        "Service/payments/api": ("app.yaml", 22, 29),
    }
    assert result.files_scanned == 1 and result.files_skipped == 0
    assert all(r.source == "kubernetes" for r in result.resources)


def test_json_object_and_json_list(load, by_id):
    result = load("json")
    assert result.errors == []
    assert spans(result) == {
        "Deployment/jobs/worker": ("deployment.json", 1, 10),
        "ConfigMap/jobs/settings": ("list.json", 5, 10),
        "Secret/jobs/token": ("list.json", 11, 16),
    }
    worker = by_id(result)["Deployment/jobs/worker"]
    # Parsed as JSON, not YAML 1.1 (which would read 1e3 as the string "1e3").
    assert worker.get("containers.0.resources.limits.cpu") == 1000.0


def test_list_and_typed_list_are_expanded(load, by_id):
    result = load("lists")
    assert result.errors == []
    assert spans(result) == {
        "ServiceAccount/tools/reader": ("list.yaml", 5, 9),
        "ClusterRole/reader": ("list.yaml", 10, 17),
        "Deployment/shop/web": ("typed.yaml", 7, 15),
        "Deployment/shop/cart": ("typed.yaml", 16, 24),
    }
    web = by_id(result)["Deployment/shop/web"]
    # Items of a typed list get the kind and apiVersion the list implies.
    assert web.type == "kubernetes_deployment"
    assert web.attributes["apiVersion"] == "apps/v1" and web.attributes["kind"] == "Deployment"
    assert [c["name"] for c in web.attributes["containers"]] == ["web"]
    assert not any(r.type == "kubernetes_list" for r in result.resources)


def test_non_kubernetes_yaml_and_json_are_skipped_and_counted(load):
    result = load("mixed")
    assert [r.id for r in result.resources] == ["Deployment/default/portal"]
    assert result.errors == [] and result.warnings == []
    # values.yaml, ci.yml, docker-compose.yml, package.json, a kubeconfig; .github/ is not walked.
    assert result.files_scanned == 6
    assert result.files_skipped == 5


def test_malformed_document_mid_file(load):
    result = load("malformed")
    assert [(e.target, e.line) for e in result.errors] == [("stream.yaml", 10)]
    assert "invalid YAML" in result.errors[0].message
    # The documents before and after the broken one, and the other file, still load, with their
    # own line numbers.
    assert spans(result) == {
        "ConfigMap/default/neighbour": ("good.yaml", 1, 4),
        "ConfigMap/default/before": ("stream.yaml", 1, 4),
        "ConfigMap/default/after": ("stream.yaml", 14, 17),
    }
    assert result.files_skipped == 0


def test_unclosed_flow_mapping_names_both_lines(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n"
    )
    result = load_kubernetes([tmp_path])
    assert [r.id for r in result.resources] == ["ConfigMap/default/b"]
    [error] = result.errors
    assert error.target == "a.yaml" and error.line == 3
    assert "flow mapping (line 3)" in error.message


def test_unknown_tags_never_run_code_and_read_as_plain_data(tmp_path):
    # The Kubernetes API (go-yaml) ignores tags it does not know: so does comply, and a
    # `!!python/...` tag is never constructed into anything but plain data.
    (tmp_path / "evil.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
        "data: !!python/object/apply:os.system ['echo pwned']\n"
    )
    result = load_kubernetes([tmp_path])
    assert result.errors == []
    [resource] = result.resources
    assert resource.attributes["data"] == ["echo pwned"]


def test_binary_non_utf8_and_oversized_files(tmp_path):
    shutil.copy(FIXTURES / "multidoc" / "app.yaml", tmp_path / "good.yaml")
    (tmp_path / "blob.yaml").write_bytes(b"\x7fELF\x00\x00\x01")
    (tmp_path / "latin1.yaml").write_bytes(
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: caf\xe9\n"
    )
    (tmp_path / "big.json").write_text(
        '{"apiVersion": "v1", "kind": "List", "items": []}' + " " * 4096
    )
    result = load_kubernetes([tmp_path], max_file_size=2048)
    errors = {e.target: e for e in result.errors}
    # A binary file without apiVersion and kind is no manifest: skipped, not an error.
    assert set(errors) == {"latin1.yaml", "big.json"}
    assert [(s.target, s.category) for s in result.skipped] == [("blob.yaml", "not_kubernetes")]
    assert "NUL" in result.skipped[0].reason
    assert "not valid UTF-8" in errors["latin1.yaml"].message and errors["latin1.yaml"].line == 4
    assert "larger than the limit" in errors["big.json"].message
    assert len(result.resources) == 3  # good.yaml still loads
    assert result.files_scanned == 4 and result.files_skipped == 1


def test_hidden_folders_and_directory_symlinks_are_not_walked(tmp_path):
    app = tmp_path / "app"
    app.mkdir()
    shutil.copy(FIXTURES / "mixed" / "deployment.yaml", app / "deployment.yaml")
    (app / "loop").symlink_to(tmp_path, target_is_directory=True)  # would recurse forever
    (tmp_path / ".git").mkdir()
    shutil.copy(FIXTURES / "mixed" / "deployment.yaml", tmp_path / ".git" / "deployment.yaml")
    result = load_kubernetes([tmp_path])
    assert [(r.id, r.location.file) for r in result.resources] == [
        ("Deployment/default/portal", "app/deployment.yaml")
    ]


def test_explicit_files_and_several_paths(tmp_path):
    result = load_kubernetes([FIXTURES / "multidoc" / "app.yaml", FIXTURES / "json"])
    files = {r.location.file for r in result.resources}
    # Relative to the deepest folder the paths share.
    assert files == {"multidoc/app.yaml", "json/deployment.json", "json/list.json"}
    assert scan_root([FIXTURES / "json"]) == FIXTURES / "json"
    assert scan_root([FIXTURES / "json" / "list.json"]) == FIXTURES / "json"


def test_missing_path_is_an_error_not_a_crash(tmp_path):
    result = load_kubernetes([tmp_path / "nope"])
    assert [e.message for e in result.errors] == ["no such file or directory"]
