"""A real moto server on loopback for every AWS test: boto3 reaches it through AWS_ENDPOINT_URL,
exactly as a user's boto3 would reach LocalStack or any endpoint override, so the HTTP path,
the paginators and the error parsing are all exercised. Nothing here reaches the internet.
"""

from __future__ import annotations

import logging
import os
import socket
import urllib.request
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from scanner.sources.aws.session import share_data_loader
from tests.aws.moto_ssm import install as install_ssm_reads

ACCOUNT = "123456789012"  # moto's default account
REGION = "us-east-1"


class Clients:
    """`clients("s3")`, `clients("ec2", "eu-west-1")`: boto3 clients on the moto server."""

    account = ACCOUNT
    region = REGION

    def __init__(self) -> None:
        self._session = share_data_loader(boto3.Session())  # models read once per process
        self._cache: dict[tuple[str, str], Any] = {}

    def __call__(self, service: str, region: str | None = None) -> Any:
        key = (service, region or REGION)
        if key not in self._cache:
            self._cache[key] = self._session.client(service, region_name=key[1])
        return self._cache[key]


def _wildcard_loopback() -> None:
    """Resolve `<anything>.127.0.0.1` to loopback, as wildcard DNS does for real emulator hosts.

    s3control puts the account id in the host name (`123456789012.<endpoint>`), which the
    system resolver cannot resolve for an IP endpoint. Only those names are touched.
    """
    original = socket.getaddrinfo
    if getattr(original, "_comply_wildcard", False):
        return

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if isinstance(host, str) and host.endswith(".127.0.0.1"):
            host = "127.0.0.1"
        return original(host, *args, **kwargs)

    getaddrinfo._comply_wildcard = True  # type: ignore[attr-defined]
    socket.getaddrinfo = getaddrinfo


@pytest.fixture(scope="session")
def moto_endpoint() -> Iterator[str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    _wildcard_loopback()
    install_ssm_reads()  # two SSM reads moto lacks (tests/aws/moto_ssm.py)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    saved = dict(os.environ)
    for name in list(os.environ):
        if name.startswith("AWS_"):
            del os.environ[name]
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": endpoint,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }
    )
    try:
        yield endpoint
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


def reset_moto(endpoint: str) -> None:
    request = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:  # loopback only
        response.read()


@pytest.fixture(autouse=True)
def moto_state(moto_endpoint: str) -> str:
    """A fresh moto state for every test."""
    reset_moto(moto_endpoint)
    return moto_endpoint


@pytest.fixture
def clients(moto_state: str) -> Clients:
    return Clients()
