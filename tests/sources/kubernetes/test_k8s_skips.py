"""Skip annotations on the object and on its pod template, with and without expiry."""

from __future__ import annotations

from datetime import date

from scanner.core.model import Skip
from scanner.sources.kubernetes import load_kubernetes


def test_skips_on_object_and_pod_template(load, by_id):
    result = load("skips")
    cni = by_id(result)["DaemonSet/kube-system/cni"]
    assert cni.skips == [
        Skip("k8s_container_privileged_disabled", "CNI plugin needs it", "annotated.yaml", 7),
        Skip("k8s_container_read_only_root_filesystem", "writes /var/run", "annotated.yaml", 7),
        # The template's own expiry applies to the template's skips.
        Skip(
            "k8s_pod_host_network_disabled",
            "node networking",
            "annotated.yaml",
            12,
            date(2027, 3, 31),
        ),
    ]


def test_bad_expiry_date_drops_the_skips_and_warns(load, by_id):
    result = load("skips")
    assert by_id(result)["Pod/default/debug"].skips == []
    warnings = [(w.target, w.line, w.message) for w in result.warnings]
    assert (
        "annotated.yaml",
        25,
        "Pod/default/debug: annotation comply.dev/skip-expires is '2026-02-30', not a date "
        "YYYY-MM-DD; its skips are not applied",
    ) in warnings


def test_reasonless_and_malformed_entries(load, by_id):
    result = load("skips")
    # A skip without reason is kept (the engine applies it and warns); a malformed entry is not.
    assert by_id(result)["Deployment/default/reasonless"].skips == [
        Skip("k8s_container_privileged_disabled", "", "annotated.yaml", 37)
    ]
    assert any("malformed skip 'not a check id=x'" in w.message for w in result.warnings)


def test_expiry_on_the_object(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\n  annotations:\n"
        '    comply.dev/skip-expires: "2026-12-31"\n'
        '    comply.dev/skip: "k8s_service_not_load_balancer=migration ticket OPS-12"\n'
        "spec:\n  type: LoadBalancer\n"
    )
    [resource] = load_kubernetes([tmp_path]).resources
    assert resource.skips == [
        Skip(
            "k8s_service_not_load_balancer",
            "migration ticket OPS-12",
            "a.yaml",
            7,
            date(2026, 12, 31),
        )
    ]


def test_non_string_skip_value_is_a_warning_not_a_skip(tmp_path):
    (tmp_path / "a.yaml").write_text(
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: lb\n  annotations:\n"
        "    comply.dev/skip: 42\n"
    )
    result = load_kubernetes([tmp_path])
    assert result.resources[0].skips == []
    assert [w.line for w in result.warnings] == [6]
    assert "must be a string" in result.warnings[0].message
