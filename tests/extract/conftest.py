"""Fixtures of the extractor tests: the real domain pack and a tiny pack built in a temporary folder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from ssbrace.domains.loader import PACKS, load_domain
from ssbrace.extract.pipeline import extract_claims

TINY_GAZETTEER = """
places:
  - {name: Ruritania, aliases: [Republic of Ruritania], demonyms: [Ruritanian], currency: JPY, capital: Strelsau}
  - {name: Borduria, demonyms: [Bordurian], currency: KRW}
  - {name: World, type: region, aliases: [global, worldwide, the world]}
companies:
  - {name: Acme, country: Ruritania, category: automaker, aliases: [Acme Motor, Acme Motor Corporation]}
  - {name: Borealis Chemicals, country: Borduria, category: materials, aliases: [Borealis]}
  - {name: Zenith Cells, country: Borduria, category: cell_maker, aliases: [Zenith]}
programs:
  - {name: Green Battery Fund, country: Ruritania}
institutions:
  - {name: MIRI, country: Ruritania, category: government, aliases: [Ministry of Industry of Ruritania]}
  - {name: CountCorp Research, category: analyst}
"""


@pytest.fixture(scope="session")
def tiny_pack(tmp_path_factory):
    """A pack with invented names: the real vocabulary and currencies, a gazetteer of our own."""
    folder: Path = tmp_path_factory.mktemp("tinypack")
    real = PACKS / "solid_state_batteries"
    for name in ("vocabulary.yaml", "currencies.yaml", "fx.csv"):
        shutil.copy(real / name, folder / name)
    (folder / "gazetteer.yaml").write_text(TINY_GAZETTEER, encoding="utf-8")
    return load_domain(str(folder))


@pytest.fixture(scope="session")
def extract(tiny_pack):
    """extract(text, **kw) -> claims as JSON dicts, with the tiny pack."""

    def run(text: str, **kw):
        return [c.to_json() for c in extract_claims(text, domain=tiny_pack, **kw)]

    return run


def kinds(claims, kind):
    return [c for c in claims if c["kind"] == kind]
