"""OPML categories (a reader's folders, the ``category`` attribute) matched to the domain pack's topics.

A category names a topic when, compared without case, it is the topic's name or its slug, or reads as the
slug once spaces and punctuation become hyphens ("Policy & Funding" -> ``policy-funding``). The others are
kept as plain labels. Pure: the caller passes the topics as (slug, name) pairs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_NOT_WORD = re.compile(r"[^0-9a-z]+")


def _slug(text: str) -> str:
    return _NOT_WORD.sub("-", text.casefold()).strip("-")


@dataclass(frozen=True)
class CategoryMatch:
    """The topics some categories name (slugs, in the categories' order) and the categories left as labels."""

    topics: tuple[str, ...]
    labels: tuple[str, ...]


def match_topics(categories: Iterable[str], topics: Sequence[tuple[str, str]]) -> CategoryMatch:
    """Which of these categories name a topic of ``topics`` ((slug, name) pairs)."""
    by_key: dict[str, str] = {}
    for slug, name in topics:
        for key in (slug.casefold(), name.casefold(), _slug(slug), _slug(name)):
            by_key.setdefault(key, slug)
    found: list[str] = []
    labels: list[str] = []
    for category in categories:
        text = category.strip()
        topic = by_key.get(text.casefold()) or by_key.get(_slug(text))
        if topic is not None:
            found.append(topic)
        elif text:
            labels.append(text)
    return CategoryMatch(tuple(dict.fromkeys(found)), tuple(dict.fromkeys(labels)))
