"""Shared helper of the Lambda fixtures (tests/fixtures/lambda_function_*/aws.py): a function on
the moto server, created from a tiny .zip with a role of its own."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "lambda.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)


def _package() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\n    return None\n")
    return buffer.getvalue()


def create_function(clients: Any, name: str, **settings: Any) -> str:
    """The function's ARN; `settings` are CreateFunction parameters (Runtime defaults to a
    supported one)."""
    iam = clients("iam")
    try:
        role = iam.get_role(RoleName="lambda-seed")["Role"]["Arn"]
    except iam.exceptions.NoSuchEntityException:
        role = iam.create_role(RoleName="lambda-seed", AssumeRolePolicyDocument=TRUST)["Role"][
            "Arn"
        ]
    settings.setdefault("Runtime", "python3.13")
    created = clients("lambda").create_function(
        FunctionName=name,
        Role=role,
        Handler="app.handler",
        Code={"ZipFile": _package()},
        **settings,
    )
    return str(created["FunctionArn"])
