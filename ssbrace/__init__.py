"""ssbrace: follow the global race to commercialise solid-state batteries.

The public API, for scripts and notebooks (docs/api.md)::

    import ssbrace

    store = ssbrace.open_store("kb.db")
    ssbrace.ingest(store, "articles/")
    k = ssbrace.knowledge(store)        # k.facts, k.conflicts, k.ledgers, k.board("country")

Each name is loaded on first use, so ``import ssbrace`` (and the ``ssbrace`` command's start) does not pay
for SQLAlchemy, trafilatura or scikit-learn. Library code logs through ``logging`` under the ``ssbrace``
logger and shows nothing unless the application configures logging.
"""

from __future__ import annotations

import importlib
import logging
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# name -> the module that defines it
_PUBLIC = {
    "open_store": "ssbrace.api",
    "ingest": "ssbrace.api",
    "update": "ssbrace.api",
    "reextract": "ssbrace.api",
    "knowledge": "ssbrace.api",
    "extract_claims": "ssbrace.extract.pipeline",
    "load_domain": "ssbrace.domains.loader",
    "Settings": "ssbrace.settings",
}

__all__ = ["Settings", "__version__", "extract_claims", "ingest", "knowledge", "load_domain", "open_store",
           "reextract", "update"]

logging.getLogger(__name__).addHandler(logging.NullHandler())

if TYPE_CHECKING:
    from ssbrace.api import ingest, knowledge, open_store, reextract, update
    from ssbrace.domains.loader import load_domain
    from ssbrace.extract.pipeline import extract_claims
    from ssbrace.settings import Settings


def __getattr__(name: str) -> Any:
    module = _PUBLIC.get(name)
    if module is None:
        raise AttributeError(f"module 'ssbrace' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next lookup does not come here
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_PUBLIC})
