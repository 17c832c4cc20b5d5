"""RBAC: Roles and ClusterRoles that grant too much, bindings that hand out cluster-admin.

Rules are judged as written. A ClusterRole with an `aggregationRule` gets its rules from the
roles it aggregates: when its selectors name only custom labels, its own (usually empty) rules
pass here and the aggregated roles are judged on their own; when a selector is empty, uses a
negative match, or names a label of the built-in roles (`rbac.authorization.k8s.io/`,
`kubernetes.io/`: the built-in edit role carries aggregate-to-admin), it aggregates roles no
manifest shows, so it is unknown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from policies.pod_views import mapping, quoted, sequence
from scanner.core.model import Resource, Result, UnknownValueError
from scanner.core.registry import check

ROLE_TYPES = ["kubernetes_role", "kubernetes_cluster_role"]
BINDING_TYPES = ["kubernetes_cluster_role_binding", "kubernetes_role_binding"]
READ_VERBS = frozenset({"get", "list", "watch", "*"})
# Bootstrap groups that must never hold cluster-admin, although their names start with system:.
BROAD_SYSTEM_GROUPS = ("system:authenticated", "system:unauthenticated", "system:anonymous")


# Label prefixes the built-in ClusterRoles carry (admin/edit/view aggregation, bootstrapping).
BUILT_IN_LABEL_PREFIXES = ("rbac.authorization.k8s.io/", "kubernetes.io/", "k8s.io/")


def _selects_unseen_roles(selector: Any) -> bool:
    """A clusterRoleSelector that may pick built-in roles (or every role)."""
    selector = mapping(selector, "a clusterRoleSelector")
    labels = mapping(selector.get("matchLabels"), "matchLabels")
    expressions = [
        mapping(e, "a matchExpression") for e in sequence(selector.get("matchExpressions"))
    ]
    if not labels and not expressions:
        return True  # the empty selector matches every ClusterRole, cluster-admin included
    if any(str(e.get("operator")) in ("NotIn", "DoesNotExist") for e in expressions):
        return True
    keys = [str(k) for k in labels] + [str(e.get("key")) for e in expressions]
    return any(key.startswith(BUILT_IN_LABEL_PREFIXES) for key in keys)


def own_rules(role: Resource) -> list[Any]:
    """The role's rules as written; UnknownValueError when an aggregationRule may add rules of
    roles no manifest shows."""
    aggregation = mapping(role.get("aggregationRule"), "aggregationRule")
    selectors = sequence(aggregation.get("clusterRoleSelectors"), "clusterRoleSelectors")
    if any(_selects_unseen_roles(selector) for selector in selectors):
        raise UnknownValueError(
            "its aggregationRule selects ClusterRoles by a built-in label, a negative match or "
            "an empty selector: its rules include roles that are not in the manifests"
        )
    return sequence(role.get("rules"), "rules")


def _rules(role: Resource) -> list[Mapping[str, Any]]:
    return [mapping(rule, "a rule") for rule in own_rules(role)]


def _strings(rule: Mapping[str, Any], field: str) -> list[str]:
    return [str(v) for v in sequence(rule.get(field), f"a rule's {field}")]


def _role_kind(role: Resource) -> str:
    return "ClusterRole" if role.type == "kubernetes_cluster_role" else "Role"


@check(
    id="k8s_rbac_role_no_wildcards",
    title="Roles and ClusterRoles grant no wildcard verbs, resources or API groups",
    severity="high",
    resource_types=ROLE_TYPES,
    references={"checkov": ["CKV_K8S_49"]},
)
def k8s_rbac_role_no_wildcards(role: Resource) -> Result:
    """A `*` grants every verb, resource or API group, including the ones added later (new
    CRDs, subresources such as pods/exec): least privilege cannot be reviewed or proven. A
    non-resource URL ending in `*` (`/*`, `/api/*`) is a prefix wildcard over every path below
    it and fails too.

    Remediation: list the verbs, resources and API groups the subject needs:

        rules:
          - apiGroups: ["apps"]
            resources: ["deployments"]
            verbs: ["get", "list", "watch"]
    """
    problems = []
    for number, rule in enumerate(_rules(role), start=1):
        wild = [field for field in ("verbs", "apiGroups") if "*" in _strings(rule, field)]
        if any("*" in resource for resource in _strings(rule, "resources")):
            wild.append("resources")
        # A trailing `*` is a prefix match for non-resource URLs: `/*` and `/api/*` grant a tree.
        if any(url.endswith("*") for url in _strings(rule, "nonResourceURLs")):
            wild.append("nonResourceURLs")
        if wild:
            problems.append(f"rule {number} has a wildcard in {', '.join(wild)}")
    if problems:
        return Result.failed(f"{_role_kind(role)} {'; '.join(problems)}")
    return Result.passed(f"{_role_kind(role)} grants no wildcard")


def _broad_subject(subject: Mapping[str, Any]) -> bool:
    """True unless the subject is a built-in system: user or group other than the broad ones.

    `system:serviceaccount:<ns>:<name>` (a User) is a workload's service account, and
    `system:serviceaccounts[:<ns>]` (a Group) every service account: neither is built in.
    """
    kind, name = subject.get("kind"), str(subject.get("name", ""))
    if kind in ("User", "Group") and name.startswith("system:"):
        return name in BROAD_SYSTEM_GROUPS or name.startswith("system:serviceaccount")
    return True


def _subject_label(subject: Mapping[str, Any]) -> str:
    namespace = subject.get("namespace")
    name = f"{namespace}/{subject.get('name')}" if namespace else subject.get("name")
    return f"{subject.get('kind', '?')} {name}"


@check(
    id="k8s_rbac_cluster_admin_not_bound",
    title="cluster-admin is bound to no user, group or service account outside the system",
    severity="critical",
    resource_types=BINDING_TYPES,
)
def k8s_rbac_cluster_admin_not_bound(binding: Resource) -> Result:
    """cluster-admin is superuser on the cluster (in a RoleBinding, on the namespace): every
    Secret, every workload, RBAC itself. Day-to-day identities and workloads should hold
    narrower roles; break-glass access goes through a separate, audited path. Subjects that are
    built-in `system:` users or groups (e.g. system:masters) pass; system:authenticated,
    system:unauthenticated, system:anonymous and system:serviceaccounts* fail, since they stand
    for everyone, and so does a service account named as a User
    (`system:serviceaccount:<namespace>:<name>`), like any ServiceAccount subject.

    Remediation: bind a role scoped to what the subject does, in its namespace:

        kind: RoleBinding
        metadata: {name: deployers, namespace: payments}
        roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: edit}
        subjects:
          - {kind: Group, name: payments-deployers, apiGroup: rbac.authorization.k8s.io}
    """
    role_ref = mapping(binding.get("roleRef"))
    role = f"{role_ref.get('kind', '?')} {role_ref.get('name', '?')}"
    if role_ref.get("kind") != "ClusterRole" or role_ref.get("name") != "cluster-admin":
        return Result.passed(f"binds {role}, not the ClusterRole cluster-admin")
    subjects = [mapping(s) for s in sequence(binding.get("subjects"))]
    broad = [_subject_label(s) for s in subjects if _broad_subject(s)]
    if broad:
        return Result.failed(f"binds cluster-admin to {', '.join(broad)}")
    return Result.passed(
        f"binds cluster-admin only to system subjects ({', '.join(map(_subject_label, subjects))})"
    )


def _grants(rule: Mapping[str, Any], groups: set[str], resources: set[str]) -> bool:
    api_groups = set(_strings(rule, "apiGroups")) or {""}
    rule_resources = set(_strings(rule, "resources"))
    return bool(api_groups & (groups | {"*"})) and bool(rule_resources & (resources | {"*"}))


@check(
    id="k8s_rbac_role_no_secret_read",
    title="Roles and ClusterRoles do not grant reading every Secret",
    severity="medium",
    resource_types=ROLE_TYPES,
)
def k8s_rbac_role_no_secret_read(role: Resource) -> Result:
    """get, list or watch on secrets reads every credential in scope (a ClusterRole bound
    cluster-wide: all namespaces), including service account tokens, which lead to further
    privileges. `list` and `watch` return the values, not just names. A rule limited by
    `resourceNames` to named Secrets passes.

    Remediation: mount the Secrets the workload needs instead of reading them through the API,
    or restrict the rule to named Secrets:

        rules:
          - apiGroups: [""]
            resources: ["secrets"]
            resourceNames: ["payments-db"]
            verbs: ["get"]
    """
    problems, named = [], []
    for number, rule in enumerate(_rules(role), start=1):
        verbs = [v for v in _strings(rule, "verbs") if v in READ_VERBS]
        if not verbs or not _grants(rule, {""}, {"secrets"}):
            continue
        names = _strings(rule, "resourceNames")
        if names:
            named.extend(names)
        else:
            problems.append(f"rule {number} grants {quoted(verbs)} on all secrets")
    kind = _role_kind(role)
    if problems:
        return Result.failed(f"{kind} {'; '.join(problems)}")
    if named:
        return Result.passed(f"{kind} reads only named secrets: {quoted(sorted(set(named)))}")
    return Result.passed(f"{kind} grants no read access to secrets")


ESCALATION_GRANTS: tuple[tuple[str, set[str], set[str]], ...] = (
    ("escalate", {"rbac.authorization.k8s.io"}, {"roles", "clusterroles"}),
    ("bind", {"rbac.authorization.k8s.io"}, {"roles", "clusterroles"}),
    (
        "impersonate",
        {"", "authentication.k8s.io"},
        {"users", "groups", "serviceaccounts", "uids", "userextras/scopes", "userextras"},
    ),
)


@check(
    id="k8s_rbac_role_no_escalation_verbs",
    title="Roles and ClusterRoles grant no escalate, bind or impersonate",
    severity="high",
    resource_types=ROLE_TYPES,
)
def k8s_rbac_role_no_escalation_verbs(role: Resource) -> Result:
    """`escalate` lets a subject write roles with permissions it does not hold, `bind` lets it
    bind roles it does not hold, `impersonate` lets it act as another user, group or service
    account: each is a path to cluster-admin. Judged on the resources these verbs act on
    (roles/clusterroles, users/groups/serviceaccounts), including through `*` verbs or
    resources.

    Remediation: remove the verb; grant the needed role directly to the subject instead:

        rules:
          - apiGroups: ["rbac.authorization.k8s.io"]
            resources: ["rolebindings"]
            verbs: ["get", "list"]
    """
    problems = []
    for number, rule in enumerate(_rules(role), start=1):
        verbs = set(_strings(rule, "verbs"))
        granted = [
            verb
            for verb, groups, resources in ESCALATION_GRANTS
            if verbs & {verb, "*"} and _grants(rule, groups, resources)
        ]
        if granted:
            problems.append(f"rule {number} grants {quoted(granted)}")
    kind = _role_kind(role)
    if problems:
        return Result.failed(f"{kind} {'; '.join(problems)}")
    return Result.passed(f"{kind} grants no escalate, bind or impersonate")
