"""The error of building or writing an evidence bundle."""


class EvidenceError(Exception):
    """The bundle cannot be built or written; the message says why."""
