"""WARC files and JSONL dumps written for the tests (with warcio), with our own invented pages."""

from __future__ import annotations

import gzip
import io
import json
from dataclasses import dataclass
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

TOPICS = [
    ("Harbourline Cells opens a pilot line for oxide separators",
     "Harbourline Cells said on Tuesday that its pilot line in Tarrow now coats oxide separators for "
     "prototype pouch cells. The company expects the first customer samples before the winter holidays."),
    ("Quillon Energy reports a sulfide electrolyte milestone",
     "Quillon Energy told investors that its sulfide electrolyte kept ninety percent of its capacity after "
     "eight hundred cycles in a laboratory test. Engineers now plan a larger cell format for next spring."),
    ("Marrowgate Motors delays its solid-state sedan",
     "Marrowgate Motors pushed the launch of its solid-state sedan back by a year, citing supplier "
     "qualification. Dealers were told that the current battery model stays on sale in the meantime."),
    ("Ostrava Ionics raises money for a lithium metal anode plant",
     "Ostrava Ionics closed a funding round to build a lithium metal anode plant near the river port. "
     "Construction of the first hall begins in March and the founders hope to hire two hundred people."),
    ("Pellworth Labs publishes a dendrite study",
     "Researchers at Pellworth Labs described how a thin polymer interlayer slowed dendrite growth in "
     "their ceramic cells. The paper compares three coating recipes and recommends the cheapest one."),
    ("Vantry Batteries signs a supply deal with a scooter maker",
     "Vantry Batteries agreed to supply semi-solid cells to an electric scooter maker from next year. "
     "Neither side disclosed the price, but the contract covers three years of deliveries."),
]


def page_html(index: int, *, charset: str = "utf-8") -> bytes:
    title, text = TOPICS[index % len(TOPICS)]
    return (f"<html><head><meta charset=\"{charset}\"><title>{title}</title></head><body><nav>Home News</nav>"
            f"<article><h1>{title}</h1><p>{text}</p><p>Story number {index} of the archive tests.</p>"
            f"</article></body></html>").encode(charset)


@dataclass
class Written:
    path: Path
    offsets: list[int]  # where each record starts
    record_ids: list[str | None]


def write_warc(path: Path, records: list[tuple[str, ...]], *, gz: bool = True) -> Written:
    """A WARC of ``records``: ("page", uri, index), ("type", uri, content type, body), ("redirect", uri, to),
    ("request", uri), ("status", uri, code). Response records with HTTP headers."""
    buffer = io.BytesIO()
    writer = WARCWriter(buffer, gzip=gz)
    offsets, ids = [], []
    for kind, uri, *rest in records:
        offsets.append(buffer.tell())
        if kind == "request":
            headers = StatusAndHeaders(f"GET {uri} HTTP/1.1", [("Host", "example.org")], protocol="HTTP/1.1",
                                       is_http_request=True)
            record = writer.create_warc_record(uri, "request", http_headers=headers)
        else:
            status, ctype, body = "200 OK", "text/html; charset=utf-8", b""
            extra: list[tuple[str, str]] = []
            if kind == "page":
                body = page_html(int(rest[0]))
            elif kind == "type":
                ctype, body = rest[0], rest[1].encode("latin-1") if isinstance(rest[1], str) else rest[1]
            elif kind == "redirect":
                status, extra, body = "301 Moved Permanently", [("Location", rest[0])], b"moved"
            elif kind == "status":
                status, body = rest[0], b"<html><body>missing</body></html>"
            headers = StatusAndHeaders(status, [("Content-Type", ctype), *extra], protocol="HTTP/1.1")
            record = writer.create_warc_record(uri, "response", payload=io.BytesIO(body), http_headers=headers,
                                               warc_headers_dict={"WARC-Date": "2024-05-06T07:08:09Z"})
        ids.append(record.rec_headers.get_header("WARC-Record-ID"))
        writer.write_record(record)
    path.write_bytes(buffer.getvalue())
    return Written(path, offsets, ids)


def write_jsonl(path: Path, lines: list[object], *, gz: bool = False) -> Path:
    """A JSONL dump: dicts are written as JSON, bytes and str as they are."""
    data = b"".join(
        (line if isinstance(line, bytes) else line.encode() if isinstance(line, str) else
         json.dumps(line).encode()) + b"\n"
        for line in lines
    )
    path.write_bytes(gzip.compress(data) if gz else data)
    return path
