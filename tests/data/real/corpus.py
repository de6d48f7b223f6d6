"""The real-reporting corpus: excerpts of published articles, kept out of git, and their gold claims.

The article text is not ours, so git holds only what is needed to find it again and to score against it:

    manifest/BATCH.jsonl   one line per excerpt: id, url, the exact query that found it, its rank,
                           sha256 and length of the text, date, story label, style
    gold/BATCH.jsonl       one line per claim: doc id, the CLAIMS.md fields, start/end character offsets
                           of the evidence in the excerpt (never the sentence itself)
    cache/                 ignored: responses/*.json (search answers saved as returned), texts/ID.txt,
                           drafts/BATCH.jsonl (annotations with quotes, turned into offsets by `gold`)

Commands (run from the repository root with any Python 3.11):

    python tests/data/real/corpus.py add BATCH RESPONSE.json --held-back TOOL [--keep 1,3,4]
    python tests/data/real/corpus.py gold BATCH            # drafts/BATCH.jsonl -> gold + manifest fields
    python tests/data/real/corpus.py check [--need-texts]  # manifest, gold and (when present) the cache
    python tests/data/real/corpus.py queries               # the queries a new machine repeats
    python tests/data/real/corpus.py rebuild               # texts from saved responses, hashes checked
    python tests/data/real/corpus.py stats

A response file is the JSON object the search tool returned for one query (`{"query": ..., "results":
[{"rank", "url", "excerpt"}, ...]}`); the excerpt string, decoded from JSON, is the document, unchanged.
"""

from __future__ import annotations

import argparse
import collections
import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
sys.path.insert(0, str(ROOT / "tests" / "data"))
sys.path.insert(0, str(ROOT))

from check_gold import check_fields  # noqa: E402

from ssbrace.models import CLAIM_FIELDS  # noqa: E402

MANIFEST = HERE / "manifest"
GOLD = HERE / "gold"
CACHE = HERE / "cache"
TEXTS = CACHE / "texts"
RESPONSES = CACHE / "responses"
# Excerpts whose stored page changed after they were annotated (a rebuild returns other text): listed with
# when and how it was noticed; their texts cannot come back, so checks and benchmarks go without them.
CHANGED = HERE / "changed.jsonl"
DRAFTS = CACHE / "drafts"

MANIFEST_FIELDS = ("id", "batch", "url", "query", "rank", "sha256", "length", "date", "story", "style")
GOLD_FIELDS = ("doc", *CLAIM_FIELDS, "start", "end")
META_FIELDS = ("date", "story", "style")  # set per excerpt by the annotator


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def url_key(url: str) -> str:
    """Addresses compare without scheme, "www.", query, fragment or trailing slash."""
    u = urlsplit(url.strip())
    host = (u.hostname or "").lower().removeprefix("www.")
    return f"{host}{u.path.rstrip('/')}"


