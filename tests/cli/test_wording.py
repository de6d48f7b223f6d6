"""Counts read as a person writes them (issue 14: "(1 claims)", "1 docs")."""

from ssbrace.analysis.scoreboard import shown_score
from ssbrace.cli.context import plural


def test_plural():
    assert plural(1, "claim") == "1 claim"
    assert plural(0, "claim") == "0 claims"
    assert plural(2, "story") == "2 stories"
    assert plural(3, "day") == "3 days"
    assert plural(1200, "document") == "1,200 documents"
    assert plural(2, "analysis", "analyses") == "2 analyses"


def test_shown_score_is_zero_to_hundred():
    assert shown_score(0.71949) == "71.9"
    assert shown_score(1.0) == "100.0" and shown_score(0) == "0.0"
