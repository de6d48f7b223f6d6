"""A small language guess: the page's own declaration first, then script, then common words.

trafilatura's language detection needs an optional package; a document's language is only used to
route it (extractors read English), so a cheap guess over a few languages is enough.
"""

from __future__ import annotations

import re
from collections import Counter

_HTML_LANG = re.compile(rb"<html\b[^>]*?\blang\s*=\s*[\"']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)?", re.I)
_META_LANG = re.compile(
    rb"<meta\b[^>]*http-equiv\s*=\s*[\"']?content-language[\"']?[^>]*content\s*=\s*[\"']?([A-Za-z]{2,3})",
    re.I,
)
_WORD = re.compile(r"[^\W\d_]+", re.U)

# The most frequent short words of each language; distinctive enough over a paragraph.
_STOPWORDS = {
    "en": "the and of to in is that for with as are was on by it from this be at which have has will",
    "de": "der die das und ist nicht mit sich des auf für von den dem ein eine zu im auch wird",
    "fr": "le la les et des est une pour que dans du sur pas par qui au avec sont ce aux",
    "es": "el la los las y de que en un una es por con para del se al su como más",
    "it": "il la di che e un una per non sono con del della gli le si da al è",
    "pt": "o a os as de que e um uma para com não do da em no na por se",
    "nl": "de het een en van is dat op te in voor met zijn niet aan er ook",
}
_STOPSETS = {lang: frozenset(words.split()) for lang, words in _STOPWORDS.items()}


def declared_language(html: bytes | str) -> str | None:
    """The language an HTML page declares (``<html lang>`` or Content-Language meta)."""
    head = html[:8192].encode("utf-8", "replace") if isinstance(html, str) else html[:8192]
    for pattern in (_HTML_LANG, _META_LANG):
        match = pattern.search(head)
        if match:
            return match.group(1).decode("ascii").lower()
    return None


def guess_language(text: str) -> str | None:
    """Guess a language code from the script and the commonest words; None when unsure."""
    sample = text[:5000]
    if not sample.strip():
        return None
    kana = len(re.findall(r"[\u3040-\u30ff]", sample))
    hangul = len(re.findall(r"[\uac00-\ud7af]", sample))
    han = len(re.findall(r"[\u4e00-\u9fff]", sample))
    letters = max(1, len(re.findall(r"\w", sample)))
    if (kana + hangul + han) / letters > 0.2:
        if hangul >= max(kana, han * 0.5):
            return "ko"
        return "ja" if kana > 0 else "zh"
    words = [w.lower() for w in _WORD.findall(sample)]
    if len(words) < 5:
        return None
    counts = Counter(words)
    scores = {lang: sum(counts[w] for w in stops) for lang, stops in _STOPSETS.items()}
    lang, best = max(scores.items(), key=lambda item: item[1])
    # A language wins only when its common words are a visible share of the text.
    return lang if best / len(words) >= 0.08 else None
