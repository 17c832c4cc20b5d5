"""Control-plane components in manifests, and the command-line flags they are started with.

Self-managed clusters keep the static pod manifests of kube-apiserver, etcd,
kube-controller-manager and kube-scheduler in Git (kubeadm writes them to
/etc/kubernetes/manifests). A container runs a component when its command is the component's
binary (`kube-apiserver`, `/usr/local/bin/etcd`, `hyperkube kube-apiserver`, or a shell
`sh -c "exec kube-apiserver ..."`), or, with no command, when its image is the component's
image; the pod's `component` label is not enough on its own, since any pod can carry it.

Flags are read as the components' flag parsers read them: `--flag=value` and `--flag value`;
for a repeated scalar flag the last one wins, list flags (`--enable-admission-plugins`,
`--tls-cipher-suites`, ...) accumulate. A value the manifest does not state (a `$(VAR)`
expansion, a shell variable, a non-string YAML value) is NON_LITERAL: checks report unknown,
never pass, on it. etcd also reads `ETCD_<FLAG>` environment variables, which count when the
flag is absent.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from policies.pod_views import WORKLOAD_TYPES, containers, mapping, sequence
from scanner.core.model import Resource

APISERVER: Final = "kube-apiserver"
ETCD: Final = "etcd"
CONTROLLER_MANAGER: Final = "kube-controller-manager"
SCHEDULER: Final = "kube-scheduler"
COMPONENTS = (APISERVER, ETCD, CONTROLLER_MANAGER, SCHEDULER)
# hyperkube's old subcommand names.
HYPERKUBE_ALIASES = {"apiserver": APISERVER, "controller-manager": CONTROLLER_MANAGER,
                     "scheduler": SCHEDULER}  # fmt: skip
SHELLS = frozenset({"sh", "bash", "ash", "dash"})
# Flags that take a list: every occurrence adds to it (pflag StringSlice semantics).
LIST_FLAGS = frozenset(
    {
        "enable-admission-plugins", "disable-admission-plugins", "admission-control",
        "authorization-mode", "tls-cipher-suites", "etcd-servers", "listen-client-urls",
        "listen-peer-urls", "advertise-client-urls", "feature-gates",
    }
)  # fmt: skip
# Boolean flags: `--flag` alone means true, and they never take the next argument as value.
BOOL_FLAGS = frozenset(
    {
        "anonymous-auth", "kubelet-https", "client-cert-auth", "auto-tls", "peer-client-cert-auth",
        "peer-auto-tls", "profiling", "use-service-account-credentials", "service-account-lookup",
    }
)  # fmt: skip


class Unclear:
    """A flag value that decides nothing, and why."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __repr__(self) -> str:
        return f"Unclear({self.reason!r})"


NON_LITERAL: Final = Unclear("is set to a value the manifest does not state literally")
FlagValue = str | Unclear


@dataclass
class ComponentFlags:
    """The flags of one component container; `values[name]` lists each occurrence in order."""

    component: str
    container: str
    values: dict[str, list[FlagValue]] = field(default_factory=dict)
    env: Mapping[str, FlagValue] = field(default_factory=dict)
    # Why a flag might be set where we cannot see it (an etcd --config-file, a shell script).
    hidden_by: str | None = None
    # Flags whose stated value a hidden argument may still change: a scalar flag followed by
    # one (the last occurrence wins), a list flag beside one (occurrences add up).
    overridable: frozenset[str] = frozenset()

    def occurrences(self, name: str) -> list[FlagValue]:
        found = self.values.get(name)
        if found:
            return found
        if self.component == ETCD:
            env_value = self.env.get("ETCD_" + name.upper().replace("-", "_"))
            if env_value is not None:
                return [env_value]
        return []


def _basename(token: str) -> str:
    return token.rsplit("/", 1)[-1]


