"""The matching rules of the evaluation."""

from ssbrace.extract.evaluate import evaluate, matches

G = {"doc": "tests/data/articles/x.txt"}


def claim(**kw):
    return {**G, **kw}


def test_values_within_two_percent():
    gold = claim(kind="patents", subject="Japan", value=1000)
    assert matches(claim(kind="patents", subject="Japan", value=1019, doc="/a/b/x.txt"), gold)
    assert not matches(claim(kind="patents", subject="Japan", value=1030), gold)
    assert not matches(claim(kind="patents", subject="China", value=1000), gold)


def test_money_by_amount_or_dollars():
    gold = claim(kind="funding", subject="Japan", amount=1e10, currency="JPY", value_usd=9e7)
    assert matches(claim(kind="funding", subject="Japan", amount=1.005e10, currency="JPY", value_usd=1), gold)
    assert matches(claim(kind="funding", subject="Japan", amount=1, currency="EUR", value_usd=1.0e8), gold)
    assert not matches(claim(kind="funding", subject="Japan", amount=1, currency="EUR", value_usd=1.2e8), gold)


def test_partnership_pairs_are_unordered_and_standings_need_relation_and_object():
    gold = claim(kind="partnership", subject="A", object="B")
    assert matches(claim(kind="partnership", subject="B", object="A"), gold)
    st = claim(kind="standing", subject="A", relation="ranks", object=None, rank=2)
    assert matches(claim(kind="standing", subject="A", relation="ranks", rank=2), st)
    assert not matches(claim(kind="standing", subject="A", relation="ranks", rank=1), st)


def test_duplicates_count_once_and_scores_add_up():
    gold = [claim(kind="target", subject="A", year=2027), claim(kind="target", subject="B", year=2028)]
    pred = [claim(kind="target", subject="A", year=2027), claim(kind="target", subject="A", year=2027),
            claim(kind="target", subject="C", year=2027)]
    report = evaluate(gold, pred)
    t = report.by_kind["target"]
    assert (t.tp, t.pred, t.gold) == (1, 2, 2)
    assert report.overall.f1 == 0.5
