"""What counts as a literal credential in manifest text: names, values and config-file lines.

Shared by the env-literal and ConfigMap checks. The rules lean towards flagging: a value named
like a credential is a credential unless it is recognisably something else (a reference, a path,
a code expression, a setting). Each exception below exists because real repositories hold it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

# A name that says it holds a credential (normalized: upper case, `-` and `.` as `_`).
SECRET_NAME = re.compile(
    r"PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL"
)
# A name that *is* the credential (it ends with the credential word): only these make a bare
# number a credential. `MYSQL_PASSWORD: "1234"` is a password; `MAX_TOKENS: 4096` and
# `SECRET_ROTATION_DAYS: 30` are settings.
CREDENTIAL_ITSELF = re.compile(
    r"(PASSWORD|PASSWD|PASSPHRASE|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|SECRET_?KEY)$"
)
# Names that mention a credential but hold something else: a file path, a reference, a setting.
NOT_A_SECRET_SUFFIX = re.compile(
    r"_(FILE|PATH|DIR|NAME|REF|KEY_ID|ID|URL|URI|ENDPOINT|TTL|EXPIRY|EXPIRES|TIMEOUT|LENGTH|"
    r"HEADER|ENABLED|DISABLED|REQUIRED|TYPE|FORMAT|ALGORITHM|VERSION|REGION|SECONDS)$"
)
# Values that are recognisable credentials whatever the name.
SECRET_VALUE_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("a private key", re.compile(r"-----BEGIN ([A-Z]+ )*PRIVATE KEY( BLOCK)?-----")),
    (
        "a URL with embedded credentials",
        # Anchored on `://`, not on the scheme: `[a-z][a-z0-9+.-]*://` retried from every
        # character of a long value is quadratic (a 9 MB ConfigMap value took minutes).
        re.compile(r"://[^/\s:@]{1,256}:(?![$%{])[^/\s@]{1,512}@"),
    ),
    ("a GitHub token", re.compile(r"\b(ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36}\b|github_pat_\w{20,}")),
    ("a Slack token", re.compile(r"\bxox[abprs]-[A-Za-z0-9-]{10,}")),
    ("a Stripe live key", re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}")),
)
# `key: value` / `key=value` lines inside a config file stored in a ConfigMap; group 2 is the
# opening quote of the value, if any.
ASSIGNMENT = re.compile(
    r"""^\s*(?:export\s+)?["']?([A-Za-z0-9_.\-]+)["']?\s*(?::=|[:=])\s*(["']?)([^\s"'#,]+)"""
)
# Code files: a value counts only when it is a string literal; an unquoted value is an
# expression (`token = os.environ["TOKEN"]`, `password = args.password`), not a credential.
CODE_FILE_SUFFIXES = (
    ".py", ".js", ".mjs", ".cjs", ".ts", ".rb", ".go", ".java", ".kt", ".php", ".pl", ".lua",
    ".groovy", ".cs", ".scala", ".rs", ".swift",
)  # fmt: skip
# `os.environ[...]`, `os.getenv(...)`, `get_token()`: a dotted name followed by a call or an
# index, or a call without arguments. `Welcome1(prod)` and `Summer[2024]` are passwords.
CODE_EXPRESSION = re.compile(r"^[A-Za-z_]\w*((\.[A-Za-z_]\w*)+\s*[\[(]|\(\)$)")
# nsswitch.conf: `passwd: compat` names the passwd database and where it is looked up.
NSSWITCH_SOURCES = frozenset(
    {
        "files", "compat", "db", "nis", "nisplus", "ldap", "sss", "systemd", "winbind",
        "altfiles", "cache", "extrausers", "hesiod", "oslogin", "usrfiles",
    }
)  # fmt: skip
# `$(VAR)` env expansion, `${VAR}`, `$VAR`, `{{ template }}`, `<placeholder>`, `%(name)s`,
# `%{name}`, `%VAR%`. Anything else starting with `%` or `<` may be a password.
REFERENCE = re.compile(r"^(\$\(|\$\{|\$[A-Za-z_]|\{\{|<[^<>]*>$|%\(|%\{|%[A-Za-z_]\w*%$)")
# A fill-in-the-blank marker (`INSERT_ETCD_TOKEN`, `REPLACE_ME`, `YOUR_API_KEY_HERE`): it holds
# no secret. (`changeme` and the like are real, guessable passwords and still count.)
PLACEHOLDER = re.compile(r"^(INSERT|REPLACE)[_-]|^YOUR[_-]|[_-]HERE$", re.IGNORECASE)
# A file path, not the secret itself: GOOGLE_APPLICATION_CREDENTIALS=/var/secrets/key.json.
PATH = re.compile(r"^(/|\./|\.\./|~/|file:)")


class ConfigLine(NamedTuple):
    number: int
    name: str


def normalized(name: str) -> str:
    return re.sub(r"[-.\s]", "_", name).upper()


def is_secret_name(name: str) -> bool:
    text = normalized(name)
    return bool(SECRET_NAME.search(text)) and not NOT_A_SECRET_SUFFIX.search(text)


def is_literal_credential(value: str, name: str) -> bool:
    """Whether `value`, held under a credential-like `name`, could be the credential itself:
    not empty, a flag, a reference, a path, a fill-in placeholder, an empty collection, a code
    expression, a setting number or an nsswitch source list."""
    text = value.strip()
    if not text or text.lower() in ("true", "false", "null", "none", "~"):
        return False
    if text.isdigit():
        # A numeric password is still a password; a number under MAX_TOKENS is a setting.
        return bool(CREDENTIAL_ITSELF.search(normalized(name)))
    if REFERENCE.match(text) or PATH.match(text) or CODE_EXPRESSION.match(text):
        return False
    if PLACEHOLDER.search(text):
        return False
    if (text[0], text[-1]) in (("[", "]"), ("{", "}")):
        return False  # a YAML/JSON collection (`custom_secrets: []`), not a value
    return not (normalized(name) == "PASSWD" and text.split()[0].lower() in NSSWITCH_SOURCES)


def secret_value_kind(value: str) -> str | None:
    for kind, pattern in SECRET_VALUE_PATTERNS:
        if pattern.search(value):
            return kind
    return None


def is_code_file(key: str) -> bool:
    return key.lower().endswith(CODE_FILE_SUFFIXES)


def credential_lines(key: str, text: str) -> list[ConfigLine]:
    """Lines of a config file (the ConfigMap key `key`) that set a credential-like name to a
    literal value. In code files only quoted string values count."""
    code = is_code_file(key)
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = ASSIGNMENT.match(line)
        if not match:
            continue
        name, quote, value = match.groups()
        if code and not quote:
            continue
        if is_secret_name(name) and is_literal_credential(value, name):
            found.append(ConfigLine(number, name))
    return found
