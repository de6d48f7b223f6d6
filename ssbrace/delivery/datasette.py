"""Metadata for browsing a SQLite store in Datasette: what each table and its main columns hold.

The descriptions live in ``datasette.yaml`` beside this module; Datasette looks tables up under the
database's name, which it takes from the file's name, so they are filed under that name here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

METADATA_FILE = Path(__file__).with_name("datasette.yaml")


def datasette_metadata(database: str) -> dict[str, Any]:
    """Datasette's metadata for a store opened as ``database`` (the file's name without ``.db``).

    Returns:
        A dict for ``datasette.app.Datasette(metadata=...)`` or, written as JSON, ``datasette --metadata``.
    """
    data: dict[str, Any] = yaml.safe_load(METADATA_FILE.read_text(encoding="utf-8"))
    data["databases"] = {database: data.pop("database")}
    return data
