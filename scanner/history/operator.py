"""Who is running this scan: the CI run's URL when there is one, else the user and host."""

from __future__ import annotations

import getpass
import os
import socket
from collections.abc import Mapping

from scanner.history.model import Operator


def ci_run_url(env: Mapping[str, str]) -> str | None:
    """The web page of the CI run (GitHub Actions, GitLab CI, Buildkite, CircleCI, Jenkins)."""
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com").rstrip("/")
        return f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    for name in ("CI_JOB_URL", "BUILDKITE_BUILD_URL", "CIRCLE_BUILD_URL", "BUILD_URL"):
        if env.get(name):
            return env[name]
    return None


def current_operator(env: Mapping[str, str] | None = None) -> Operator:
    env = os.environ if env is None else env
    try:
        user: str | None = getpass.getuser()
    except (OSError, KeyError):  # a container user with no passwd entry and no $USER
        user = None
    # In Kubernetes the host name is the pod's: which shard of which Job ran.
    return Operator(user=user, host=socket.gethostname() or None, ci_run_url=ci_run_url(env))


def operator_record(operator: Operator | None = None) -> dict[str, str | None]:
    """The operator as plain data (a report's `context.operator`, a bundle's metadata)."""
    operator = current_operator() if operator is None else operator
    return {"user": operator.user, "host": operator.host, "ci_run_url": operator.ci_run_url}
