"""Which key names say that their value is a credential: the key-name half of redaction.

A name is compared lower-cased with separators removed, so `DB_PASSWORD`, `dbPassword`,
`db-password` and `--db-password` are the same name.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Key names whose string values are credentials.
_SECRET_NAME = re.compile(
    r"(password|passwd|passphrase|pwd|secret|token|credential|privatekey|apikey|accesskey"
    r"|connectionstring|authorization|auth|cookie|sessionkey|signingkey|encryptionkey"
    r"|(?<!by)pass$)"
)
# ... except names that only *describe* a secret (password policy settings, secret ARNs, a
# reference to where the secret is kept): metadata, not a credential.
_METADATA_SUFFIX = re.compile(
    r"(arn|arns|id|ids|name|names|type|types|status|enabled|disabled|date|time|lastused|length|"
    r"prevention|age|count|version|versionid|versionids|expiry|required|policy|kmskeyid|"
    r"characters|symbols|numbers|rotation|rotationrules|owner|region|config|configuration|"
    r"ref|refs|keyref|file|path|dir|url|uri|endpoint|ttl|timeout|header|format|algorithm|"
    r"seconds|mode|method|provider|usage|location)$"
)
# Settings whose names happen to contain a secret word (EC2 MetadataOptions.HttpTokens is
# "required" or "optional", which the IMDSv2 check reads; automountServiceAccountToken is a
# boolean the service-account check reads).
_SAFE_KEYS = frozenset({"httptokens", "automountserviceaccounttoken", "httpputresponsehoplimit"})
# Keys whose whole value is redacted whatever it looks like: scripts and copies of objects that
# carry credentials in shapes no pattern can know (an EC2 user-data script, the JSON copy of a
# Secret that `kubectl apply` keeps in an annotation, with its stringData in clear).
WHOLE_VALUE_KEYS = frozenset(
    {
        "userdata",
        "userdatabase64",
        "kubectlkubernetesiolastappliedconfiguration",
        "lastappliedconfiguration",
    }
)
# Containers of environment variables: every value inside is treated as a secret, whatever the
# variable's name (Lambda `Environment.Variables`, ECS `environment: [{name, value}]`).
ENVIRONMENT_KEYS = frozenset({"variables", "environment", "environmentvariables", "env"})

_NOT_ALNUM = re.compile(r"[^a-z0-9]")


@lru_cache(maxsize=8192)  # key names repeat across every resource of a scan
def squash(key: str) -> str:
    return _NOT_ALNUM.sub("", key.lower())


@lru_cache(maxsize=8192)  # the same few hundred key names recur across every resource
def is_secret_key(key: str) -> bool:
    """Whether a value under this key name is a credential (`password`, `api_token`, ...)."""
    squashed = squash(key)
    if squashed in _SAFE_KEYS:
        return False
    if squashed in WHOLE_VALUE_KEYS:
        return True
    return bool(_SECRET_NAME.search(squashed)) and not _METADATA_SUFFIX.search(squashed)


KEY_NAME_RULE = (
    "values under keys naming a credential (password, secret, token, private key, api key, "
    "access key, credential, connection string, authorization, cookie), except names that only "
    "describe one (..._arn, ..._id, ..._length, ..._policy, ..._file, ..._ref ...)"
)