def read_jsonl(path: Path) -> list[dict]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_jsonl(path: Path, rows: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")


def batches() -> list[str]:
    return sorted(p.stem for p in MANIFEST.glob("*.jsonl"))


def all_manifest() -> list[dict]:
    return [row for b in batches() for row in read_jsonl(MANIFEST / f"{b}.jsonl")]


def all_gold() -> list[dict]:
    return [row for p in sorted(GOLD.glob("*.jsonl")) for row in read_jsonl(p)]


def text_of(doc_id: str) -> str | None:
    path = TEXTS / f"{doc_id}.txt"
    # newline="" keeps the excerpt's own line ends, so offsets and hashes hold on every platform
    if not path.exists():
        return None
    with open(path, encoding="utf-8", newline="") as fh:
        return fh.read()


def write_text(doc_id: str, text: str) -> None:
    TEXTS.mkdir(parents=True, exist_ok=True)
    with open(TEXTS / f"{doc_id}.txt", "w", encoding="utf-8", newline="") as fh:
        fh.write(text)


def held_back(tool: str, urls: list[str]) -> set[str]:
    """The addresses the evaluation keeps back (the tool prints them and exits 1)."""
    if not urls:
        return set()
    run = subprocess.run([sys.executable, tool, "-"], input="\n".join(urls), capture_output=True, text=True)
    if run.returncode not in (0, 1):
        raise SystemExit(f"error: the held-back check failed: {run.stderr.strip()[:200]}")
    return set(run.stdout.split())


def cmd_add(args: argparse.Namespace) -> int:
    response = json.loads(Path(args.response).read_text(encoding="utf-8"))
    query, results = response["query"], response["results"]
    keep = {int(r) for r in args.keep.split(",")} if args.keep else None
    known = {url_key(row["url"]) for row in all_manifest()}
    blocked = held_back(args.held_back, [r["url"] for r in results])
    path = MANIFEST / f"{args.batch}.jsonl"
    rows = read_jsonl(path)
    number = max((int(r["id"].rsplit("-", 1)[1]) for r in rows), default=0)
    added = []
    for result in results:
        url, excerpt = result["url"], result["excerpt"]
        if keep is not None and result["rank"] not in keep:
            continue
        if result["url"] in blocked:
            print(f"held back, not kept: {url}")
            continue
        if url_key(url) in known:
            print(f"already in the corpus: {url}")
            continue
        number += 1
        doc_id = f"{args.batch}-{number:03d}"
        write_text(doc_id, excerpt)
        rows.append({"id": doc_id, "batch": args.batch, "url": url, "query": query, "rank": result["rank"],
                     "sha256": sha256(excerpt), "length": len(excerpt), "date": None, "story": None,
                     "style": None})
        known.add(url_key(url))
        added.append(doc_id)
    write_jsonl(path, rows)
    print(f"added {len(added)}: {' '.join(added)}")
    return 0


def locate(text: str, quote: str) -> tuple[int, int] | None:
    """Offsets of a quote in the text; whitespace runs may differ (excerpts keep odd line breaks)."""
    at = text.find(quote)
    if at >= 0:
        return at, at + len(quote)
    words = quote.split()
    if not words:
        return None
    pattern = r"\s+".join(re.escape(w) for w in words)
    m = re.search(pattern, text)
    return (m.start(), m.end()) if m else None


def cmd_gold(args: argparse.Namespace) -> int:
    draft = read_jsonl(DRAFTS / f"{args.batch}.jsonl")
    mpath = MANIFEST / f"{args.batch}.jsonl"
    manifest = {row["id"]: row for row in read_jsonl(mpath)}
    gold, problems = [], 0
    for number, rec in enumerate(draft, 1):
        doc = rec.get("doc")
        if doc not in manifest:
            print(f"draft line {number}: unknown doc {doc!r}")
            problems += 1
            continue
        if "kind" not in rec:  # a metadata line for the excerpt
            for field in META_FIELDS:
                if field in rec:
                    manifest[doc][field] = rec[field]
            continue
        text = text_of(doc) or ""
        span = locate(text, rec.get("quote") or "")
        if span is None:
            print(f"draft line {number}: quote not found in {doc}: {str(rec.get('quote'))[:80]!r}")
            problems += 1
            continue
        out = {"doc": doc, **{f: rec.get(f) for f in CLAIM_FIELDS}, "start": span[0], "end": span[1]}
        for field in ("subject", "object"):
            out[field] = canonical(out[field])
        for problem in check_fields(out):
            print(f"draft line {number} ({doc}): {problem}")
            problems += 1
        gold.append(out)
    write_jsonl(GOLD / f"{args.batch}.jsonl", gold)
    write_jsonl(mpath, list(manifest.values()))
    print(f"{args.batch}: {len(gold)} gold claims over {len({g['doc'] for g in gold})} excerpts; problems {problems}")
    return 1 if problems else 0


def canonical(name: str | None) -> str | None:
    """The gazetteer's display name for an alias ("China All-Solid-State ... Platform" -> "CASIP")."""
    if not name:
        return name
    from ssbrace.extract.pipeline import extractor_for

    entry = extractor_for().entities.lookup(name)
    return entry.name if entry is not None else name


def changed_ids() -> set[str]:
    return {row["id"] for row in read_jsonl(CHANGED)} if CHANGED.exists() else set()


def cmd_check(args: argparse.Namespace) -> int:
    problems: list[str] = []
    manifest = all_manifest()
    changed = changed_ids()
    problems += [f"{i}: listed in changed.jsonl but in no manifest" for i in sorted(changed - {r["id"] for r in manifest})]
    ids = collections.Counter(row["id"] for row in manifest)
    urls = collections.Counter(url_key(row["url"]) for row in manifest)
    problems += [f"id {i} appears {n} times" for i, n in ids.items() if n > 1]
    problems += [f"address {u} appears {n} times" for u, n in urls.items() if n > 1]
    rows = {row["id"]: row for row in manifest}
    missing = 0
    for row in manifest:
        if set(row) != set(MANIFEST_FIELDS):
            problems.append(f"{row['id']}: manifest fields {sorted(set(row) ^ set(MANIFEST_FIELDS))} differ")
        text = text_of(row["id"])
        if text is None:
            missing += row["id"] not in changed
        elif sha256(text) != row["sha256"] or len(text) != row["length"]:
            problems.append(f"{row['id']}: cached text differs from the manifest (sha256/length)")
    for number, rec in enumerate(all_gold(), 1):
        where = f"gold {rec.get('doc')} #{number}"
        if set(rec) != set(GOLD_FIELDS):
            problems.append(f"{where}: fields {sorted(set(rec) ^ set(GOLD_FIELDS))} differ")
            continue
        if rec["doc"] not in rows:
            problems.append(f"{where}: doc not in a manifest")
            continue
        problems += [f"{where}: {p}" for p in check_fields(rec)]
        if not 0 <= rec["start"] < rec["end"] <= rows[rec["doc"]]["length"]:
            problems.append(f"{where}: offsets {rec['start']}-{rec['end']} outside the excerpt")
    for p in problems:
        print(p)
    cached = sum(1 for row in manifest if text_of(row["id"]) is not None)
    print(f"{len(manifest)} excerpts, {len(all_gold())} gold claims; texts cached {cached}, missing {missing}, "
          f"changed in the store since annotated {len(changed)}; problems {len(problems)}")
    if missing and args.need_texts:
        print("texts are missing: repeat the queries (`corpus.py queries`), save the answers in cache/responses, "
              "then run `corpus.py rebuild`")
        return 1
    return 1 if problems else 0


def cmd_queries(args: argparse.Namespace) -> int:
    seen = []
    for row in all_manifest():
        if row["query"] not in seen:
            seen.append(row["query"])
    print("\n".join(seen))
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    found: dict[tuple[str, str], str] = {}
    for path in sorted(RESPONSES.glob("*.json")):
        response = json.loads(path.read_text(encoding="utf-8"))
        for result in response.get("results", []):
            found.setdefault((response["query"], url_key(result["url"])), result["excerpt"])
    written = differs = absent = 0
    for row in all_manifest():
        excerpt = found.get((row["query"], url_key(row["url"])))
        if excerpt is None:
            absent += 1
        elif sha256(excerpt) != row["sha256"]:
            differs += 1
            print(f"{row['id']}: the stored page changed since it was annotated (sha256 differs); not written")
        else:
            write_text(row["id"], excerpt)
            written += 1
    print(f"rebuilt {written}, changed {differs}, not in the saved responses {absent}")
    return 1 if differs or absent else 0


def cmd_stats(args: argparse.Namespace) -> int:
    manifest, gold = all_manifest(), all_gold()
    print(f"excerpts {len(manifest)}, gold claims {len(gold)}, annotated excerpts {len({g['doc'] for g in gold})}")
    for name, counter in (("batch", collections.Counter(r["batch"] for r in manifest)),
                          ("kind", collections.Counter(g["kind"] for g in gold)),
                          ("style", collections.Counter(r["style"] for r in manifest)),
                          ("year", collections.Counter((r["date"] or "?")[:4] for r in manifest))):
        print(f"{name}: " + ", ".join(f"{k} {v}" for k, v in sorted(counter.items(), key=lambda kv: str(kv[0]))))
    stories = collections.Counter(r["story"] for r in manifest if r["story"])
    print(f"stories: {len(stories)} labels, {sum(1 for n in stories.values() if n > 1)} with several excerpts")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add", help="keep the excerpts of one saved search answer")
    add.add_argument("batch")
    add.add_argument("response")
    add.add_argument("--held-back", required=True, help="path to held_back.py")
    add.add_argument("--keep", help="comma-separated ranks to keep (default: all)")
    gold = sub.add_parser("gold", help="turn a batch's draft annotations into gold with offsets")
    gold.add_argument("batch")
    check = sub.add_parser("check", help="check manifest, gold and the cache")
    check.add_argument("--need-texts", action="store_true")
    sub.add_parser("queries")
    sub.add_parser("rebuild")
    sub.add_parser("stats")
    args = parser.parse_args(argv)
    return {"add": cmd_add, "gold": cmd_gold, "check": cmd_check, "queries": cmd_queries,
            "rebuild": cmd_rebuild, "stats": cmd_stats}[args.command](args)


if __name__ == "__main__":
    raise SystemExit(main())
