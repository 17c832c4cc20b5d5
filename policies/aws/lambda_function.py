"""Lambda functions: environment encryption with a customer key, public invocation, runtimes."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from policies.aws.definite_matches import definite_matches
from policies.aws.iam_policy_documents import allows_everyone, statements
from policies.aws.kms_keys import is_aws_managed_alias, is_looked_up_key
from policies.aws.lambda_runtimes import RUNTIME_DEPRECATION
from scanner.core.dates import parse_date
from scanner.core.model import Resource, Result, UnknownValueError, is_reference, is_unknown
from scanner.core.registry import check


@check(
    id="lambda_function_environment_encrypted_with_kms",
    title="Lambda functions encrypt environment variables with a customer-managed KMS key",
    severity="medium",
    resource_types=["aws_lambda_function"],
    references={"checkov": ["CKV_AWS_173"]},
)
def lambda_function_environment_encrypted_with_kms(function: Resource) -> Result:
    """Environment variables often carry connection strings and identifiers of the stores that
    hold ePHI. Lambda encrypts them at rest with an AWS-managed key that every principal allowed
    to read the function's configuration can have decrypted; a customer-managed key adds a key
    policy you control, CloudTrail records of every decryption, and revocation.

    Judged only when the function has environment variables. Default: `kms_key_arn` unset (the
    AWS-managed `aws/lambda` key). A literal `alias/aws/lambda` key fails; a key looked up
    through a data source (`data.aws_kms_key.x.arn`) may be that key and is unknown.

    Remediation:

        resource "aws_lambda_function" "api" {
          kms_key_arn = aws_kms_key.lambda.arn
          environment { variables = { TABLE = aws_dynamodb_table.phi.name } }
        }
    """
    environment = function.get("environment")
    if is_unknown(environment):
        return Result.unknown(f"the environment is unknown: {environment.reason}")
    variables = function.get("environment.0.variables")
    key = function.get("kms_key_arn")
    if is_unknown(key):
        return Result.unknown(f"kms_key_arn is unknown: {key.reason}")
    aws_managed = is_aws_managed_alias(key, "lambda")
    if key and not aws_managed and not is_looked_up_key(key):
        return Result.passed(f"environment encrypted with {key}")
    if is_unknown(variables):
        return Result.unknown(f"the environment variables are unknown: {variables.reason}")
    if not environment or not variables:
        return Result.passed("no environment variables")
    if aws_managed:
        return Result.failed(f"kms_key_arn {key} is the AWS-managed aws/lambda key")
    if key:
        return Result.unknown(
            f"kms_key_arn comes from {key}, a looked-up key that may be the AWS-managed "
            "aws/lambda key"
        )
    return Result.failed(
        f"{len(variables)} environment variable(s) encrypted with the AWS-managed key only "
        "(kms_key_arn is not set)"
    )


def _url_is_public(url: Any) -> bool:
    """A function URL whose authorization type is NONE. Raises on an unknown one."""
    if is_unknown(url):
        return bool(url)  # the marker raises: the finding becomes unknown
    kind = url.get("authorization_type")
    if is_unknown(kind) or is_reference(kind):
        raise UnknownValueError(f"the function URL's authorization_type is unknown ({kind})")
    return isinstance(kind, str) and kind.upper() == "NONE"


@check(
    id="lambda_function_not_public",
    title="Lambda functions cannot be invoked by anyone",
    severity="critical",
    resource_types=["aws_lambda_function"],
    references={
        "checkov": ["CKV_AWS_301", "CKV_AWS_258"],
        "aws_config": ["lambda-function-public-access-prohibited"],
    },
)
def lambda_function_not_public(function: Resource) -> Result:
    """A function anyone can invoke runs your code, with its role's access to ePHI, for any caller
    on the internet. Fails on a resource-policy statement that allows `*` (or `{"AWS": "*"}`)
    without a condition pinning the caller (aws:SourceArn, aws:SourceAccount, aws:PrincipalOrgID,
    ... with fixed values), and on a function URL whose authorization type is NONE.

    Terraform: each `aws_lambda_permission` is a statement of the function's policy, each
    `aws_lambda_function_url` its URL (one naming an alias too). Live: GetPolicy and
    GetFunctionUrlConfig of the function and of each of its aliases (ListAliases); permissions on
    a published version number are not read.

    Remediation: grant invocation to named principals, with `source_arn` for AWS services, and
    require IAM on function URLs:

        resource "aws_lambda_function_url" "api" {
          function_name      = aws_lambda_function.api.function_name
          authorization_type = "AWS_IAM"
        }
    """
    findings: list[str] = []
    unknown_reasons: list[str] = []
    policy = function.get("policy")
    if is_unknown(policy):
        unknown_reasons.append(f"the resource policy is unknown: {policy.reason}")
    elif policy:
        public, reasons = definite_matches(statements(policy), allows_everyone)
        unknown_reasons.extend(reasons)
        if public:
            sids = ", ".join(str(s.get("Sid") or "(no Sid)") for s in public)
            findings.append(f"policy statement(s) {sids} allow any principal to invoke it")
    urls = function.get("function_url")
    if is_unknown(urls):
        unknown_reasons.append(f"the function URL is unknown: {urls.reason}")
    else:
        open_urls, reasons = definite_matches(urls or [], _url_is_public)
        unknown_reasons.extend(reasons)
        if open_urls:
            findings.append("its function URL has authorization type NONE")
    if findings:
        return Result.failed("; ".join(findings))
    if unknown_reasons:
        return Result.unknown(unknown_reasons[0])
    return Result.passed("no public policy statement and no unauthenticated function URL")


def _judged_date(function: Resource) -> date:
    """The collection day for live functions (a snapshot evaluated later agrees), else today."""
    collected = parse_date(function.get("collected_on"))
    return collected or datetime.now(UTC).date()


def _has_managed_runtime(function: Any) -> bool:
    """Container-image functions bring their own runtime, which Lambda does not deprecate."""
    package_type = function.get("package_type")
    return not (isinstance(package_type, str) and package_type.lower() == "image")


@check(
    id="lambda_function_runtime_supported",
    title="Lambda functions run on a runtime AWS has not deprecated",
    severity="medium",
    resource_types=["aws_lambda_function"],
    references={"checkov": ["CKV_AWS_363"], "aws_config": ["lambda-function-settings-check"]},
    applies_to=_has_managed_runtime,
)
def lambda_function_runtime_supported(function: Resource) -> Result:
    """On a runtime's deprecation date AWS stops patching its language runtime and operating
    system: a function that processes ePHI then runs on software with known, unfixed
    vulnerabilities (risk management). Deprecation dates are comply's copy of AWS's runtime
    table (policies/aws/lambda_runtimes.py, with its source); live functions are judged on the
    collection day, Terraform on the scan day. Container-image functions are not judged.

    Remediation: move to a supported runtime of the same language and redeploy:

        resource "aws_lambda_function" "api" {
          runtime = "python3.13"
        }
    """
    runtime = function.get("runtime")
    if is_unknown(runtime) or is_reference(runtime):
        return Result.unknown(f"the runtime is not known ({runtime})")
    if not runtime:
        return Result.unknown("no runtime is set (a .zip function needs one)")
    deprecated_on = RUNTIME_DEPRECATION.get(str(runtime).lower())
    if deprecated_on is None:
        return Result.unknown(f"runtime {runtime} is not in comply's table of Lambda runtimes")
    judged_on = _judged_date(function)
    if deprecated_on <= judged_on:
        return Result.failed(f"runtime {runtime} was deprecated on {deprecated_on.isoformat()}")
    return Result.passed(f"runtime {runtime} is supported until {deprecated_on.isoformat()}")
