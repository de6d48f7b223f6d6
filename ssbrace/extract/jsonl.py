"""Claims as JSON Lines: one object per claim, the public output of ``ssbrace extract --jsonl``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from ssbrace.models import Claim


def claim_line(claim: Claim) -> str:
    """One claim as one JSON line (no trailing newline)."""
    return json.dumps(claim.to_json(), ensure_ascii=False)


def write_jsonl(claims: Iterable[Claim], stream: TextIO) -> int:
    """Write claims one per line; returns how many were written."""
    count = 0
    for claim in claims:
        stream.write(claim_line(claim) + "\n")
        count += 1
    return count
