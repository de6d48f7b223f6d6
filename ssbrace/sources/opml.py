"""Feed subscriptions in OPML, the outline format every feed reader imports and exports.

A subscription is an ``outline`` with an ``xmlUrl``; the outlines around it (folders in a reader) and its
``category`` attribute ("/News/Batteries,Japan") are its categories. Pure: bytes in, subscriptions out, and
back; the store and the address guard are the caller's.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from ssbrace.errors import InputError

# An OPML file of ten thousand feeds is well under this; anything larger is not a subscription list.
MAX_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class Subscription:
    url: str
    name: str | None = None
    categories: tuple[str, ...] = ()


def _categories(attribute: str | None) -> list[str]:
    """``category="/News/Batteries,Japan"``: each comma-separated path's last step."""
    names = []
    for path in (attribute or "").split(","):
        steps = [s.strip() for s in path.split("/") if s.strip()]
        if steps:
            names.append(steps[-1])
    return names


def _walk(node: ET.Element, folders: tuple[str, ...]) -> Iterator[Subscription]:
    for outline in node.findall("outline"):
        label = (outline.get("title") or outline.get("text") or "").strip()
        url = (outline.get("xmlUrl") or outline.get("xmlurl") or "").strip()
        if url:
            own = tuple(dict.fromkeys([*folders, *_categories(outline.get("category"))]))
            yield Subscription(url, label or None, own)
            yield from _walk(outline, folders)  # a feed outline rarely nests others; keep them if it does
        else:
            yield from _walk(outline, (*folders, label) if label else folders)


def read_opml(data: bytes, where: str = "OPML file") -> list[Subscription]:
    """The subscriptions of an OPML document, each URL once (first occurrence wins, categories merged).

    Raises:
        InputError: too large, not XML, or not OPML (no ``opml`` root or no ``body``).
    """
    if len(data) > MAX_BYTES:
        raise InputError(f"{where}: larger than {MAX_BYTES // (1024 * 1024)} MB, not a subscription list")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(f"{where}: not valid XML ({exc})") from None
    if root.tag.lower() != "opml":
        raise InputError(f"{where}: not OPML (the root element is <{root.tag}>)")
    body = root.find("body")
    if body is None:
        raise InputError(f"{where}: OPML without a <body>")
    found: dict[str, Subscription] = {}
    for sub in _walk(body, ()):
        if sub.url in found:
            old = found[sub.url]
            found[sub.url] = Subscription(old.url, old.name or sub.name,
                                          tuple(dict.fromkeys((*old.categories, *sub.categories))))
        else:
            found[sub.url] = sub
    return list(found.values())


def write_opml(subscriptions: Iterable[Subscription], title: str = "ssbrace sources",
               now: datetime | None = None) -> str:
    """An OPML 2.0 document: one folder outline per first category, the rest in ``category``."""
    root = ET.Element("opml", version="2.0")
    head = ET.SubElement(root, "head")
    ET.SubElement(head, "title").text = title
    ET.SubElement(head, "dateCreated").text = (now or datetime.now(UTC)).strftime("%a, %d %b %Y %H:%M:%S GMT")
    body = ET.SubElement(root, "body")
    folders: dict[str, ET.Element] = {}
    for sub in subscriptions:
        parent = body
        if sub.categories:
            first = sub.categories[0]
            if first not in folders:
                folders[first] = ET.SubElement(body, "outline", text=first, title=first)
            parent = folders[first]
        label = sub.name or sub.url
        attributes = {"type": "rss", "text": label, "title": label, "xmlUrl": sub.url}
        if len(sub.categories) > 1:
            attributes["category"] = ",".join(sub.categories[1:])
        ET.SubElement(parent, "outline", attributes)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
