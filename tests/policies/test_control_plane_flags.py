"""Reading control-plane flags from container commands, as the components' flag parsers do."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policies.kubernetes.control_plane_flags import (
    APISERVER,
    ETCD,
    Unclear,
    Verdict,
    bool_value,
    component_flags,
    last_value,
    list_value,
    parse_flags,
)
from scanner.core.model import Location, Resource


def _pod(container: dict[str, Any]) -> Resource:
    container = {"container_type": "container", "name": "c", **container}
    return Resource(
        type="kubernetes_pod",
        id="Pod/kube-system/p",
        source="kubernetes",
        location=Location(file="p.yaml"),
        attributes={"containers": [container]},
    )


@pytest.mark.parametrize(
    "container",
    [
        {"command": ["kube-apiserver", "--anonymous-auth=false"]},
        {"command": ["/usr/local/bin/kube-apiserver"], "args": ["--anonymous-auth=false"]},
        {"image": "registry.k8s.io/kube-apiserver:v1.31.1", "args": ["--anonymous-auth=false"]},
        {"command": ["/hyperkube", "apiserver", "--anonymous-auth=false"]},
        {"command": ["sh", "-c", "exec /usr/bin/kube-apiserver --anonymous-auth=false"]},
    ],
)
def test_every_way_of_starting_the_apiserver_is_recognised(container: dict[str, Any]) -> None:
    flags = component_flags(_pod(container), APISERVER)
    assert flags is not None
    assert bool_value(flags, "anonymous-auth", True) is False


@pytest.mark.parametrize(
    "container",
    [
        {"image": "nginx:1.27", "command": ["nginx"], "args": ["--anonymous-auth=false"]},
        {"image": "busybox", "command": ["sh", "-c", "echo kube-apiserver-is-down"]},
        {"image": "registry.k8s.io/kube-apiserver:v1.31.1", "command": ["/bin/debug-shell"]},
    ],
)
def test_other_containers_are_not_the_apiserver(container: dict[str, Any]) -> None:
    assert component_flags(_pod(container), APISERVER) is None


def test_separate_values_and_single_dash_flags() -> None:
    parsed = parse_flags(["--audit-log-path", "/var/log/a.log", "-cert-file=/x", "--profiling"])
    assert parsed.values == {
        "audit-log-path": ["/var/log/a.log"],
        "cert-file": ["/x"],
        "profiling": ["true"],
    }
    assert not parsed.opaque


def test_non_literal_values_and_arguments_decide_nothing() -> None:
    flags = component_flags(
        _pod({"command": ["kube-apiserver", "--tls-cert-file=$(CERT)", "$(EXTRA_ARGS)", 30]}),
        APISERVER,
    )
    assert flags is not None
    with pytest.raises(Verdict):
        last_value(flags, "tls-cert-file")
    with pytest.raises(Verdict, match="may be set by"):
        last_value(flags, "encryption-provider-config")


def test_etcd_reads_env_when_the_flag_is_absent_and_config_file_hides_everything() -> None:
    env = [{"name": "ETCD_CLIENT_CERT_AUTH", "value": "true"}]
    flags = component_flags(_pod({"command": ["etcd"], "env": env}), ETCD)
    assert flags is not None and bool_value(flags, "client-cert-auth", False)
    hidden = component_flags(_pod({"command": ["etcd", "--config-file=/etc/etcd.yml"]}), ETCD)
    assert hidden is not None
    with pytest.raises(Verdict):
        last_value(hidden, "cert-file")


FLAG_NAMES = st.sampled_from(["audit-log-maxage", "tls-cert-file", "etcd-cafile"])
VALUES = st.text(alphabet="abcdef0123456789/._", min_size=1, max_size=12)


@given(st.lists(st.tuples(FLAG_NAMES, VALUES, st.booleans()), min_size=1, max_size=12))
def test_the_last_occurrence_of_a_scalar_flag_wins_in_either_form(
    occurrences: list[tuple[str, str, bool]],
) -> None:
    words: list[str | Unclear] = []
    for name, value, separate in occurrences:
        words.extend([f"--{name}", value] if separate else [f"--{name}={value}"])
    parsed = parse_flags(words)
    for name in {name for name, _, _ in occurrences}:
        last = [value for n, value, _ in occurrences if n == name][-1]
        assert parsed.values[name][-1] == last


@given(st.lists(st.lists(st.sampled_from(["A", "B", "NodeRestriction"]), min_size=1), min_size=1))
def test_list_flags_accumulate_across_occurrences(groups: list[list[str]]) -> None:
    words: list[str | Unclear] = [
        "kube-apiserver",
        *(f"--enable-admission-plugins={','.join(g)}" for g in groups),
    ]
    flags = component_flags(_pod({"command": words}), APISERVER)
    assert flags is not None
    assert list_value(flags, "enable-admission-plugins") == [item for g in groups for item in g]


def test_a_flag_without_its_value_decides_nothing() -> None:
    flags = component_flags(_pod({"command": ["kube-apiserver", "--tls-cert-file"]}), APISERVER)
    assert flags is not None
    with pytest.raises(Verdict, match="without a value"):
        last_value(flags, "tls-cert-file")


WORDS = st.one_of(
    st.text(max_size=20),
    st.sampled_from(["--", "-", "--a", "--anonymous-auth", "false", "$(X)", "--x=$Y", "-c"]),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=3), max_size=2),
)


@given(
    st.lists(WORDS, max_size=8),
    st.lists(WORDS, max_size=8),
    st.sampled_from(["kube-apiserver", "etcd", "sh", "/hyperkube", "nginx"]),
)
def test_reading_flags_never_crashes_on_odd_commands(
    command: list[Any], args: list[Any], binary: str
) -> None:
    resource = _pod({"command": [binary, *command], "args": args})
    for component in (APISERVER, ETCD):
        flags = component_flags(resource, component)
        if flags is None:
            continue
        for name in ("anonymous-auth", "tls-cert-file", "enable-admission-plugins"):
            with contextlib.suppress(Verdict):
                bool_value(flags, name, True)
            with contextlib.suppress(Verdict):
                list_value(flags, name)
