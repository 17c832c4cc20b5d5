"""End to end: `comply scan kubernetes` in a child process, from folders and from stdin."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from tests.conftest import REPO_ROOT
from tests.sources.kubernetes.conftest import FIXTURES

POLICIES = FIXTURES / "policies"
CHECK = "k8s_fixture_image_tag_pinned"


def comply(*args: object, stdin: bytes | None = None) -> tuple[int, Any, str]:
    process = subprocess.run(
        [sys.executable, "-m", "scanner", "scan", "kubernetes", *map(str, args)],
        input=stdin,
        capture_output=True,
        cwd=REPO_ROOT,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(REPO_ROOT / ".pytest_cache" / "home")},
    )
    stdout = process.stdout.decode()
    document = json.loads(stdout) if stdout.startswith("{") else stdout
    return process.returncode, document, process.stderr.decode()


def findings(document: dict[str, Any]) -> dict[str, tuple[str, dict[str, Any]]]:
    return {
        f["resource"]["id"]: (f["status"], f["location"])
        for f in document["findings"]
        if f["check_id"] == CHECK
    }


def test_helm_template_output_on_stdin():
    rendered = (FIXTURES / "helm_output" / "rendered.yaml").read_bytes()
    code, document, stderr = comply(
        "-", "-o", "json", "--policies", POLICIES, "--check", CHECK, stdin=rendered
    )
    assert code == 0, stderr
    assert document["scan"]["source"] == "kubernetes"
    assert document["scan"]["targets"] == ["-"]
    assert findings(document) == {
        "Deployment/payments/release-api": (
            "pass",
            {"file": "<stdin>", "start_line": 20, "end_line": 30},
        )
    }
    assert document["errors"] == []


def test_folder_with_a_failure_a_skip_and_a_broken_file(tmp_path):
    (tmp_path / "ok.yaml").write_bytes((FIXTURES / "workloads" / "all.yaml").read_bytes())
    (tmp_path / "latest.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: latest\n  namespace: web\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: web\n"
        "          image: nginx:latest\n---\n"
        "apiVersion: v1\nkind: Pod\nmetadata:\n  name: accepted\n  annotations:\n"
        '    comply.dev/skip: "k8s_fixture_image_tag_pinned=vendor image, OPS-7"\n'
        "spec:\n  containers:\n    - name: vendor\n      image: vendor\n"
    )
    (tmp_path / "broken.yaml").write_text("apiVersion: v1\nkind: [\n")
    code, document, stderr = comply(
        tmp_path, "-o", "json", "--policies", POLICIES, "--check", CHECK
    )
    assert code == 2, stderr  # a file could not be parsed: the scan is incomplete
    statuses = {rid: status for rid, (status, _) in findings(document).items()}
    assert statuses == {
        "Pod/default/pod": "pass",
        "Deployment/default/deployment": "pass",
        "Deployment/default/custom-resource-reusing-the-kind": "pass",
        "Deployment/web/latest": "fail",
        "Pod/default/accepted": "skipped",
    }
    assert findings(document)["Deployment/web/latest"][1] == {
        "file": "latest.yaml",
        "start_line": 1,
        "end_line": 11,
    }
    [error] = document["errors"]
    assert error["target"] == "broken.yaml" and error["line"] == 2  # the unclosed `[`


def test_files_and_stdin_together_and_soft_fail(tmp_path):
    pod = (
        b"apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n"
        b"spec:\n  containers:\n    - name: c\n      image: c\n"
    )
    code, document, stderr = comply(
        FIXTURES / "multidoc",
        "-",
        "-o",
        "json",
        "--policies",
        POLICIES,
        "--check",
        CHECK,
        "--soft-fail",
        stdin=pod,
    )
    assert code == 0, stderr
    assert findings(document)["Pod/default/p"][0] == "fail"
    assert document["scan"]["targets"] == [str(FIXTURES / "multidoc"), "-"]


def test_stdin_that_is_not_utf8_is_an_error_with_its_line():
    code, document, _ = comply(
        "-", "-o", "json", stdin=b"apiVersion: v1\nkind: ConfigMap\n# caf\xe9\n"
    )
    assert code == 2
    assert document["errors"] == [
        {"target": "<stdin>", "message": "not valid UTF-8 (byte 36)", "line": 3}
    ]


def test_oversized_stdin_is_an_error():
    code, document, _ = comply("-", "-o", "json", "--max-file-size", "0.001", stdin=b"#" * 5000)
    assert code == 2
    assert "larger than the limit" in document["errors"][0]["message"]


def test_missing_path_is_a_usage_error():
    code, _, stderr = comply(FIXTURES / "does-not-exist")
    assert code == 2
    assert "does not exist" in stderr


def test_a_repository_with_non_kubernetes_files_and_a_chart_exits_zero(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("site_name: x\nfn: !!python/name:json.dumps\n")
    (tmp_path / "data.json").write_text('{"a": 1}\n{"a": 2}\n')
    chart = tmp_path / "chart"
    (chart / "templates").mkdir(parents=True)
    (chart / "Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 1.0.0\n")
    (chart / "templates" / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"
    )
    (tmp_path / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n")
    code, document, _ = comply(tmp_path, "-o", "json")
    assert code == 0 and document["errors"] == []
    assert document["scan"]["files_skipped"] == 3
    assert sorted((s["target"], s["category"]) for s in document["skipped_inputs"]) == [
        ("chart/", "helm_chart"),
        ("data.json", "not_kubernetes"),
        ("mkdocs.yml", "not_kubernetes"),
    ]
    code, text, _ = comply(tmp_path)
    assert "1 resource in 3 files, 3 skipped" in text
    assert "chart/  a Helm chart, not rendered: helm is not on PATH" in text
