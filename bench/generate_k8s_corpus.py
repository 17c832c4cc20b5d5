"""Generate a corpus of realistic Kubernetes manifests for bench/bench_kubernetes.py.

    .venv/bin/python bench/generate_k8s_corpus.py       # bench/corpus-k8s/, ~10,000 objects
    .venv/bin/python bench/generate_k8s_corpus.py --objects 50000 --out /tmp/k8s

One folder per application (`apps/<team>-<service>/`), as in a GitOps repository: a namespace,
the workload with its Service, ConfigMap, HorizontalPodAutoscaler and PodDisruptionBudget, some
StatefulSets, CronJobs, Secrets, RBAC (a few cluster-wide), NetworkPolicies and an Ingress, in
multi-document files. One app in five is `helm template` output (one file, `# Source:` comments);
some apps carry a Helm `values.yaml` and a CI config (skipped, counted). About a quarter of the
security-relevant settings are non-compliant (privileged, root, no limits, hostNetwork, ...).
Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import random
import shutil
from pathlib import Path

BENCH = Path(__file__).resolve().parent
DEFAULT_OUT = BENCH / "corpus-k8s"

TEAMS = ["claims", "billing", "ehr", "portal", "identity", "labs", "imaging", "pharmacy", "audit"]
SERVICES = ["api", "worker", "gateway", "sync", "ingest", "export", "notify", "search", "reports"]
IMAGES = ["registry.example.com/{team}/{svc}:{tag}", "ghcr.io/example/{team}-{svc}:{tag}"]


def _security_context(rng: random.Random) -> str:
    if rng.random() < 0.75:
        return """          securityContext:
            runAsNonRoot: true
            runAsUser: 10001
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities:
              drop: ["ALL"]
"""
    bad = rng.choice(["privileged: true", "runAsUser: 0", "allowPrivilegeEscalation: true"])
    return f"""          securityContext:
            {bad}
"""


def _resources(rng: random.Random) -> str:
    if rng.random() < 0.8:
        cpu, mem = rng.choice(["100m", "250m", "500m", "1"]), rng.choice(["128Mi", "512Mi", "1Gi"])
        return f"""          resources:
            requests:
              cpu: {cpu}
              memory: {mem}
            limits:
              cpu: {cpu}
              memory: {mem}
"""
    return ""


def _container(rng: random.Random, team: str, svc: str, name: str, indent: str = "") -> str:
    tag = rng.choice(["1.4.2", "2.0.0", "latest", "3.1.7", "sha-9f8e7d6"])
    image = rng.choice(IMAGES).format(team=team, svc=svc, tag=tag)
    pull = "Always" if tag == "latest" else "IfNotPresent"
    text = f"""        - name: {name}
          image: {image}
          imagePullPolicy: {pull}
          ports:
            - name: http
              containerPort: 8080
              protocol: TCP
          env:
            - name: LOG_LEVEL
              value: info
            - name: DATABASE_URL
              valueFrom:
                secretKeyRef:
                  name: {team}-{svc}-db
                  key: url
            - name: OTEL_EXPORTER_OTLP_ENDPOINT
              value: http://otel-collector.observability:4317
{_resources(rng)}{_security_context(rng)}          livenessProbe:
            httpGet:
              path: /healthz
              port: http
            initialDelaySeconds: 10
            periodSeconds: 10
          readinessProbe:
            httpGet:
              path: /ready
              port: http
          volumeMounts:
            - name: config
              mountPath: /etc/{svc}
              readOnly: true
            - name: tmp
              mountPath: /tmp
"""
    return "".join(indent + line if line else line for line in text.splitlines(keepends=True))


def _pod_spec(rng: random.Random, team: str, svc: str, indent: str) -> str:
    host = "      hostNetwork: true\n" if rng.random() < 0.05 else ""
    sa_token = "false" if rng.random() < 0.7 else "true"
    init = ""
    if rng.random() < 0.3:
        init = "      initContainers:\n" + _container(rng, team, svc, "migrate")
    text = f"""      serviceAccountName: {team}-{svc}
      automountServiceAccountToken: {sa_token}
{host}      securityContext:
        fsGroup: 10001
        seccompProfile:
          type: RuntimeDefault
{init}      containers:
{_container(rng, team, svc, svc)}      volumes:
        - name: config
          configMap:
            name: {team}-{svc}-config
        - name: tmp
          emptyDir: {{}}
"""
    return "".join(indent + line if line else line for line in text.splitlines(keepends=True))


def _labels(team: str, svc: str, indent: str) -> str:
    return (
        f"{indent}app.kubernetes.io/name: {svc}\n"
        f"{indent}app.kubernetes.io/part-of: {team}\n"
        f"{indent}app.kubernetes.io/managed-by: argocd\n"
    )


def workload(rng: random.Random, team: str, svc: str, ns: str) -> list[str]:
    docs = [
        f"""apiVersion: apps/v1
