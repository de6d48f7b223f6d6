"""The fetch options a source was registered with, kept with it so that ``update`` polls it the same way.

Stored as a small JSON object on the source row (``{"allow_private": true, "max_bytes": 2000000}``); only
options given on purpose are kept, so a source without any follows the settings of each run.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ssbrace.errors import UsageError
from ssbrace.sources.web import FetchOptions

# The options a source can keep, as stored; the command line spells them with dashes (max-bytes).
OPTION_NAMES = ("allow_private", "max_bytes")


@dataclass(frozen=True)
class SourceOptions:
    """What ``sources add`` / ``ingest`` were told for one source (None: not given, the run's setting holds)."""

    allow_private: bool = False
    max_bytes: int | None = None

    @classmethod
    def from_json(cls, value: dict[str, Any] | None) -> SourceOptions:
        """From the stored object; unknown keys (a later version's) are ignored."""
        value = value or {}
        max_bytes = value.get("max_bytes")
        return cls(allow_private=bool(value.get("allow_private")),
                   max_bytes=int(max_bytes) if isinstance(max_bytes, int) and max_bytes > 0 else None)

    def to_json(self) -> dict[str, Any]:
        """The options given, for the store (an empty object when none was)."""
        stored: dict[str, Any] = {}
        if self.allow_private:
            stored["allow_private"] = True
        if self.max_bytes is not None:
            stored["max_bytes"] = self.max_bytes
        return stored

    def __bool__(self) -> bool:
        return bool(self.to_json())

    def updated(self, given: SourceOptions, clear: tuple[str, ...] = ()) -> SourceOptions:
        """These options with the ones named in ``clear`` dropped, then those ``given`` set on top."""
        kept = SourceOptions(allow_private=self.allow_private and "allow_private" not in clear,
                             max_bytes=None if "max_bytes" in clear else self.max_bytes)
        return SourceOptions(allow_private=kept.allow_private or given.allow_private,
                             max_bytes=given.max_bytes if given.max_bytes is not None else kept.max_bytes)

    def apply(self, options: FetchOptions) -> FetchOptions:
        """The run's fetch options with this source's on top: a source allowed private addresses keeps that
        permission (the run may grant it too), and its own size cap replaces the run's."""
        changed = options
        if self.allow_private and not options.guard.allow_private:
            changed = replace(changed, guard=replace(options.guard, allow_private=True))
        if self.max_bytes is not None and self.max_bytes != options.max_bytes:
            changed = replace(changed, max_bytes=self.max_bytes)
        return changed


def option_names(names: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """Options to clear as stored names: ``max-bytes`` or ``max_bytes``; ``all`` names every option.

    Raises:
        UsageError: a name that is no option.
    """
    found: dict[str, None] = {}
    for name in names:
        key = name.strip().lower().replace("-", "_")
        if key == "all":
            found.update(dict.fromkeys(OPTION_NAMES))
        elif key in OPTION_NAMES:
            found[key] = None
        else:
            known = ", ".join(n.replace("_", "-") for n in OPTION_NAMES)
            raise UsageError(f"no source option {name!r}: one of {known}, or all")
    return tuple(found)