def _image_name(image: Any) -> str:
    """`registry.k8s.io/kube-apiserver:v1.31.0@sha256:...` -> `kube-apiserver`."""
    name = str(image or "").split("@", 1)[0].rsplit("/", 1)[-1]
    return name.split(":", 1)[0]


def _component_of(word: str) -> str | None:
    base = _basename(word)
    return base if base in COMPONENTS else None


def _tokens(values: Any) -> list[FlagValue]:
    return [v if isinstance(v, str) else NON_LITERAL for v in sequence(values)]


def _command_line(container: Mapping[str, Any]) -> tuple[str, list[FlagValue], str | None] | None:
    """(component, its arguments, what may hide flags) when the container runs a component."""
    command = _tokens(container.get("command"))
    args = _tokens(container.get("args"))
    words = [*command, *args]
    if not command:
        component = _component_of(_image_name(container.get("image")))
        return (component, args, None) if component else None
    first = command[0]
    if not isinstance(first, str):
        return None
    component = _component_of(first)
    if component:
        return component, words[1:], None
    if _basename(first) == "hyperkube" and len(words) > 1 and isinstance(words[1], str):
        name = HYPERKUBE_ALIASES.get(words[1], words[1])
        return (name, words[2:], None) if name in COMPONENTS else None
    if _basename(first) in SHELLS:
        return _shell_command_line(words[1:])
    return None


def _shell_command_line(
    words: Sequence[FlagValue],
) -> tuple[str, list[FlagValue], str | None] | None:
    """`sh -c "exec kube-apiserver --a=b ..."`: the words after the component's binary."""
    script_index = next((i for i, w in enumerate(words) if w == "-c"), None)
    if script_index is None or script_index + 1 >= len(words):
        return None
    script = words[script_index + 1]
    if not isinstance(script, str):
        return None
    try:
        parts = shlex.split(script, comments=True)
    except ValueError:
        return None
    for index, part in enumerate(parts):
        component = _component_of(part)
        if component:
            rest: list[FlagValue] = []
            for word in parts[index + 1 :]:
                if word in (";", "&&", "||", "|"):
                    break
                rest.append(word.replace("`", "$"))  # a backquote substitution is not literal
            return component, rest, None
    return None


@dataclass
class ParsedFlags:
    values: dict[str, list[FlagValue]]
    # A word that is not a flag and not literal (`$(EXTRA_ARGS)`, `$EXTRA` in a script) may be
    # any flag at all: absent flags are then not known to be absent.
    opaque: bool
    # Flags such a word may override or extend (see ComponentFlags.overridable).
    overridable: frozenset[str] = frozenset()


def parse_flags(words: Sequence[FlagValue]) -> ParsedFlags:
    """`--a=b`, `--a b`, `-a=b` (etcd's Go flag package accepts one dash) -> {a: [b]}."""
    values: dict[str, list[FlagValue]] = {}
    opaque = False
    overridable: set[str] = set()
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if not isinstance(word, str) or ("$" in word and not word.startswith("-")):
            opaque = True
            overridable.update(values)  # every flag so far may be set again after its value
            continue
        if not word.startswith("-") or word in ("-", "--"):
            continue
        name, has_value, value = word.lstrip("-").partition("=")
        found: FlagValue
        if has_value:
            found = value
        elif name in BOOL_FLAGS:
            found = "true"
            following = words[index] if index < len(words) else None
            if isinstance(following, str) and following.lower() in ("true", "false"):
                # pflag reads `--flag false` as true plus a stray argument the component rejects.
                found = Unclear(
                    f"is followed by a separate {following!r}: write --{name}={following}"
                )
                index += 1
        elif index < len(words) and not (
            isinstance(words[index], str) and str(words[index]).startswith("-")
        ):
            found = words[index]
            index += 1
        else:
            found = Unclear("is given without a value (the component refuses to start)")
        if isinstance(found, str) and "$" in found:
            found = NON_LITERAL  # $(VAR) is expanded by the kubelet, $VAR by a shell
        values.setdefault(name, []).append(found)
        if name not in LIST_FLAGS:
            overridable.discard(name)
    if opaque:
        overridable.update(name for name in values if name in LIST_FLAGS)
    return ParsedFlags(values, opaque, frozenset(overridable))


