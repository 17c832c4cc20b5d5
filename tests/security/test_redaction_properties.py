"""Redaction as a property: a planted secret never survives, whatever text surrounds it, and
hostile text cannot make the patterns backtrack (bench/bench_redaction.py prints the times)."""

from __future__ import annotations

import string

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scanner.core.redaction import REDACTED, redact, redact_text

UPPER_DIGITS = string.ascii_uppercase + string.digits
ALNUM = string.ascii_letters + string.digits
BASE64 = ALNUM + "+/"
SEPARATORS = st.sampled_from([" ", "\n", "\t", '"', "'", ",", ";", "(", ")", "\r\n", " | "])


def _fixed(alphabet: str, size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet=alphabet, min_size=size, max_size=size)


@st.composite
def secret_key(draw: st.DrawFn) -> str:
    """40 characters of base64 with at least one upper, lower and digit, as AWS issues them."""
    body = draw(_fixed(BASE64, 37))
    return (
        body
        + draw(st.sampled_from("ABC"))
        + draw(st.sampled_from("xyz"))
        + draw(st.sampled_from("789"))
    )


# (the whole text planted, the secret part that must disappear)
ACCESS_KEY = st.tuples(st.sampled_from(["AKIA", "ASIA"]), _fixed(UPPER_DIGITS, 16)).map(
    lambda p: (p[0] + p[1], p[0] + p[1])
)
SECRET_KEY = secret_key().map(lambda s: (s, s))
PASSWORD_VALUE = _fixed(ALNUM, 12)
ASSIGNMENT = st.tuples(
    st.sampled_from(
        ["password", "DB_PASSWORD", "--db-password", "api_key", "client_secret", "AUTH_TOKEN"]
    ),
    st.sampled_from(["=", ": ", " = ", '": "', "='"]),
    PASSWORD_VALUE,
).map(lambda p: (f"{p[0]}{p[1]}{p[2]}", p[2]))
URL = st.tuples(_fixed(string.ascii_lowercase, 6), PASSWORD_VALUE).map(
    lambda p: (f"postgres://{p[0]}:{p[1]}@db.internal:5432/app", p[1])
)
PEM = st.lists(_fixed(BASE64, 64), min_size=1, max_size=4).map(
    lambda lines: (
        "-----BEGIN RSA PRIVATE KEY-----\n" + "\n".join(lines) + "\n-----END RSA PRIVATE KEY-----",
        lines[-1],
    )
)
JWT = st.tuples(_fixed(ALNUM, 20), _fixed(ALNUM, 20), _fixed(ALNUM, 20)).map(
    lambda p: (f"eyJ{p[0]}.eyJ{p[1]}.{p[2]}", p[2])
)
GITHUB = _fixed(ALNUM, 36).map(lambda s: ("ghp_" + s, s))
SLACK_HOOK = _fixed(ALNUM, 24).map(lambda s: (f"https://hooks.slack.com/services/T0/B0/{s}", s))
SECRETS = st.one_of(ACCESS_KEY, SECRET_KEY, ASSIGNMENT, URL, PEM, JWT, GITHUB, SLACK_HOOK)
SURROUNDING = st.text(max_size=200)


@settings(max_examples=400, deadline=None)
@given(SURROUNDING, SEPARATORS, SECRETS, SEPARATORS, SURROUNDING)
def test_no_planted_secret_survives_in_any_text(
    before: str, left: str, planted: tuple[str, str], right: str, after: str
) -> None:
    text, secret = planted
    assume(secret not in before + after)  # the surroundings themselves are not secrets
    out = redact_text(before + left + text + right + after)
    assert secret not in out
    assert REDACTED in out


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(st.sampled_from(["note", "description", "command", "Name"]), SURROUNDING),
    SECRETS,
)
def test_no_planted_secret_survives_in_a_structure(extra: dict[str, str], planted) -> None:
    text, secret = planted
    assume(all(secret not in value for value in extra.values()))
    document = {"metadata": {**extra, "annotation": f"see {text} here"}, "args": [text]}
    assert secret not in repr(redact(document))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=2000))
def test_any_text_redacts_to_text_and_redacting_twice_changes_nothing(text: str) -> None:
    once = redact_text(text)
    assert isinstance(once, str)
    assert redact_text(once) == once


@settings(max_examples=50, deadline=None)
@given(st.text(alphabet="a.:/=-_@ eyJpasword", min_size=1, max_size=8), st.integers(2000, 20000))
def test_repetitive_hostile_text_is_handled(unit: str, repeat: int) -> None:
    """Repetitions of pattern fragments were the quadratic inputs (`a.a.a.`, `eyJ-eyJ-`); they
    must come back redacted or unchanged, never hang."""
    text = unit * repeat
    out = redact_text(text)
    assert len(out) <= len(text) + len(REDACTED) * text.count("=") + len(REDACTED) * 2


def test_the_ReDoS_input_of_the_issue_is_linear() -> None:
    """40,000 scheme-like characters took 24 s with the unanchored URL pattern; a 9 MB value
    runs in about a second now (bench/bench_redaction.py). This only proves it finishes."""
    for text in ("a" * 400_000, "a." * 200_000, "a://a:" * 60_000, "eyJ-" * 100_000):
        assert redact_text(text) == text


def test_unknown_values_under_secret_keys_are_redacted_not_compared() -> None:
    """A Terraform value that cannot be known (an Unknown) under user_data or a password key is
    replaced, never compared with "" (which would raise and lose the whole report)."""
    from scanner.core.model import Unknown
    from scanner.core.redaction import REDACTED, redact

    unknown = Unknown("templatefile() of a path known only at apply")
    assert redact({"user_data": unknown})["user_data"] == REDACTED
    assert redact({"name": "DB_PASSWORD", "value": unknown})["value"] == REDACTED
