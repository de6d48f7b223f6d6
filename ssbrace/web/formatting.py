"""Jinja filters and globals: numbers, dates, links and marked snippets, all escaped."""

from __future__ import annotations

from datetime import date
from urllib.parse import urlencode, urlsplit

from markupsafe import Markup, escape

from ssbrace.analysis.facts import format_value
from ssbrace.analysis.scoreboard import shown_score
from ssbrace.delivery.links import entity_url, evidence_url
from ssbrace.kb.records import ClaimRecord
from ssbrace.kb.search import MARK_END, MARK_START


def number(value: float | int | None, decimals: int | None = None) -> str:
    """1234567 -> '1,234,567'; 0.4567 -> '0.46'; None -> '–'."""
    if value is None:
        return "–"
    if decimals is None:
        decimals = 0 if float(value).is_integer() else (1 if abs(value) >= 10 else 2)
    return f"{value:,.{decimals}f}"


def day(value: date | None) -> str:
    return value.isoformat() if value else "undated"


def label(value: str | None) -> str:
    """A vocabulary word for reading: 'mass_production' -> 'mass production'."""
    return (value or "").replace("_", " ")


def marked(snippet: str) -> Markup:
    """A search snippet: escaped, then the match marks turned into <mark> tags."""
    safe = str(escape(snippet.replace(MARK_START + MARK_END, "")))
    return Markup(safe.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def safe_href(url: str | None) -> str | None:
    """The URL when it is http(s), else None: a stored 'javascript:' link is never rendered as a link."""
    if not url:
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url.strip() if scheme in {"http", "https"} else None


def claim_value(claim: ClaimRecord) -> str:
    """What a claim states, in words: 'US$1.2 billion', 'about 37%', 'mass production 2027'."""
    if claim.kind in {"funding", "investment"}:
        usd = claim.value_usd if claim.value_usd is not None else None
        if usd is not None:
            text = format_value(usd, "USD", claim.bound)
            if claim.currency and claim.currency != "USD" and claim.amount:
                text += f" ({number(claim.amount)} {claim.currency})"
            return text
        if claim.amount is not None:
            return f"{number(claim.amount)} {claim.currency or ''}".strip()
    if claim.kind == "target":
        years = str(claim.year) if claim.year_end in (None, claim.year) else f"{claim.year}-{claim.year_end}"
        return f"{label(claim.stage)} {years if claim.year else ''}".strip()
    if claim.kind == "partnership":
        return f"with {claim.object}" if claim.object else ""
    if claim.kind == "standing":
        parts = [label(claim.relation)]
        if claim.rank:
            parts.append(f"no. {claim.rank}")
        if claim.object:
            parts.append(claim.object)
        if claim.aspect:
            parts.append(f"in {label(claim.aspect)}")
        return " ".join(p for p in parts if p)
    if claim.value is not None:
        return format_value(claim.value, claim.unit, claim.bound)
    return ""


def with_query(base: str, **params: object) -> str:
    """A link with query parameters, the empty ones left out."""
    clean = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(clean)}" if clean else base


FILTERS = {"number": number, "day": day, "label": label, "marked": marked, "safe_href": safe_href,
           "evidence_url": evidence_url, "claim_value": claim_value, "score": shown_score}
GLOBALS = {"entity_url": entity_url, "with_query": with_query, "format_value": format_value}
