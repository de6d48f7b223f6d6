"""Briefs: 3-8 bullets, cited, checked against their sources, counted by publisher."""

from ssbrace.kb.stories_repo import DocRecord, StoryRecord
from ssbrace.pipeline import assign_document, build_brief
from ssbrace.stories.brief import compose_brief, numbers_backed
from ssbrace.stories.features import figure_keys
from tests.stories.helpers import add_claim, add_doc

ONE = (
    "Acme Cells will build a solid-state battery plant in Ruritania for 1.4 billion dollars, the company said on "
    "Monday. The factory will make 12 GWh of cells a year from 2028 and employ 900 people. "
    "Acme Cells has developed sulfide electrolytes since 2015 and supplies sample cells to carmakers. "
    "The government of Ruritania will contribute land and a training centre near the capital. "
    "Analysts said the plant would be the largest of its kind in the region."
)
TWO = (
    "Battery maker Acme Cells picked Ruritania for its first solid-state cell factory, an investment of "
    "$1.4 billion. Output should reach 12 GWh a year in 2028, and about 900 jobs will be created at the plant. "
    "The company expects the cells to store 420 Wh/kg, far more than current lithium-ion cells. "
    "Construction starts in the autumn, the company said in a statement."
)
THREE = (
    "Acme Cells' new Ruritanian plant, a 1.4 billion dollar project, puts the start-up among the larger "
    "solid-state cell makers. Its cells reach 420 Wh/kg in tests, according to the company. "
    "Rivals Zenith Energy and Borealis have announced smaller pilot lines this year."
)


def make_story(store, *, publishers=("Wire One", "Wire Two", "Wire One")):
    ids = []
    for n, (text, publisher) in enumerate(zip((ONE, TWO, THREE), publishers, strict=True)):
        ids.append(
            add_doc(
                store,
                f"doc{n}",
                text,
                title=f"Acme plant news {n}",
                publisher=publisher,
                published=f"2025-03-0{n + 3}",
                url=f"https://news{n}.example/acme",
            )
        )
    with store.session() as s:
        story_ids = {assign_document(s, i) for i in ids}
    assert len(story_ids) == 1
    return story_ids.pop(), ids


def test_brief_has_cited_bullets_checked_against_sources(store):
    story_id, ids = make_story(store)
    with store.session() as s:
        brief = build_brief(s, story_id)
    assert 3 <= len(brief.bullets) <= 8
    texts = {i: t for i, t in zip(ids, (ONE, TWO, THREE), strict=True)}
    for bullet in brief.bullets:
        assert bullet.citations and set(bullet.citations) <= set(ids)
        assert bullet.origin in bullet.citations
        assert bullet.text in " ".join(texts[bullet.origin].split())  # taken from the source, not invented
        cited_numbers = set().union(*(figure_keys(texts[c]) for c in bullet.citations))
        assert figure_keys(bullet.text) <= cited_numbers
    # no two bullets repeat the same set of figures
    figure_sets = [frozenset(figure_keys(b.text, with_years=False)) for b in brief.bullets]
    figure_sets = [f for f in figure_sets if f]
    assert len(figure_sets) == len(set(figure_sets))
    assert brief.bullets[0].section == "what"
    order = {"what": 0, "figures": 1, "context": 2}
    assert [order[b.section] for b in brief.bullets] == sorted(order[b.section] for b in brief.bullets)
    # the 1.4 billion fact is in all three documents: its bullet cites more than one of them
    plant = next(b for b in brief.bullets if "1.4 billion" in b.text or "$1.4 billion" in b.text)
    assert len(plant.citations) >= 2
    assert brief.source_count == 2 and brief.based_on == "Summary based on 2 sources"


def test_claims_come_first(store):
    story_id, ids = make_story(store)
    sentence = "Analysts said the plant would be the largest of its kind in the region."
    add_claim(store, ids[0], "standing", "Acme Cells", sentence, ONE, relation="ranks", rank=1)
    with store.session() as s:
        brief = build_brief(s, story_id)
    claimed = [b for b in brief.bullets if b.has_claim]
    assert [b.text for b in claimed] == [sentence]


def test_a_bullet_whose_number_is_in_no_cited_document_is_dropped():
    doc = DocRecord(
        1, "x", None, "Acme", "Wire", None, None, "Acme Cells will invest 50 million dollars here.", None
    )
    assert numbers_backed("Acme will invest 50 million dollars.", [doc])
    assert not numbers_backed("Acme will invest 70 million dollars.", [doc])
    assert not numbers_backed("Acme sold 50 million cells in 2031.", [doc])  # the year is checked too


def test_number_check_runs_on_every_bullet_of_a_composed_brief():
    from datetime import datetime

    # a sentence quoting a figure in a form the checker reads differently cannot slip through
    text = "Acme Cells said output would reach 12 GWh. It also said sales hit 7,5 million units last year."
    doc = DocRecord(1, "x", None, "Acme output", "Wire", None, None, text, None)
    story = StoryRecord(1, "Acme output", None, None, 1, 1, datetime.now(), datetime.now(), (1,))
    brief = compose_brief(story, [doc], [])
    for bullet in brief.bullets:
        assert numbers_backed(bullet.text, [doc])


def test_one_document_story_gets_a_brief_with_one_source(store):
    doc = add_doc(store, "solo", ONE, title="Acme plant", published="2025-03-03")
    with store.session() as s:
        story_id = assign_document(s, doc)
        brief = build_brief(s, story_id)
    assert brief.source_count == 1 and brief.based_on == "Summary based on 1 source"
    assert 1 <= len(brief.bullets) <= 8
    assert all(b.citations == [doc] for b in brief.bullets)


def test_publishers_count_once_and_urls_stand_in_for_missing_publishers(store):
    story_id, _ = make_story(store, publishers=(None, None, "Wire One"))
    with store.session() as s:
        brief = build_brief(s, story_id)
    assert brief.source_count == 3  # two different URL hosts and one named publisher


def test_hostile_text_is_kept_as_text_in_the_brief(store):
    hostile = (
        'Acme Cells said <script>alert(1)</script> its plant will cost "&<> 1.4 billion dollars, '
        "the company told reporters in a statement."
    )
    doc = add_doc(
        store, "h", hostile + " " + ONE, title='<script>alert("t")</script> & Acme', published="2025-03-03"
    )
    with store.session() as s:
        brief = build_brief(s, assign_document(s, doc))
    assert brief.headline == '<script>alert("t")</script> & Acme'
    assert any("<script>alert(1)</script>" in b.text for b in brief.bullets)


def test_version_changes_when_a_document_joins(store):
    first = add_doc(store, "a", ONE, title="Acme plant", publisher="Wire One", published="2025-03-03")
    with store.session() as s:
        story_id = assign_document(s, first)
        before = build_brief(s, story_id).version
        assert build_brief(s, story_id).version == before  # stable
    second = add_doc(store, "b", TWO, title="Acme factory", publisher="Wire Two", published="2025-03-04")
    with store.session() as s:
        assert assign_document(s, second) == story_id
        assert build_brief(s, story_id).version != before
