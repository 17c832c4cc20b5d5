"""Sessions, accounts, regions and clients for a live scan.

Endpoints, credentials and profiles are boto3's own business: clients are created normally, so
`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`, `~/.aws/config` services sections and the
default credential chain all apply exactly as they do for any boto3 program. Nothing here is
created at import time.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import boto3
import botocore.session
from botocore.config import Config
from botocore.credentials import RefreshableCredentials
from botocore.exceptions import BotoCoreError, ClientError, CredentialRetrievalError

from scanner import __version__

# The region used for global services (IAM, S3 ListBuckets, STS) and for region discovery when
# neither the profile nor the environment names one.
FALLBACK_REGION = "us-east-1"
GLOBAL = "global"
EventHandler = tuple[str, Callable[..., Any]]


@dataclass(frozen=True)
class ClientSettings:
    """Retry, timeout and pool settings shared by every client of a scan."""

    # Adaptive mode adds client-side rate limiting on top of exponential backoff, which is what a
    # scan fanning out over many threads needs when an account's API quota is shared.
    max_attempts: int = 8
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    # One connection per worker that may use the same client at once.
    max_pool_connections: int = 16

    def config(self) -> Config:
        return Config(
            retries={"mode": "adaptive", "max_attempts": self.max_attempts},
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_pool_connections=self.max_pool_connections,
            user_agent_extra=f"comply/{__version__}",
        )


_LOADERS: dict[Any, Any] = {}
_LOADERS_LOCK = threading.Lock()


def share_data_loader(session: boto3.Session) -> boto3.Session:
    """Give the session the process's shared botocore data loader (one per `data_path`).

    A client reads its service's model and endpoint rules from JSON through its session's
    loader, which caches them: tens of milliseconds per client, paid again by every new
    session. comply makes a session per account (and the tests one per scan), so sharing the
    loader reads each model once per process; it only reads files, and a concurrent first
    read at worst loads the same JSON twice. Done after boto3 has set the session up (boto3
    adds its own data folder to the loader it finds, which must not pile up on a shared one)."""
    core = session._session  # boto3 keeps its botocore session here; no public accessor
    key = core.get_config_variable("data_path")
    with _LOADERS_LOCK:
        loader = _LOADERS.get(key)
        if loader is None:
            loader = _LOADERS[key] = core.get_component("data_loader")
    core.register_component("data_loader", loader)
    return session


def base_session(profile: str | None = None) -> boto3.Session:
    """The default credential chain, or a named profile."""
    return share_data_loader(boto3.Session(profile_name=profile) if profile else boto3.Session())


def home_region(session: boto3.Session) -> str:
    return session.region_name or FALLBACK_REGION


@dataclass
class AccountTarget:
    """One account to scan: its session, identity and (after discovery) regions."""

    session: boto3.Session
    account: str
    caller_arn: str
    role_arn: str | None = None
    regions: list[str] = field(default_factory=list)

    @property
    def home_region(self) -> str:
        return home_region(self.session)


class TargetError(Exception):
    """An account that cannot be scanned at all (AssumeRole or GetCallerIdentity failed)."""

    def __init__(self, target: str, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.target = target
        self.code = code
        self.message = message


def error_code(exc: Exception) -> tuple[str, str]:
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        return str(error.get("Code", "ClientError")), str(error.get("Message", exc))
    return type(exc).__name__, str(exc)


def identify(
    session: boto3.Session, settings: ClientSettings, role_arn: str | None = None
) -> AccountTarget:
    """sts:GetCallerIdentity: which account these credentials reach (no permission needed)."""
    try:
        sts = session.client("sts", region_name=home_region(session), config=settings.config())
        identity = sts.get_caller_identity()
    except (BotoCoreError, ClientError) as exc:
        code, message = error_code(exc)
        raise TargetError(f"sts:GetCallerIdentity {home_region(session)}", code, message) from exc
    return AccountTarget(session, str(identity["Account"]), str(identity["Arn"]), role_arn)


def assume_role(
    base: boto3.Session,
    role_arn: str,
    settings: ClientSettings,
    session_name: str = "comply-scan",
    external_id: str | None = None,
    duration_seconds: int = 3600,
) -> boto3.Session:
    """A session in another account via sts:AssumeRole (the one non-read operation we send).

    The credentials are refreshable: botocore calls AssumeRole again when they come within
    15 minutes of expiring, so a long organization-wide scan never fails on expired credentials.
    """
    region = home_region(base)
    params: dict[str, Any] = {
        "RoleArn": role_arn,
        "RoleSessionName": session_name,
        "DurationSeconds": duration_seconds,
    }
    if external_id:
        params["ExternalId"] = external_id
    sts = base.client("sts", region_name=region, config=settings.config())

    def fetch() -> dict[str, str]:
        credentials = sts.assume_role(**params)["Credentials"]
        expiry = credentials["Expiration"]
        return {
            "access_key": credentials["AccessKeyId"],
            "secret_key": credentials["SecretAccessKey"],
            "token": credentials["SessionToken"],
            "expiry_time": expiry.isoformat() if hasattr(expiry, "isoformat") else str(expiry),
        }

    def refresh() -> dict[str, str]:
        # A refresh that fails mid-scan is a botocore error, which every collector reports as a
        # collection error of the call it was making.
        try:
            return fetch()
        except ClientError as exc:
            code, message = error_code(exc)
            raise CredentialRetrievalError(
                provider="sts-assume-role", error_msg=f"{role_arn}: {code}: {message}"
            ) from exc

    try:
        first = fetch()
    except (BotoCoreError, ClientError) as exc:
        code, message = error_code(exc)
        raise TargetError(f"sts:AssumeRole {role_arn}", code, message) from exc
    refreshable = RefreshableCredentials.create_from_metadata(
        metadata=first, refresh_using=refresh, method="sts-assume-role"
    )
    # A fresh botocore session on the caller's profile keeps its configuration (region, endpoint
    # overrides in the profile's services section) while the credentials are the role's.
    core = botocore.session.Session(
        profile=base.profile_name if base.profile_name != "default" else None
    )
    core._credentials = refreshable  # botocore's own slot: no public setter takes refreshable ones
    return share_data_loader(boto3.Session(botocore_session=core, region_name=region))


def discover_regions(
    target: AccountTarget, settings: ClientSettings, handlers: Sequence[EventHandler] = ()
) -> tuple[list[str], tuple[str, str] | None]:
    """The account's enabled regions (ec2:DescribeRegions without AllRegions lists only those).

    When discovery fails (denied, offline), fall back to the session's own region and return the
    error (code, message) so that the report says the scan covered one region only.
    """
    try:
        ec2 = target.session.client("ec2", region_name=target.home_region, config=settings.config())
        for event, handler in handlers:
            ec2.meta.events.register(event, handler)
        regions = ec2.describe_regions()["Regions"]
    except (BotoCoreError, ClientError) as exc:
        return [target.home_region], error_code(exc)
    names = sorted(str(r["RegionName"]) for r in regions)
    return (names or [target.home_region]), None


class ClientFactory:
    """Clients per (service, region) for one account, created once and shared by threads.

    botocore clients are thread-safe, sessions are not: creation happens under a lock. The
    region "global" maps to the account's home region (IAM, S3 ListBuckets, s3control).
    """

    def __init__(
        self,
        session: boto3.Session,
        settings: ClientSettings,
        handlers: Sequence[EventHandler] = (),
    ) -> None:
        self._session = session
        self._config = settings.config()
        self._handlers = list(handlers)
        self._clients: dict[tuple[str, str], Any] = {}
        self._lock = threading.Lock()

    def __call__(self, service: str, region: str) -> Any:
        if region == GLOBAL:
            region = home_region(self._session)
        key = (service, region)
        with self._lock:
            client = self._clients.get(key)
            if client is None:
                client = self._session.client(service, region_name=region, config=self._config)
                for event, handler in self._handlers:
                    client.meta.events.register(event, handler)
                self._clients[key] = client
        return client
