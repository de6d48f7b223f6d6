"""Knowledge-stage speed: facts, conflicts, ledgers, checks and both boards over N synthetic claims.

Claims are the pack's reference claims repeated with shifted entity names and publishers, so that groups
keep their real sizes while the number of entities grows with N. Prints seconds per stage for a small
and a large N and the ratio (about 10 means linear in the number of claims).

    .venv/bin/python bench/knowledge.py [--large 100000]
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import time
from datetime import date

from ssbrace.analysis.bundle import Knowledge
from ssbrace.domains.loader import load_domain
from ssbrace.kb.records import ClaimRecord
from ssbrace.models import CLAIM_FIELDS


def base_records() -> list[ClaimRecord]:
    pack = load_domain()
    out = []
    lines = (pack.path / "reference.jsonl").read_text(encoding="utf-8").splitlines()
    urls: dict[str, int] = {}
    for i, line in enumerate(lines, 1):
        r = json.loads(line)
        doc = urls.setdefault(r["source"]["url"], len(urls) + 1)
        fields = {k: r.get(k) for k in CLAIM_FIELDS}
        fields["bound"] = fields["bound"] or "eq"
        out.append(ClaimRecord(id=i, sentence=r["note"], document_id=doc, publisher=r["source"]["publisher"],
                               published=date.fromisoformat(r["source"]["date"]), url=r["source"]["url"],
                               subject_country=r["subject"] if r["subject_type"] == "country" else None, **fields))
    return out


def synthetic(n: int, base: list[ClaimRecord]) -> list[ClaimRecord]:
    out = []
    for i in range(n):
        r = base[i % len(base)]
        copy = i // len(base)
        # Every 20 copies share entities (bigger groups); publishers and documents vary per copy.
        tag = f" {copy // 20}" if copy >= 20 else ""
        out.append(dataclasses.replace(
            r, id=i + 1, subject=r.subject + tag, object=(r.object + tag) if r.object else None,
            document_id=r.document_id + copy * 1000, publisher=f"{r.publisher} #{copy % 7}"))
    return out


def run(records: list[ClaimRecord]) -> dict[str, float]:
    pack = load_domain()
    k = Knowledge.of(records, pack)
    timings = {}
    for name, step in (("facts", lambda: k.facts), ("conflicts", lambda: k.conflicts),
                       ("ledgers", lambda: k.ledgers), ("checks", lambda: k.findings),
                       ("board country", lambda: k.board("country")), ("board company", lambda: k.board("company"))):
        start = time.perf_counter()
        step()
        timings[name] = time.perf_counter() - start
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--large", type=int, default=100_000)
    args = parser.parse_args()
    base = base_records()
    small_n = args.large // 10
    small = run(synthetic(small_n, base))
    large = run(synthetic(args.large, base))
    print(f"{'stage':<15}{small_n:>10,} claims{args.large:>12,} claims{'ratio':>8}")
    for name in small:
        print(f"{name:<15}{small[name]:>15.3f}s{large[name]:>17.3f}s{large[name] / max(small[name], 1e-9):>8.1f}")
    total_s, total_l = sum(small.values()), sum(large.values())
    print(f"{'total':<15}{total_s:>15.3f}s{total_l:>17.3f}s{total_l / total_s:>8.1f}")


if __name__ == "__main__":
    main()
