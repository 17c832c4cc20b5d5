"""Credential-shaped text replaced inside any string: the value-shape half of redaction.

`redact_text` keeps the text around a secret (a message stays readable, a URL keeps its host, an
assignment keeps its name) and replaces the secret itself with `<redacted>`.

Every pattern runs in time linear in the text, whatever the text (the old unanchored
`[a-z][a-z0-9+.-]*://` took 24 s on 40,000 letters): each one either starts with a literal, or
starts only at the *beginning* of a run of its own characters (a negative look-behind of the same
class), so no run is rescanned from every position inside it; every repetition that could meet
another is bounded. A pattern's required literal is looked for first with `in`, so text without
it costs one fast substring search per pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from scanner.core.secret_names import is_secret_key

REDACTED = "<redacted>"


@dataclass(frozen=True)
class Shape:
    name: str  # "an AWS access key id": for the documented rules
    pattern: re.Pattern[str]
    # Substrings one of which any match contains (checked first, case-sensitively unless the
    # pattern is case-insensitive); empty: always run the pattern.
    hints: tuple[str, ...]
    # The replacement: a template for `pattern.sub`, or a function of the match.
    replace: str | Callable[[re.Match[str]], str] = REDACTED
    min_length: int = 0  # no match is shorter: shorter text skips the pattern


# Words one of which a credential's name contains (`is_secret_key` has the exact rule): the
# assignment scan starts only where one of them occurs.
_NAME_WORDS = tuple(
    w.encode()
    for w in ("pass", "pwd", "secret", "token", "credential", "auth", "key", "cookie", "connection")
)
_NAME_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
_NAME_BACK = 80  # how far back from the word a name may start
_VALUE = r"(?P<value>\"[^\"\n]{0,4096}\"|'[^'\n]{0,4096}'|[\"']?[^\s\"'&;,]+)"
# From the word on: the rest of the name, a separator, the value. A colon counts only after a
# quote or before a space (YAML, JSON), so the `:` inside an ARN
# (`arn:aws:secretsmanager:us-east-1:...`) is no assignment.
_ASSIGNMENT = re.compile(
    r"[A-Za-z0-9_.-]{1,80}+"  # possessive: the separator never starts with a name character
    r"(?P<sep>[\"']?[ \t]{0,8}=[ \t]{0,8}|[\"'][ \t]{0,8}:[ \t]{0,8}|[ \t]{0,8}:[ \t]{1,8})"
    + _VALUE
)
# `--password hunter2` on a command line: a flag naming a credential, then its value.
_FLAG_VALUE = re.compile(
    r"[A-Za-z0-9_.-]{1,80}+(?P<sep>[ \t]{1,8})"
    r"(?P<value>\"[^\"\n]{0,4096}\"|'[^'\n]{0,4096}'|[^\s\"'&;,|<>-][^\s\"'&;,|<>]*)"
)
ASSIGNMENT_RULES = (
    "assignment to a name naming a credential (password=..., --db-password=..., "
    '"token": "...", DB_PASSWORD: ..., export DB_PASS="...")',
    "command-line flag naming a credential followed by its value (--password ...)",
)


def _word_positions(text: str) -> list[int]:
    """Where a credential word starts, found with `bytes.find` (a regex alternation is ten times
    slower). ASCII lower-casing of the `?`-encoded text keeps every index where it was."""
    folded = text.encode("ascii", "replace").lower()
    positions = []
    for word in _NAME_WORDS:
        at = folded.find(word)
        while at != -1:
            positions.append(at)
            at = folded.find(word, at + 1)
    positions.sort()
    return positions


def _name_start(text: str, at: int) -> int:
    start = at
    while start > 0 and at - start < _NAME_BACK and text[start - 1] in _NAME_CHARS:
        start -= 1
    return start


def _redact_assignments(text: str) -> str:
    """Replace the value of every `name=value` (or `--name value`) whose name names a
    credential. Each word occurrence is looked at once, from left to right, and never inside a
    value already replaced, so the work is linear in the text."""
    pieces: list[str] = []
    done = 0  # text[:done] is in `pieces`
    for at in _word_positions(text):
        if at < done:
            continue
        start = _name_start(text, at)
        if start < done:
            continue
        flag = text[start] == "-"
        match = _ASSIGNMENT.match(text, at) or (_FLAG_VALUE.match(text, at) if flag else None)
        if match is None:
            continue
        name = text[start : match.start("sep")]
        if not is_secret_key(name):
            continue
        value = match.group("value")
        quote = value[0] if value[0] in "\"'" else ""
        closing = quote if len(value) > 1 and value.endswith(quote) else ""
        pieces.append(text[done : match.start("value")])
        pieces.append(f"{quote}{REDACTED}{closing}")
        done = match.end("value")
    if not pieces:
        return text
    pieces.append(text[done:])
    return "".join(pieces)


def _mixed_case_key(match: re.Match[str]) -> str:
    """A bare 40-character AWS secret access key: random base64, so it mixes upper case, lower
    case and digits (a git commit hash, lower-case hex, does not)."""
    token = match.group("key")
    if (
        any(c.isupper() for c in token)
        and any(c.islower() for c in token)
        and any(c.isdigit() for c in token)
    ):
        return match.group("pre") + REDACTED
    return match.group(0)


# How each pattern stays linear and fast: it starts with a literal (the regex engine jumps from
# one occurrence to the next) followed by a fixed-width look-behind that refuses a start inside a
# run of the pattern's own characters; or it starts by consuming one delimiter character (group
# `pre`, put back by the replacement; the text is given a leading newline so that position 0 has
# one). Either way no run is rescanned from every position inside it. Assignments are found from
# the words a credential's name contains, not by a pattern (`_redact_assignments`).
_TOKEN = "[A-Za-z0-9_-]"  # noqa: S105 - a character class, not a password
SHAPES: tuple[Shape, ...] = (
    # The whole PEM block, body included, up to its END line (or the end of the text when the
    # END line is missing): the BEGIN line alone is no protection.
    Shape(
        "private key (the whole PEM block)",
        re.compile(
            r"-----BEGIN[ A-Z0-9]{0,40}PRIVATE KEY[ A-Z]{0,20}-----"
            r".*?(?:-----END[ A-Z0-9]{0,40}PRIVATE KEY[ A-Z]{0,20}-----|\Z)",
            re.DOTALL,
        ),
        ("-----BEGIN",),
    ),
    Shape(
        "aws access key id",
        re.compile(r"A(?:KIA|SIA|BIA|CCA)[0-9A-Z]{16}(?<![A-Za-z0-9].{20})(?![A-Za-z0-9])"),
        ("AKIA", "ASIA", "ABIA", "ACCA"),
    ),
    Shape(
        "aws secret access key (40 characters of mixed-case base64)",
        re.compile(r"(?P<pre>[^A-Za-z0-9/+=])(?P<key>[A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])"),
        (),
        _mixed_case_key,
        min_length=40,
    ),
    Shape(
        "JSON web token",
        re.compile(rf"eyJ(?<!{_TOKEN}eyJ){_TOKEN}{{8,}}\.{_TOKEN}{{8,}}\.{_TOKEN}{{8,}}"),
        ("eyJ",),
    ),
    Shape(
        "GitHub token",
        re.compile(r"gh(?<![A-Za-z0-9_]gh)[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{20,}"),
        ("gh",),
    ),
    Shape(
        "GitLab token",
        re.compile(r"glpat-[A-Za-z0-9_-]{20,}"),
        ("glpat-",),
    ),
    Shape(
        "Slack token",
        re.compile(r"xox(?<![A-Za-z0-9-]xox)[abposre]-[A-Za-z0-9-]{10,}"),
        ("xox",),
    ),
    Shape(
        "Slack webhook URL",
        re.compile(r"(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9_/-]+"),
        ("hooks.slack.com",),
        rf"\1{REDACTED}",
    ),
    Shape(
        "Stripe, Google, npm, PyPI or SendGrid API key",
        re.compile(
            r"[rs]k_live_[A-Za-z0-9]{16,}|AIza[0-9A-Za-z_-]{35}|npm_[A-Za-z0-9]{36}"
            r"|pypi-[A-Za-z0-9_-]{50,}|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"
        ),
        ("k_live_", "AIza", "npm_", "pypi-", "SG."),
    ),
    # scheme://user:password@host -> scheme://<redacted>@host. Anchored on `://`: user and
    # password cannot contain `/`, so two candidates never scan the same stretch twice.
    Shape(
        "credentials in a URL (user:password@)",
        re.compile(r"://[^/\s:@]{1,256}:[^/\s@]{1,512}@"),
        ("://",),
        f"://{REDACTED}@",
    ),
)


def redact_text(text: str) -> str:
    """`text` with every credential-shaped part replaced by `<redacted>` (structures remember
    short strings: scanner.core.redaction)."""
    text = "\n" + text  # a delimiter before position 0 for the patterns that consume one
    for shape in SHAPES:
        if len(text) <= shape.min_length:
            continue
        if shape.hints and not any(hint in text for hint in shape.hints):
            continue
        text = shape.pattern.sub(shape.replace, text)
    text = text[1:]
    if "=" in text or ":" in text or "-" in text:  # every assignment or flag has one
        return _redact_assignments(text)
    return text


def looks_like_secret(text: str) -> bool:
    """Whether `text` holds anything `redact_text` would replace."""
    return redact_text(text) != text


def shape_rules() -> list[str]:
    return [f"any value that looks like {shape.name}" for shape in SHAPES] + list(ASSIGNMENT_RULES)
