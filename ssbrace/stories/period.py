"""Reading a period from the command line: "24h", "7d", "2w" or an ISO date."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta

from ssbrace.errors import UsageError

_RELATIVE = re.compile(r"^\s*(\d+)\s*([hdw])\s*$", re.I)
_UNITS = {"h": "hours", "d": "days", "w": "weeks"}


def parse_since(text: str, now: datetime | None = None) -> datetime:
    """The moment a period starts: ``now`` minus "24h", "7d" or "2w", or an ISO date/datetime (UTC).

    Raises:
        UsageError: anything else.
    """
    now = now or datetime.now(UTC)
    match = _RELATIVE.match(text or "")
    if match:
        return now - timedelta(**{_UNITS[match.group(2).lower()]: int(match.group(1))})
    try:
        if len(text.strip()) == 10:
            return datetime.combine(date.fromisoformat(text.strip()), time.min, tzinfo=UTC)
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise UsageError(f"--since: expected 24h, 7d, 2w or an ISO date, got {text!r}") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