kind: Deployment
metadata:
  name: {team}-{svc}
  namespace: {ns}
  labels:
{_labels(team, svc, "    ")}spec:
  replicas: {rng.choice([2, 3, 4, 6])}
  revisionHistoryLimit: 5
  selector:
    matchLabels:
      app.kubernetes.io/name: {svc}
  strategy:
    type: RollingUpdate
    rollingUpdate:
      maxUnavailable: 0
      maxSurge: 1
  template:
    metadata:
      labels:
{_labels(team, svc, "        ")}      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/port: "9090"
    spec:
{_pod_spec(rng, team, svc, "")}""",
        f"""apiVersion: v1
kind: Service
metadata:
  name: {team}-{svc}
  namespace: {ns}
spec:
  type: {rng.choice(["ClusterIP"] * 9 + ["LoadBalancer"])}
  selector:
    app.kubernetes.io/name: {svc}
  ports:
    - name: http
      port: 80
      targetPort: http
""",
        f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: {team}-{svc}-config
  namespace: {ns}
data:
  app.yaml: |
    server:
      port: 8080
      shutdownTimeout: 30s
    features:
      auditLog: true
      phiRedaction: {rng.choice(["true", "false"])}
  LOG_FORMAT: json
""",
        f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {team}-{svc}
  namespace: {ns}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {team}-{svc}
  minReplicas: 2
  maxReplicas: {rng.choice([6, 10, 20])}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: 70
""",
        f"""apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {team}-{svc}
  namespace: {ns}
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: {svc}
""",
    ]
    return docs


def statefulset(rng: random.Random, team: str, svc: str, ns: str) -> list[str]:
    return [
        f"""apiVersion: apps/v1
kind: StatefulSet
metadata:
  name: {team}-{svc}-db
  namespace: {ns}
spec:
  serviceName: {team}-{svc}-db
  replicas: 3
  selector:
    matchLabels:
      app.kubernetes.io/name: {svc}-db
  template:
    metadata:
      labels:
        app.kubernetes.io/name: {svc}-db
    spec:
{_pod_spec(rng, team, svc, "")}  volumeClaimTemplates:
    - metadata:
        name: data
      spec:
        accessModes: ["ReadWriteOnce"]
        storageClassName: {rng.choice(["gp3-encrypted", "gp2"])}
        resources:
          requests:
            storage: 50Gi
""",
        f"""apiVersion: v1
kind: Service
metadata:
  name: {team}-{svc}-db
  namespace: {ns}
spec:
  clusterIP: None
  selector:
    app.kubernetes.io/name: {svc}-db
  ports:
    - port: 5432
""",
    ]


def cronjobs(rng: random.Random, team: str, svc: str, ns: str) -> list[str]:
    docs = []
    for job in rng.sample(["backup", "cleanup", "report", "rotate-keys"], rng.randint(1, 3)):
        pod = _pod_spec(rng, team, svc, "    ")
        docs.append(
            f"""apiVersion: batch/v1
kind: CronJob
metadata:
  name: {team}-{svc}-{job}
  namespace: {ns}
spec:
  schedule: "{rng.randint(0, 59)} {rng.randint(0, 23)} * * *"
  concurrencyPolicy: Forbid
  successfulJobsHistoryLimit: 3
  jobTemplate:
    spec:
      backoffLimit: 2
      template:
        metadata:
          labels:
            app.kubernetes.io/name: {svc}-{job}
        spec:
          restartPolicy: OnFailure
{pod}"""
        )
    return docs


def secrets(rng: random.Random, team: str, svc: str, ns: str) -> list[str]:
    docs = [
        f"""apiVersion: v1
kind: Secret
metadata:
  name: {team}-{svc}-db
  namespace: {ns}
type: Opaque
stringData:
  url: postgres://{svc}@{team}-{svc}-db:5432/{svc}?sslmode=require
"""
    ]
    if rng.random() < 0.5:
        docs.append(
            f"""apiVersion: v1
kind: Secret
metadata:
  name: {team}-{svc}-tls
  namespace: {ns}
type: kubernetes.io/tls
data:
  tls.crt: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJ...
  tls.key: LS0tLS1CRUdJTiBQUklWQVRFIEtFWS0tLS0tCk1JSUV...
