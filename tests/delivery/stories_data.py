"""Two stories in our own words, one with hostile text, for digest, email and feed tests."""

from __future__ import annotations

from datetime import date, timedelta

from ssbrace.domains.schema import Topic
from ssbrace.pipeline import assign_document
from tests.stories.helpers import add_doc

TOPIC = Topic(name="Solid-state batteries", slug="solid-state", keywords=["solid-state"])
HOSTILE_TITLE = '<script>alert(1)</script> "&<> Acme plant'
HOSTILE_SENTENCE = 'The site won because <script>alert(2)</script> local power is cheap and "&<> clean, the chief executive said.'

PLANT = (
    HOSTILE_SENTENCE + " The solid-state battery factory will make 12 GWh of cells a year from 2028. "
    "About 900 people will work there, the company said. The government will help train workers."
)
PLANT_2 = (
    "Acme Cells chose Ruritania for a solid-state cell factory worth $1.4 billion. Output should reach 12 GWh "
    "a year in 2028, and 900 jobs will be created. Construction starts in the autumn."
)
PILOT = (
    "Zenith Energy opened a pilot line for solid-state cells that can make 50,000 cells a year. "
    "The line cost 120 million dollars and will supply samples to three carmakers. "
    "Zenith Energy plans volume production in 2029, its chief executive said at the opening."
)


def seed(store, today: date | None = None) -> dict[str, int]:
    """Store and group the documents; dates are recent so that "--since 7d" finds them."""
    today = today or date.today()
    docs = {
        "plant": add_doc(
            store,
            "plant.txt",
            PLANT,
            title=HOSTILE_TITLE,
            publisher="Wire One",
            published=today - timedelta(days=1),
            url="https://wire-one.example/acme?a=1&b=2",
        ),
        "plant2": add_doc(
            store,
            "plant2.txt",
            PLANT_2,
            title="Acme picks Ruritania",
            publisher="Wire Two",
            published=today,
            url="https://wire-two.example/acme",
        ),
        "pilot": add_doc(
            store,
            "pilot.txt",
            PILOT,
            title="Zenith opens pilot line",
            publisher="Wire Two",
            published=today,
            url="https://wire-two.example/zenith",
        ),
        "old": add_doc(
            store,
            "old.txt",
            "An old solid-state note about Borduria and its 40 pilot lines, long before this period began.",
            title="Old note",
            published=today - timedelta(days=60),
        ),
    }
    with store.session() as s:
        for doc in docs.values():
            assign_document(s, doc)
    return docs
