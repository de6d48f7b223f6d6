"""Exports written in each service's real format (tests/data/patents) and copies compressed as served."""

from __future__ import annotations

import gzip
import shutil
import zipfile
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[1] / "data" / "patents"
LENS = DATA / "lens-export.csv"
# the header of older Lens exports: family sizes, but no "Simple/Extended Family Members" lists
LENS_NO_MEMBERS = DATA / "lens-export-no-members.csv"
GOOGLE_JSONL = DATA / "google-publications.jsonl"
GOOGLE_CSV = DATA / "google-publications.csv"
PATENTSVIEW = [DATA / f"{t}.tsv" for t in ("g_patent", "g_cpc_current", "g_assignee_disambiguated",
                                           "g_location_disambiguated")]


@pytest.fixture
def gz(tmp_path):  # type: ignore[no-untyped-def]
    def make(path: Path) -> Path:
        target = tmp_path / (path.name + ".gz")
        with path.open("rb") as src, gzip.open(target, "wb") as dst:
            shutil.copyfileobj(src, dst)
        return target
    return make


@pytest.fixture
def zipped(tmp_path):  # type: ignore[no-untyped-def]
    def make(*paths: Path, name: str = "export.zip") -> Path:
        target = tmp_path / name
        with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
            for p in paths:
                archive.write(p, p.name)
        return target
    return make
