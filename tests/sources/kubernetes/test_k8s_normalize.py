"""Objects -> canonical resources: types, ids, namespaces and the pod-spec views."""

from __future__ import annotations

import pytest

from scanner.sources.kubernetes.normalize import resource_type


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("Deployment", "kubernetes_deployment"),
        ("CronJob", "kubernetes_cron_job"),
        ("ClusterRoleBinding", "kubernetes_cluster_role_binding"),
        ("NetworkPolicy", "kubernetes_network_policy"),
        ("PodSecurityPolicy", "kubernetes_pod_security_policy"),
        ("HorizontalPodAutoscaler", "kubernetes_horizontal_pod_autoscaler"),
        ("CSIDriver", "kubernetes_csi_driver"),
        ("APIService", "kubernetes_api_service"),
        ("ConfigMap", "kubernetes_config_map"),
    ],
)
def test_resource_type_is_snake_case_kind(kind, expected):
    assert resource_type(kind) == expected


def test_ids_namespaced_cluster_scoped_and_without_namespace(load, by_id):
    result = load("ids")
    resources = by_id(result)
    assert {rid: r.attributes["namespace"] for rid, r in resources.items()} == {
        "ConfigMap/billing/with-namespace": "billing",
        "ConfigMap/default/without-namespace": "default",
        # Cluster-scoped: no namespace, even when the manifest sets one.
        "ClusterRoleBinding/admins": None,
        "NetworkPolicy/billing/default-deny": "billing",
        "PodSecurityPolicy/restricted": None,
        "StorageClass/gp3-encrypted": None,
        "CustomResourceDefinition/clusterissuers.cert-manager.example.com": None,
        # A custom resource whose CRD (in the same scan) says scope: Cluster.
        "GlobalIssuer/letsencrypt": None,
        # A custom resource of unknown scope without a namespace: default, as kubectl applies it.
        "ServiceMonitor/default/api": "default",
        "Job/billing/migrate-": "billing",  # generateName when there is no name
    }
    assert resources["ClusterRoleBinding/admins"].type == "kubernetes_cluster_role_binding"
    assert resources["NetworkPolicy/billing/default-deny"].type == "kubernetes_network_policy"
    # An object without a name cannot be identified: an error with its line, nothing loaded.
    assert [(e.target, e.line, e.message) for e in result.errors] == [
        ("objects.yaml", 78, "ConfigMap object has no metadata.name; not loaded")
    ]


def test_attributes_are_the_object_as_written_and_raw_is_kept(load, by_id):
    resource = by_id(load("ids"))["NetworkPolicy/billing/default-deny"]
    assert resource.attributes["spec"] == {"podSelector": {}}
    assert resource.attributes["metadata"] == {"name": "default-deny", "namespace": "billing"}
    assert resource.raw == {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "default-deny", "namespace": "billing"},
        "spec": {"podSelector": {}},
    }
    assert "pod_spec" not in resource.attributes  # not a workload


WORKLOADS = [
    "Pod/default/pod",
    "Deployment/default/deployment",
    "ReplicaSet/default/replicaset",
    "StatefulSet/default/statefulset",
    "DaemonSet/default/daemonset",
    "Job/default/job",
    "CronJob/default/cronjob",
    "ReplicationController/default/replicationcontroller",
    "PodTemplate/default/podtemplate",
]


@pytest.mark.parametrize("resource_id", WORKLOADS)
def test_pod_spec_view_for_every_workload_kind(load, by_id, resource_id):
    resource = by_id(load("workloads"))[resource_id]
    kind = resource_id.split("/")[0]
    pod_spec = resource.attributes["pod_spec"]
    assert isinstance(pod_spec, dict)
    main = {"container_type": "container", "name": "main", "image": "app:1"}
    assert main in resource.attributes["containers"]
    assert resource.attributes["containers"][0] is not pod_spec["containers"][0]  # a view copy
    if kind == "Pod":
        assert pod_spec is resource.attributes["spec"]
        assert resource.attributes["pod_metadata"]["name"] == "pod"
    else:
        assert resource.attributes["pod_metadata"] == {"annotations": {"kind": kind.lower()}}
    if kind == "CronJob":
        assert pod_spec is resource.raw["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    if kind == "PodTemplate":
        assert pod_spec is resource.raw["template"]["spec"]


def test_containers_include_init_and_ephemeral(load, by_id):
    resources = by_id(load("workloads"))
    pod = resources["Pod/default/pod"]
    assert [(c["container_type"], c["name"]) for c in pod.attributes["containers"]] == [
        ("container", "main"),
        ("initContainer", "init"),
        ("ephemeralContainer", "debug"),
    ]
    statefulset = resources["StatefulSet/default/statefulset"]
    assert [c["container_type"] for c in statefulset.attributes["containers"]] == [
        "container",
        "initContainer",
    ]
    assert resources["DaemonSet/default/daemonset"].get("pod_spec.hostNetwork") is True


def test_non_workloads_have_no_pod_views(load, by_id):
    resources = by_id(load("workloads"))
    assert len(resources) == 11
    service = resources["Service/default/not-a-workload"].attributes
    assert not {"pod_spec", "pod_metadata", "containers"} & set(service)
    assert service["namespace"] == "default"
    # A custom resource reusing a workload kind name has the type, so it has the views too:
    # a check on kubernetes_deployment never meets one without them.
    custom = resources["Deployment/default/custom-resource-reusing-the-kind"].attributes
    assert [c["name"] for c in custom["containers"]] == ["main"]
    assert custom["pod_metadata"] == {}


def test_workload_without_a_pod_template_has_empty_views(tmp_path):
    from scanner.sources.kubernetes import load_kubernetes

    (tmp_path / "a.yaml").write_text("apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: x\n")
    [resource] = load_kubernetes([tmp_path]).resources
    assert resource.attributes["pod_spec"] is None
    assert resource.attributes["pod_metadata"] == {}
    assert resource.attributes["containers"] == []
