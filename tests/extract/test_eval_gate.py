"""Quality gate: the extractor on the development set (tests/data) must not fall below the floors in
eval_baseline.json (overall F1 and F1 per kind). Floors are raised when we improve, never lowered quietly."""

import json
from pathlib import Path

import pytest

from ssbrace.extract.evaluate import doc_key, evaluate, read_jsonl
from ssbrace.extract.inputs import read_input
from ssbrace.extract.pipeline import extract_claims

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data"
BASELINE = json.loads((Path(__file__).parent / "eval_baseline.json").read_text())


@pytest.fixture(scope="module")
def report():
    gold = read_jsonl(DATA / "gold.jsonl")
    docs = {doc_key(g["doc"]) for g in gold}
    pred = []
    for path in sorted((DATA / "articles").iterdir()):
        if path.name not in docs:
            continue
        extracted = read_input(str(path))
        pred.extend(c.to_json() for c in extract_claims(extracted.text, published=extracted.published,
                                                       doc=str(path.relative_to(ROOT))))
    return evaluate(gold, pred, docs=docs)


def test_overall_f1_floor(report):
    assert report.overall.f1 >= BASELINE["overall_f1"], f"overall F1 {report.overall.f1:.3f}"


@pytest.mark.parametrize("kind", sorted(BASELINE["kind_f1"]))
def test_kind_f1_floor(report, kind):
    score = report.by_kind[kind]
    assert score.f1 >= BASELINE["kind_f1"][kind], f"{kind} F1 {score.f1:.3f}"
