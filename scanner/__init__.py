"""comply: HIPAA and SOC 2 policy-as-code scanner (the engine; checks live in `policies`)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("comply")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
