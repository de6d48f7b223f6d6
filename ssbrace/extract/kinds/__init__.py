"""Claim components, one module per kind; each exposes ``NAME``, ``NEEDS`` and ``extract(ctx)``.

A component reads one ``SentenceContext`` and returns the claims of its kind in that sentence. The
pipeline runs the components listed in the vocabulary's ``pipeline:`` (spaCy's factories, in small).
"""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from ssbrace.extract.kinds import (
    capacity,
    funding,
    investment,
    market_share,
    partnership,
    patent_share,
    patents,
    spec,
    standing,
    target,
)

COMPONENTS: dict[str, ModuleType] = {
    module.NAME: module
    for module in (patents, patent_share, funding, investment, market_share, target, partnership, spec,
                   capacity, standing)
}


def component(name: str) -> Callable:
    """The ``extract`` function of component ``name``."""
    return COMPONENTS[name].extract