def _literal_env(container: Mapping[str, Any]) -> dict[str, FlagValue]:
    env: dict[str, FlagValue] = {}
    for variable in sequence(container.get("env")):
        variable = mapping(variable)
        name = variable.get("name")
        if isinstance(name, str):
            value = variable.get("value")
            env[name] = value if isinstance(value, str) and "$(" not in value else NON_LITERAL
    return env


def component_flags(resource: Resource, component: str) -> ComponentFlags | None:
    """The flags of the first container of `resource` that runs `component`, or None."""
    if resource.type not in WORKLOAD_TYPES:
        return None
    for container in containers(resource, ("container",)):
        found = _command_line(container)
        if not found or found[0] != component:
            continue
        name, words, hidden_by = found
        parsed = parse_flags(words)
        if parsed.opaque:
            hidden_by = "an argument the manifest does not state literally ($VAR)"
        flags = ComponentFlags(
            component=name,
            container=str(container.get("name", "?")),
            values=parsed.values,
            env=_literal_env(container),
            hidden_by=hidden_by,
            overridable=parsed.overridable,
        )
        if component == ETCD and flags.values.get("config-file"):
            flags.hidden_by = "the --config-file (etcd ignores its flags when one is given)"
        return flags
    return None


def runs(component: str) -> Any:
    """An `applies_to` predicate: the workload runs `component`."""

    def predicate(resource: Resource) -> bool:
        return component_flags(resource, component) is not None

    predicate.__name__ = f"runs_{component.replace('-', '_')}"
    predicate.__doc__ = f"workloads with a container that runs {component}"
    return predicate


# --- reading values ------------------------------------------------------------------------


class Verdict(Exception):
    """A flag whose value decides nothing: carries the unknown message for the check."""


def _refuse_overridable(flags: ComponentFlags, name: str) -> None:
    if name in flags.overridable:
        raise Verdict(f"--{name} may be set again by {flags.hidden_by or 'a hidden argument'}")


def last_value(flags: ComponentFlags, name: str) -> str | None:
    """The effective value of a scalar flag (the last occurrence), None when absent; raises
    Verdict when it is not literal."""
    found = flags.occurrences(name)
    if not found:
        if flags.hidden_by:
            raise Verdict(
                f"--{name} is not on the command line but may be set by {flags.hidden_by}"
            )
        return None
    _refuse_overridable(flags, name)
    value = found[-1]
    if isinstance(value, Unclear):
        raise Verdict(f"--{name} {value.reason}")
    return value


def bool_value(flags: ComponentFlags, name: str, default: bool) -> bool:
    value = last_value(flags, name)
    if value is None:
        return default
    lowered = value.strip().lower()
    if lowered in ("true", "1", "t"):
        return True
    if lowered in ("false", "0", "f"):
        return False
    raise Verdict(f"--{name}={value} is not a boolean")


def int_value(flags: ComponentFlags, name: str) -> int | None:
    value = last_value(flags, name)
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        raise Verdict(f"--{name}={value} is not a whole number") from None


def list_value(flags: ComponentFlags, name: str) -> list[str] | None:
    """Every item of a list flag across its occurrences, None when absent."""
    found = flags.occurrences(name)
    if not found:
        if flags.hidden_by:
            raise Verdict(
                f"--{name} is not on the command line but may be set by {flags.hidden_by}"
            )
        return None
    _refuse_overridable(flags, name)
    unclear = next((v for v in found if isinstance(v, Unclear)), None)
    if unclear is not None:
        raise Verdict(f"--{name} {unclear.reason}")
    return [item.strip() for v in found for item in str(v).split(",") if item.strip()]
