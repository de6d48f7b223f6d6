"""Patent counting throughput and memory: a generated Lens.org export at several sizes.

For each size a gzip'd Lens CSV is generated (families over two to four jurisdictions, one to three
applicants from the gazetteer's companies, landscape and non-landscape codes, some missing dates), then
counted by country (simple families, any applicant) in a fresh process, so that each size's peak memory
(ru_maxrss) is its own. The baseline is the same file only read through ``csv.DictReader`` (the floor any
streaming reader of this format pays). Re-running a size gives the same numbers (seeded generation).

    .venv/bin/python bench/patents.py --sizes 100000,300000,1000000 [--load]

``--load`` also times ``ssbrace patents load`` of the largest size into a fresh SQLite store.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEADER = ["#", "Jurisdiction", "Kind", "Display Key", "Lens ID", "Publication Date", "Publication Year",
          "Application Number", "Application Date", "Priority Numbers", "Earliest Priority Date", "Title",
          "Abstract", "Applicants", "Inventors", "Owners", "URL", "Document Type", "Has Full Text",
          "Cited by Patent Count", "Simple Family Size", "Simple Family Members", "Simple Family Member Jurisdictions",
          "Extended Family Size", "Extended Family Members", "Extended Family Member Jurisdictions",
          "Sequence Count", "CPC Classifications", "IPCR Classifications", "US Classifications",
          "NPL Citation Count", "NPL Resolved Citation Count", "NPL Resolved Lens ID(s)",
          "NPL Resolved External ID(s)", "NPL Citations"]
APPLICANTS = ["TOYOTA MOTOR CORP", "PANASONIC IP MAN CO LTD", "SAMSUNG SDI CO LTD", "LG ENERGY SOLUTION LTD",
              "CONTEMPORARY AMPEREX TECHNOLOGY CO LTD", "BYD CO LTD", "QUANTUMSCAPE BATTERY INC",
              "SOLID POWER OPERATING INC", "IDEMITSU KOSAN CO", "HYUNDAI MOTOR CO LTD", "UNIV TSINGHUA",
              "ROBERT BOSCH GMBH", "SK ON CO LTD", "NISSAN MOTOR", "HONDA MOTOR CO LTD"]
CODES = ["H01M10/0562", "H01M10/0565", "H01M2300/0068", "H01M2300/0071", "H01M10/0525", "H01M4/62",
         "H01M10/052", "C01B25/14"]
OFFICES = ["JP", "CN", "KR", "US", "EP", "WO", "DE", "TW"]


def generate(path: Path, rows: int, seed: int = 13) -> None:
    """A gzip'd Lens export of ``rows`` publications."""
    rng = random.Random(seed)
    written = 0
    family = 0
    with gzip.open(path, "wt", encoding="utf-8", newline="", compresslevel=1) as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        while written < rows:
            family += 1
            size = min(rng.randint(2, 4), rows - written)
            offices = rng.sample(OFFICES, size)
            keys = [f"{o} {family:09d} A1" for o in offices]
            year = rng.randint(1998, 2024)
            priority = f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}" if rng.random() > 0.02 else ""
            applicants = ";;".join(rng.sample(APPLICANTS, rng.choice((1, 1, 1, 2, 3))))
            codes = ";;".join(rng.sample(CODES, rng.randint(1, 3)))
            members = ";;".join(keys)
            for key, office in zip(keys, offices, strict=True):
                written += 1
                pub = f"{min(year + rng.randint(1, 3), 2025)}-{rng.randint(1, 12):02d}-15"
                writer.writerow([written, office, "A1", key, f"{written:03d}-{family % 1000:03d}-000-000-000", pub,
                                 pub[:4], f"{office} {family}", priority, f"{offices[0]} {year}{family:07d} A",
                                 priority, "Solid electrolyte for a lithium secondary battery", "", applicants, "", "",
                                 "", "Patent Application", "false", "0", size, members, ";;".join(offices), size,
                                 members, ";;".join(offices), "0", codes, "", "", "0", "0", "", "", ""])


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def child(mode: str, path: str, db: str | None) -> None:
    """One measurement in this fresh process; prints a JSON line."""
    started = time.perf_counter()
    if mode == "baseline":
        with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
            rows = sum(1 for _ in csv.DictReader(handle))
        result: dict = {"rows": rows}
    elif mode == "count":
        import ssbrace.patents as patents

        counts = patents.count_files([path], "country")
        result = {"rows": counts.read, "total": counts.total, "top": [(r.key, r.count) for r in counts.rows[:3]],
                  "definition": counts.definition}
    else:
        import ssbrace.patents as patents
        from ssbrace.kb.store import Store

        store = Store(db or "")
        [loaded] = patents.load(store, [path])
        load_s = time.perf_counter() - started
        counts = patents.count(store, "country")
        result = {"rows": loaded.records, "load_s": round(load_s, 2), "total": counts.total}
    result.update({"seconds": round(time.perf_counter() - started, 2), "peak_mb": round(_peak_mb(), 1)})
    print(json.dumps(result))


def measure(mode: str, path: Path, db: str | None = None) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(path), *([db] if db else [])],
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,300000,1000000", help="export sizes in rows, comma-separated")
    parser.add_argument("--load", action="store_true", help="also time loading the largest size into SQLite")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], args.child[2] if len(args.child) > 2 else None)
        return
    sizes = [int(s) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory() as tmp:
        print(f"{'rows':>10} {'file MB':>8} {'baseline s':>10} {'count s':>8} {'rows/s':>10} {'peak MB':>8}  top countries")
        last = None
        for n in sizes:
            path = Path(tmp) / f"lens-{n}.csv.gz"
            generate(path, n)
            base = measure("baseline", path)
            run = measure("count", path)
            again = measure("count", path)
            assert again["top"] == run["top"] and again["total"] == run["total"], "counts moved between runs"
            print(f"{n:>10,} {path.stat().st_size / 1e6:>8.1f} {base['seconds']:>10.2f} {run['seconds']:>8.2f} "
                  f"{n / run['seconds']:>10,.0f} {run['peak_mb']:>8.1f}  {run['top']} ({run['total']:,} families, "
                  f"definition {run['definition']})")
            last = path
        if args.load and last is not None:
            db = f"sqlite:///{Path(tmp) / 'kb.db'}"
            loaded = measure("load", last, db)
            print(f"load {loaded['rows']:,} rows into SQLite: {loaded['load_s']:.1f} s "
                  f"({loaded['rows'] / loaded['load_s']:,.0f} rows/s), then count from the store: "
                  f"{loaded['seconds'] - loaded['load_s']:.1f} s; peak {loaded['peak_mb']:.0f} MB")


if __name__ == "__main__":
    main()
