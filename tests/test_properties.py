"""Property tests (hypothesis) on the parsers and normalisers that read untrusted input.

Each says what must hold for any input: no exception other than the documented one-line InputError,
results of the promised type and shape, and stability where a function is a normaliser.
"""

from __future__ import annotations

import ipaddress
from datetime import date

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ssbrace.documents import dates as header_dates
from ssbrace.documents.dedup import normalise as normalise_text
from ssbrace.documents.encoding import decode_text, looks_binary
from ssbrace.documents.language import declared_language, guess_language
from ssbrace.documents.text import extract_main_text
from ssbrace.entities.resolve import normalise as normalise_name
from ssbrace.errors import FetchError, InputError
from ssbrace.extract import dates as claim_dates
from ssbrace.extract.quantities import parse_number
from ssbrace.sources.feeds import looks_like_feed, looks_like_html, parse_feed
from ssbrace.sources.files import display_path
from ssbrace.sources.guard import classify, embedded_ipv4
from ssbrace.sources.web import http_host_port
from ssbrace.stories.sentences import split_sentences as story_sentences

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# Bytes that look like the start of markup, feeds and encodings as often as like noise.
markupish = st.one_of(
    st.binary(max_size=300),
    st.lists(st.sampled_from([b"<", b">", b"<?xml ", b"<rss>", b"<feed>", b"<html>", b"<!DOCTYPE html",
                              b"<meta charset=", b"punycode", b"utf-16", b"\xff\xfe", b"\xfe\xff", b"\xef\xbb\xbf",
                              b"\x00", b"<p>", b"</p>", b"cells ", b"2027 ", b"\xc3", b" "]),
             max_size=40).map(b"".join),
)


@FAST
@given(markupish, st.sampled_from([None, "text/html", "text/markdown", "text/plain",
                                   "text/html; charset=punycode", "text/plain; charset=utf-16"]))
def test_main_text_of_any_bytes_is_text_or_a_one_line_input_error(raw, content_type):
    try:
        result = extract_main_text(raw, content_type=content_type)
    except InputError as exc:
        assert "\n" not in str(exc) and str(exc)
    else:
        assert isinstance(result.text, str) and result.text.strip()
        assert result.extra["format"] in {"html", "markdown", "text"}


@FAST
@given(st.binary(max_size=400), st.one_of(st.none(), st.sampled_from(["punycode", "idna", "base64", "rot13",
                                                                        "utf-16", "x-nope", "latin-1", ""])))
def test_decode_text_returns_text_or_refuses(raw, declared):
    try:
        text = decode_text(raw, declared)
    except InputError as exc:
        assert str(exc).startswith("not text:")
    else:
        assert isinstance(text, str)
        assert not looks_binary(raw)


@FAST
@given(markupish)
def test_feed_sniffing_and_parsing_never_raise_anything_else(raw):
    assert isinstance(looks_like_feed(raw), bool) and isinstance(looks_like_html(raw), bool)
    try:
        feed = parse_feed(raw)
    except InputError as exc:
        assert "\n" not in str(exc)
    else:
        assert looks_like_feed(raw)
        assert all(entry.location is None or isinstance(entry.location, str) for entry in feed.entries)


@given(st.text(max_size=30), st.sampled_from(["utf-16", "utf-16-le", "utf-16-be", "utf-8-sig"]))
def test_a_feed_is_recognised_in_any_unicode_encoding(title, encoding):
    body = '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    assert looks_like_feed(body.encode(encoding))
    assert not looks_like_feed(f"<html><body>{title}</body></html>".encode(encoding))


@FAST
@given(st.text(max_size=80))
def test_dates_parse_to_real_dates_or_none(text):
    for parse in (header_dates.parse_date, claim_dates.parse_date):
        found = parse(text)
        assert found is None or isinstance(found, date)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_iso_dates_round_trip(day):
    assert header_dates.parse_date(f"Published {day.isoformat()} in Tokyo") == day


@FAST
@given(st.text(max_size=60))
def test_numbers_parse_to_floats_or_none(text):
    value = parse_number(text)
    assert value is None or isinstance(value, float | int)


@FAST
@given(st.text(max_size=200))
def test_normalisers_are_idempotent(text):
    once = normalise_text(text)
    assert normalise_text(once) == once
    name = normalise_name(text)
    assert normalise_name(name) == name


@FAST
@given(st.binary(max_size=200))
def test_language_readers_never_raise(raw):
    found = declared_language(raw)
    assert found is None or (found.isascii() and found.islower())
    guess = guess_language(raw.decode("utf-8", "replace"))
    assert guess is None or isinstance(guess, str)


@FAST
@given(st.text(max_size=400))
def test_story_sentences_are_text_slices(text):
    for sentence in story_sentences(text):
        assert isinstance(sentence.text, str) and sentence.text.strip()


@given(st.binary(min_size=1, max_size=40).filter(lambda b: b"/" not in b and b"\x00" not in b))
def test_display_path_is_always_encodable_text(name):
    import os

    shown = display_path(os.fsdecode(name))
    shown.encode("utf-8")  # no surrogates left: storable and printable
    assert "\n" not in shown or b"\n" in name


@FAST
@given(st.text(max_size=80))
def test_url_parts_or_a_fetch_error(url):
    try:
        host, port = http_host_port(url)
    except FetchError as exc:
        assert "\n" not in str(exc)
    else:
        assert host and 0 <= port <= 65535


@given(st.ip_addresses(v=4))
def test_ipv6_wrappers_are_as_private_as_the_ipv4_they_carry(v4):
    kind = classify(v4)
    mapped = ipaddress.IPv6Address(f"::ffff:{v4}")
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (int(v4) << 80))
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | int(v4))
    for wrapped in (mapped, sixtofour, nat64):
        assert v4 in embedded_ipv4(wrapped)
        if kind is not None:
            assert classify(wrapped) is not None, (str(v4), str(wrapped))
    assert classify(mapped) == kind


@given(st.ip_addresses(v=6))
def test_every_ipv6_address_is_classified_without_error(address):
    assert classify(address) in {None, "unspecified", "multicast", "loopback", "link-local", "reserved", "private"}
