"""Quality gate: the extractor on the development set (tests/data) must not fall below the floors in
eval_baseline.json (overall F1 and F1 per kind), nor on the held-out, blind2, blind3 and blind4 sets (overall F1 under
`set_overall_f1`). Floors are raised when we improve, never lowered quietly. The decision model is trained on
these sets too, so the floors guard against regressions; quality on unseen text is measured on the real corpus
(bench/extract_eval.py --real)."""

import json
from pathlib import Path

import pytest

from ssbrace.extract.evaluate import doc_key, evaluate, read_jsonl
from ssbrace.extract.inputs import read_input
from ssbrace.extract.pipeline import extract_claims

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BASELINE = json.loads((Path(__file__).parent / "eval_baseline.json").read_text())


def _report(folder: Path):  # type: ignore[no-untyped-def]
    """Precision, recall and F1 of the extractor on one gold set (gold.jsonl beside articles/)."""
    gold = read_jsonl(folder / "gold.jsonl")
    docs = {doc_key(g["doc"]) for g in gold}
    pred = []
    for path in sorted((folder / "articles").iterdir()):
        if path.name not in docs:
            continue
        extracted = read_input(str(path))
        pred.extend(c.to_json() for c in extract_claims(extracted.text, published=extracted.published,
                                                       doc=str(path.relative_to(ROOT))))
    return evaluate(gold, pred, docs=docs)


@pytest.fixture(scope="module")
def report():
    return _report(DATA)


def test_overall_f1_floor(report):
    assert report.overall.f1 >= BASELINE["overall_f1"], f"overall F1 {report.overall.f1:.3f}"


@pytest.mark.parametrize("kind", sorted(BASELINE["kind_f1"]))
def test_kind_f1_floor(report, kind):
    score = report.by_kind[kind]
    assert score.f1 >= BASELINE["kind_f1"][kind], f"{kind} F1 {score.f1:.3f}"


@pytest.mark.parametrize("name", sorted(BASELINE["set_overall_f1"]))
def test_other_set_overall_f1_floor(name):
    score = _report(DATA / name).overall
    assert score.f1 >= BASELINE["set_overall_f1"][name], f"{name} overall F1 {score.f1:.3f}"