"""
        )
    return docs


def rbac(rng: random.Random, team: str, svc: str, ns: str) -> list[str]:
    verbs = '["get", "list", "watch"]' if rng.random() < 0.8 else '["*"]'
    docs = [
        f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: {team}-{svc}
  namespace: {ns}
automountServiceAccountToken: false
""",
        f"""apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata:
  name: {team}-{svc}
  namespace: {ns}
rules:
  - apiGroups: [""]
    resources: ["configmaps", "secrets"]
    verbs: {verbs}
""",
        f"""apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata:
  name: {team}-{svc}
  namespace: {ns}
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: Role
  name: {team}-{svc}
subjects:
  - kind: ServiceAccount
    name: {team}-{svc}
    namespace: {ns}
""",
    ]
    if rng.random() < 0.1:
        docs += [
            f"""apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: {ns}-{svc}-reader
rules:
  - apiGroups: [""]
    resources: ["nodes", "namespaces"]
    verbs: ["get", "list"]
""",
            f"""apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata:
  name: {ns}-{svc}-reader
roleRef:
  apiGroup: rbac.authorization.k8s.io
  kind: ClusterRole
  name: {rng.choice([f"{ns}-{svc}-reader"] * 4 + ["cluster-admin"])}
subjects:
  - kind: ServiceAccount
    name: {team}-{svc}
    namespace: {ns}
""",
        ]
    return docs


def network(rng: random.Random, team: str, svc: str, ns: str) -> list[str]:
    docs = [
        f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: default-deny
  namespace: {ns}
spec:
  podSelector: {{}}
  policyTypes: ["Ingress", "Egress"]
""",
        f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: {team}-{svc}-allow
  namespace: {ns}
spec:
  podSelector:
    matchLabels:
      app.kubernetes.io/name: {svc}
  policyTypes: ["Ingress"]
  ingress:
    - from:
        - namespaceSelector:
            matchLabels:
              kubernetes.io/metadata.name: ingress-nginx
      ports:
        - port: 8080
          protocol: TCP
""",
    ]
    tls = (
        f"""  tls:
    - hosts: ["{svc}.{team}.example.com"]
      secretName: {team}-{svc}-tls
"""
        if rng.random() < 0.8
        else ""
    )
    docs.append(
        f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {team}-{svc}
  namespace: {ns}
  annotations:
    nginx.ingress.kubernetes.io/ssl-redirect: "true"
spec:
  ingressClassName: nginx
{tls}  rules:
    - host: {svc}.{team}.example.com
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: {team}-{svc}
                port:
                  name: http
"""
    )
    return docs


def namespace(team: str, ns: str) -> list[str]:
    return [
        f"""apiVersion: v1
kind: Namespace
metadata:
  name: {ns}
  labels:
    team: {team}
    pod-security.kubernetes.io/enforce: restricted
"""
    ]


VALUES = """# Helm values: no apiVersion/kind, skipped by the scanner
replicaCount: 3
image:
  repository: registry.example.com/app
  tag: 1.4.2
resources:
  limits:
    cpu: 500m
"""

CI = """name: deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: kubectl apply -f apps/
"""


def write_app(rng: random.Random, root: Path, index: int) -> int:
    team, svc = TEAMS[index % len(TEAMS)], SERVICES[(index // len(TEAMS)) % len(SERVICES)]
    ns = f"{team}-{index:04d}"
    folder = root / "apps" / f"{ns}-{svc}"
    folder.mkdir(parents=True)
    files: dict[str, list[str]] = {
        "namespace.yaml": namespace(team, ns),
        "workload.yaml": workload(rng, team, svc, ns),
        "rbac.yaml": rbac(rng, team, svc, ns),
        "network.yaml": network(rng, team, svc, ns),
        "secrets.yaml": secrets(rng, team, svc, ns),
        "cronjobs.yaml": cronjobs(rng, team, svc, ns),
    }
    if rng.random() < 0.35:
        files["statefulset.yaml"] = statefulset(rng, team, svc, ns)
    count = sum(len(docs) for docs in files.values())
    if rng.random() < 0.2:  # `helm template` output: one stream, `# Source:` before each object
        chart = f"{team}-{svc}"
        parts = [
            f"---\n# Source: {chart}/templates/{name}\n{doc}"
            for name, docs in files.items()
            for doc in docs
        ]
        (folder / "rendered.yaml").write_text("".join(parts))
    else:
        for name, docs in files.items():
            (folder / name).write_text("---\n".join(docs))
    if rng.random() < 0.1:
        (folder / "values.yaml").write_text(VALUES)
    return count


def generate(out: Path, objects: int, seed: int) -> tuple[int, int]:
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    (out / ".github" / "workflows").mkdir(parents=True)
    (out / ".github" / "workflows" / "deploy.yaml").write_text(CI)  # hidden folder: not walked
    (out / "ci.yaml").write_text(CI)  # not Kubernetes: skipped, counted
    rng = random.Random(seed)
    total, apps = 0, 0
    while total < objects:
        total += write_app(rng, out, apps)
        apps += 1
    return apps, total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="replaced if it exists")
    parser.add_argument("--objects", type=int, default=10_000, help="at least this many objects")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    apps, total = generate(args.out, args.objects, args.seed)
    files = sum(1 for p in args.out.rglob("*.yaml") if ".github" not in p.parts)
    size = sum(p.stat().st_size for p in args.out.rglob("*.yaml"))
    print(f"{args.out}: {apps} apps, {total} objects, {files} files, {size / 2**20:.1f} MB")


if __name__ == "__main__":
    main()
