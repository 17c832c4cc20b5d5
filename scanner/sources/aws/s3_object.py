"""One object read from S3 with s3:GetObject alone: a Terraform state in its S3 backend.

The client is an ordinary boto3 client of the `--profile` session (or the default credential
chain), so `AWS_ENDPOINT_URL`, profiles and retries apply as in a scan. No List, no Head, no Put:
the policy `comply aws permissions --drift BUCKET/KEY` prints is enough. Every failure is an
`S3ObjectError` whose message names the URL and says what to do; nothing of the object's content
is ever part of a message.
"""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from scanner.sources.aws.session import ClientSettings, base_session, error_code, home_region

_MISSING = {"NoSuchKey": "no such object", "NoSuchBucket": "no such bucket", "404": "not found"}
_DENIED = {"AccessDenied", "403", "AllAccessDisabled", "InvalidAccessKeyId", "ExpiredToken"}


class S3ObjectError(Exception):
    """The object could not be read; the message names its URL."""


def is_s3_url(text: str) -> bool:
    return text.startswith("s3://")


def parse_s3_url(url: str) -> tuple[str, str]:
    """`s3://bucket/path/key` -> (bucket, path/key); an error without a bucket or a key."""
    bucket, _, key = url.removeprefix("s3://").partition("/")
    if not bucket or not key or key.endswith("/"):
        raise S3ObjectError(f"{url}: give the object as s3://BUCKET/KEY")
    return bucket, key


def read_s3_object(
    url: str, *, profile: str | None, max_size: int, settings: ClientSettings | None = None
) -> bytes:
    """The object's bytes (at most `max_size`; a larger object is an error, not truncated)."""
    bucket, key = parse_s3_url(url)
    settings = settings or ClientSettings()
    try:
        session = base_session(profile)
        client = session.client("s3", region_name=home_region(session), config=settings.config())
        response = client.get_object(Bucket=bucket, Key=key)
        length = response.get("ContentLength")
        body = response["Body"]
        try:
            if isinstance(length, int) and length > max_size:
                raise S3ObjectError(f"{url}: {length} bytes, over the {max_size}-byte limit")
            data: bytes = body.read(max_size + 1)
        finally:
            body.close()
    except ClientError as exc:
        code, _message = error_code(exc)
        if code in _MISSING:
            raise S3ObjectError(f"{url}: {_MISSING[code]} (s3:GetObject: {code})") from exc
        if code in _DENIED:
            raise S3ObjectError(
                f"{url}: access denied (s3:GetObject: {code}); the reading principal needs the "
                f"policy of `comply aws permissions --drift {bucket}/{key}`"
            ) from exc
        raise S3ObjectError(f"{url}: s3:GetObject failed: {code}") from exc
    except BotoCoreError as exc:  # no credentials, endpoint unreachable, a broken profile
        raise S3ObjectError(f"{url}: s3:GetObject failed: {type(exc).__name__}: {exc}") from exc
    if len(data) > max_size:
        raise S3ObjectError(f"{url}: over the {max_size}-byte limit")
    return data
