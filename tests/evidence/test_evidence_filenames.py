"""Safe names inside the bundle: stable, distinct, and never a way out of it."""

from __future__ import annotations

import pytest

from scanner.evidence.filenames import (
    UnsafePathError,
    check_bundle_path,
    safe_copy_name,
    safe_file_name,
    safe_name,
)


def test_safe_names_are_kept_as_they_are() -> None:
    assert safe_name("aws_s3_bucket.logs") == "aws_s3_bucket.logs"
    assert safe_file_name("aws_kms_key.phi", ".json") == "aws_kms_key.phi.json"


@pytest.mark.parametrize(
    "text",
    [
        "164.312(a)(2)(iv)",
        "Deployment/portal/api",
        "../../../etc/passwd",
        "/etc/passwd",
        "..",
        ".",
        "",
        "a\\b",
        "CON",
        "nul.txt",
        'module.a["x/../y"].aws_s3_bucket.b',
        "x" * 500,
        "名前",
    ],
)
def test_unsafe_text_becomes_one_safe_component(text: str) -> None:
    name = safe_name(text)
    assert "/" not in name and "\\" not in name and ".." not in name
    assert name and not name.startswith((".", "-"))
    assert len(name) <= 100
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyz0123456789._-")
    assert name.split(".", 1)[0] not in {"con", "nul"}
    assert check_bundle_path(f"evidence/raw/x/{name}.json")
    assert safe_name(text) == name  # stable


def test_different_ids_never_share_a_name() -> None:
    ids = ["a/b", "a_b", "a-b", "A-b", "Foo", "foo", "164.312(a)", "164.312-a"]
    assert len({safe_name(i) for i in ids}) == len(ids)


def test_copied_files_keep_a_harmless_extension() -> None:
    assert safe_copy_name("policy.pdf") == "policy.pdf"
    assert safe_copy_name("../secret/policy.pdf").endswith(".pdf")
    assert safe_copy_name("a/x.pdf") != safe_copy_name("b/x.pdf")
    assert "/" not in safe_copy_name("../../x.sh")
    assert safe_copy_name("evil.p/hp").count("/") == 0


@pytest.mark.parametrize("path", ["../x", "/abs", "a/../b", "a//b", "a\\b", "C:/x", "", "a/./b"])
def test_bundle_paths_that_could_escape_are_refused(path: str) -> None:
    with pytest.raises(UnsafePathError):
        check_bundle_path(path)
