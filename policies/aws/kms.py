"""KMS key management."""

from __future__ import annotations

from scanner.core.model import Resource, Result, is_reference, is_unknown
from scanner.core.registry import check


@check(
    id="kms_key_rotation_enabled",
    title="Symmetric KMS keys rotate their key material automatically",
    severity="medium",
    resource_types=["aws_kms_key"],
    references={"checkov": ["CKV_AWS_7"], "aws_config": ["cmk-backing-key-rotation-enabled"]},
)
def kms_key_rotation_enabled(key: Resource) -> Result:
    """Rotating key material limits how much data one key version protects and how long a
    compromised version is useful; key management is part of the encryption safeguard.

    KMS rotates only symmetric encryption keys in its own key store. Asymmetric and HMAC keys
    (`customer_master_key_spec` other than SYMMETRIC_DEFAULT) and keys in a custom key store
    cannot rotate automatically: they pass with a "not applicable" message, and their manual
    rotation procedure belongs in the control's manual evidence.
    Defaults: `enable_key_rotation` false, `customer_master_key_spec` SYMMETRIC_DEFAULT,
    `custom_key_store_id` absent or empty (the KMS key store).

    Remediation:

        resource "aws_kms_key" "phi" {
          enable_key_rotation = true
        }
    """
    spec = key.get("customer_master_key_spec", "SYMMETRIC_DEFAULT")
    if is_reference(spec) and not key.get_bool("enable_key_rotation", False):
        # Known only at apply: it may be SYMMETRIC_DEFAULT, which must rotate.
        return Result.unknown(f"rotation is off and customer_master_key_spec is {spec}")
    if spec != "SYMMETRIC_DEFAULT":
        return Result.passed(f"not applicable: automatic rotation is not supported for {spec} keys")
    store = key.get("custom_key_store_id")
    if is_unknown(store):
        if key.get_bool("enable_key_rotation", False):
            return Result.passed("enable_key_rotation is true")
        return Result.unknown(f"rotation is off and custom_key_store_id is unknown: {store.reason}")
    if store:  # a custom key store (absent or "" is the default KMS key store)
        return Result.passed(
            "not applicable: keys in a custom key store cannot rotate automatically"
        )
    if key.get_bool("enable_key_rotation", False):
        return Result.passed("enable_key_rotation is true")
    return Result.failed("enable_key_rotation is not enabled on this symmetric key")
