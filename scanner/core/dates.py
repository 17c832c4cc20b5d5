"""Calendar dates as users write them in YAML: `2027-03-31`, quoted or not."""

from __future__ import annotations

import re
from datetime import date, datetime

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_date(value: object) -> date | None:
    """The date `value` names, or None. YAML already turns an unquoted `2027-03-31` into a date
    (and `2027-03-31T09:00` into a datetime, whose day is kept); a string must be exactly ISO."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:  # 2027-02-30
            return None
    return None
