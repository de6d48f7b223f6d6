"""Measuring clustering against a labelled set: B-cubed precision, recall and F1."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ssbrace.errors import InputError

if TYPE_CHECKING:
    from ssbrace.kb.store import Store

_HEADER = re.compile(r"^(title|date|publisher)\s*:\s*(.+?)\s*$", re.I)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float
    f1: float


def bcubed(predicted: Mapping[str, object], gold: Mapping[str, object]) -> Scores:
    """B-cubed scores of a clustering (item -> cluster) against gold labels (item -> label).

    For each item, precision is the share of its predicted cluster that shares its gold label,
    recall the share of its gold class found in its predicted cluster; both are averaged over items.
    """
    items = sorted(gold)
    if not items or set(items) != set(predicted):
        raise ValueError("predicted and gold must label the same, non-empty set of items")
    by_cluster: dict[object, set[str]] = {}
    by_label: dict[object, set[str]] = {}
    for item in items:
        by_cluster.setdefault(predicted[item], set()).add(item)
        by_label.setdefault(gold[item], set()).add(item)
    precision = recall = 0.0
    for item in items:
        cluster, label = by_cluster[predicted[item]], by_label[gold[item]]
        common = len(cluster & label)
        precision += common / len(cluster)
        recall += common / len(label)
    precision /= len(items)
    recall /= len(items)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return Scores(precision, recall, f1)


@dataclass(frozen=True)
class LabelledArticle:
    name: str
    story: str
    title: str
    published: date | None
    publisher: str | None
    text: str
    near_duplicate_of: str | None


def read_labelled_set(folder: Path) -> list[LabelledArticle]:
    """Articles of a labelled folder (``labels.json`` + files with Title/Date/Publisher header lines)."""
    labels_file = folder / "labels.json"
    try:
        labels: dict[str, Any] = json.loads(labels_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot read {labels_file}: {exc}") from None
    articles = []
    for name, label in sorted(labels.items()):
        raw = (folder / name).read_text(encoding="utf-8")
        header: dict[str, str] = {}
        lines = raw.splitlines()
        body_start = 0
        for i, line in enumerate(lines):
            match = _HEADER.match(line)
            if not match:
                body_start = i
                break
            header[match.group(1).lower()] = match.group(2)
        text = "\n".join(lines[body_start:]).strip()
        articles.append(
            LabelledArticle(
                name=name,
                story=label["story"],
                title=header.get("title", ""),
                published=date.fromisoformat(header["date"]) if "date" in header else None,
                publisher=header.get("publisher"),
                text=text,
                near_duplicate_of=label.get("near_duplicate_of"),
            )
        )
    return articles


def cluster_labelled_set(
    store: Store,
    articles: list[LabelledArticle],
    *,
    config: Any = None,
    domain: str | None = None,
    rebuild: bool = False,
) -> dict[str, int]:
    """Store the articles in order of date and group them as the pipeline would; name -> story id.

    Near duplicates point at their original, as ingestion would have recorded them. With
    ``rebuild`` the stories are made by one ``rebuild_stories`` pass instead of one call per arrival.
    """
    from ssbrace.kb import stories_repo as repo
    from ssbrace.stories.cluster import DEFAULT_CONFIG, assign_document, rebuild_stories

    config = config or DEFAULT_CONFIG
    ordered = sorted(articles, key=lambda a: (a.published or date.max, a.name))
    ids: dict[str, int] = {}
    # originals first, so a near duplicate can point at a stored document
    for article in sorted(ordered, key=lambda a: a.near_duplicate_of is not None):
        with store.session() as session:
            ids[article.name] = repo.store_plain_document(
                session,
                location=f"labelled/{article.name}",
                text=article.text,
                title=article.title,
                publisher=article.publisher,
                published=article.published,
                duplicate_of=ids.get(article.near_duplicate_of) if article.near_duplicate_of else None,
            )
    with store.session() as session:
        if rebuild:
            rebuild_stories(session, config=config, domain=domain)
        else:
            for article in ordered:
                assign_document(session, ids[article.name], config=config, domain=domain)
        return {name: repo.story_of_document(session, doc_id) or 0 for name, doc_id in ids.items()}
