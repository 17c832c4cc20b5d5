"""The credential heuristics of the Kubernetes secret checks, case by case and as properties."""

from __future__ import annotations

import re
import string

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from policies.kubernetes.credential_text import (
    credential_lines,
    is_literal_credential,
    is_secret_name,
)
from policies.kubernetes.secrets import k8s_config_map_no_secrets
from scanner.core.model import Location, Resource

NOT_CREDENTIALS = [
    ("GOOGLE_APPLICATION_CREDENTIALS", "/var/secrets/google/key.json"),
    ("SA_CREDENTIALS", "./creds/sa.json"),
    ("custom_secrets", "[]"),
    ("allowed_tokens", "{}"),
    ("token", 'os.environ["TOKEN"]'),
    ("api_key", "os.getenv('API_KEY')"),
    ("passwd", "compat"),
    ("MAX_TOKENS", "4096"),
    ("SECRET_ROTATION_DAYS", "30"),
    ("DB_PASSWORD", "$(DB_PASSWORD)"),
    ("DB_PASSWORD", "$DB_PASSWORD"),
    ("DB_PASSWORD", "${DB_PASSWORD}"),
    ("DB_PASSWORD", "{{ .Values.password }}"),
    ("DB_PASSWORD", ""),
    ("ENABLE_TOKEN", "true"),
    ("DB_PASSWORD", "<your password>"),
    ("DB_PASSWORD", "%(db_password)s"),
    ("ETCD_INITIAL_CLUSTER_TOKEN", "INSERT_ETCD_INITIAL_CLUSTER_TOKEN"),
    ("API_KEY", "your-api-key-here"),
]
CREDENTIALS = [
    ("MYSQL_PASSWORD", "1234"),
    ("DB_PASSWORD", "hunter2"),
    ("API_KEY", "8f14e45fceea167a5a36dedd4bea2543"),
    ("passwd", "s3cret"),
    ("TOKEN", "abc.def"),
    ("DB_PASSWORD", "%000"),
    ("DB_PASSWORD", "<3kittens"),
    ("DB_PASSWORD", "changeme"),
    # Passwords with brackets are not code expressions, nor collections.
    ("DB_PASSWORD", "Welcome1(prod)"),
    ("API_TOKEN", "Summer[2024]"),
    ("DB_PASSWORD", "{xK9#mP2q"),
    ("DB_PASSWORD", "[pa55word"),
]


@pytest.mark.parametrize(("name", "value"), NOT_CREDENTIALS)
def test_values_that_are_not_credentials(name: str, value: str) -> None:
    assert not is_literal_credential(value, name)


@pytest.mark.parametrize(("name", "value"), CREDENTIALS)
def test_values_that_are_credentials(name: str, value: str) -> None:
    assert is_secret_name(name)
    assert is_literal_credential(value, name)


def test_code_files_count_only_string_literals() -> None:
    code = 'token = os.environ["T"]\npassword = args.password\nsecret = "a9b8c7d6"\n'
    assert [line.number for line in credential_lines("app.py", code)] == [3]
    # The same lines in a properties file: an unquoted value is a literal there.
    assert [line.number for line in credential_lines("app.properties", code)] == [2, 3]


@given(st.text(alphabet=string.ascii_letters + string.digits + "!@#%^&*-_+", min_size=4))
def test_any_plain_password_under_a_password_name_is_a_credential(value: str) -> None:
    # Guards the false pass: only the listed exceptions may excuse a literal.
    starts_like_code = value[0].isalpha() or value[0] == "_"
    windows_variable = re.fullmatch(r"%[A-Za-z_]\w*%", value)
    if (
        value.lower() in ("true", "false", "null", "none")
        or (starts_like_code and any(c in value for c in "(["))
        or windows_variable
        or re.search(r"^(INSERT|REPLACE)[_-]|^YOUR[_-]|[_-]HERE$", value, re.IGNORECASE)
    ):
        return
    assert is_literal_credential(value, "DB_PASSWORD")


def _config_map_holding(value: str) -> Resource:
    return Resource(
        type="kubernetes_config_map",
        id="ConfigMap/default/app",
        source="kubernetes",
        location=Location(file="app.yaml"),
        attributes={"data": {"DB_PASSWORD": value, "app.ini": f"password = {value}\n"}},
    )


@given(st.text(alphabet=string.ascii_letters + string.digits, min_size=6, max_size=40))
def test_messages_never_contain_the_value(value: str) -> None:
    # A value that is a word of the check's own wording ("Config" in "ConfigMap") proves nothing.
    wording = k8s_config_map_no_secrets(_config_map_holding("Zq7Xw9Vt3Kp")).message
    assume(value not in wording)
    result = k8s_config_map_no_secrets(_config_map_holding(value))
    if not value.isdigit():
        assert result.status.value == "fail"
    assert value not in result.message.replace("DB_PASSWORD", "").replace("app.ini", "")
