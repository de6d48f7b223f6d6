"""OPML subscription lists: what feed readers export, read back; bad files are one-line errors."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from ssbrace.errors import InputError
from ssbrace.sources.opml import MAX_BYTES, Subscription, read_opml, write_opml

# The shape feed readers export: folders as outer outlines, feeds with xmlUrl, some with a category.
READER_EXPORT = b"""<?xml version="1.0" encoding="UTF-8"?>
<opml version="1.0">
  <head><title>My feeds</title></head>
  <body>
    <outline text="Batteries" title="Batteries">
      <outline type="rss" text="Cell Notes" title="Cell Notes" xmlUrl="https://cells.example/feed.xml"
               htmlUrl="https://cells.example/"/>
      <outline text="Japan">
        <outline type="rss" text="Tokyo Energy Wire" xmlUrl="https://tew.example/rss" category="/Asia/Japan,Policy"/>
      </outline>
    </outline>
    <outline type="rss" text="Loose feed" xmlUrl="https://loose.example/atom"/>
    <outline type="rss" text="Cell Notes again" xmlUrl="https://cells.example/feed.xml" category="Korea"/>
    <outline text="Empty folder"/>
  </body>
</opml>"""


def test_reader_export_gives_each_feed_once_with_its_folders_and_categories():
    subs = {s.url: s for s in read_opml(READER_EXPORT)}
    assert list(subs) == ["https://cells.example/feed.xml", "https://tew.example/rss", "https://loose.example/atom"]
    assert subs["https://cells.example/feed.xml"] == Subscription("https://cells.example/feed.xml", "Cell Notes",
                                                                  ("Batteries", "Korea"))
    assert subs["https://tew.example/rss"].categories == ("Batteries", "Japan", "Policy")
    assert subs["https://loose.example/atom"].categories == ()


@pytest.mark.parametrize("data, message", [
    (b"<opml><body><outline", "not valid XML"),
    (b"<rss version='2.0'><channel/></rss>", "not OPML"),
    (b"<opml version='2.0'><head/></opml>", "without a <body>"),
    (b" " * (MAX_BYTES + 1), "larger than"),
])
def test_bad_files_are_one_line_errors(data, message):
    with pytest.raises(InputError, match=message) as caught:
        read_opml(data, "feeds.opml")
    assert "\n" not in str(caught.value) and str(caught.value).startswith("feeds.opml: ")


def test_an_entity_expansion_bomb_is_refused():
    bomb = (b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
            + b"".join(b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">' % ((ord("a") + i + 1,) + (ord("a") + i,) * 10)
                       for i in range(8))
            + b']><opml><body><outline text="&i;" xmlUrl="https://x.example/"/></body></opml>')
    with pytest.raises(InputError, match="not valid XML"):
        read_opml(bomb)


names = st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp")), min_size=1, max_size=20).map(str.strip).filter(bool)
subscription = st.builds(Subscription, url=st.from_regex(r"https://[a-z]{1,8}\.example/[a-z0-9]{0,8}", fullmatch=True),
                         name=names, categories=st.lists(names.filter(lambda n: "," not in n and "/" not in n),
                                                         max_size=3, unique=True).map(tuple))


@given(st.lists(subscription, max_size=8, unique_by=lambda s: s.url))
def test_writing_then_reading_gives_the_same_subscriptions(subs):
    back = read_opml(write_opml(subs).encode("utf-8"))
    # feeds come back grouped under their first category's folder, each with all it had
    assert sorted(back, key=lambda s: s.url) == sorted(subs, key=lambda s: s.url)
