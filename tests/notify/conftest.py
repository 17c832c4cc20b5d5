"""The webhook server fixture (tests/http_hook.py)."""

from tests.http_hook import hook

__all__ = ["hook"]
