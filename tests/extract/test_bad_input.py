"""Bad input: empty, huge, binary, unpunctuated, one 5,000-word sentence. No crash, no hang."""

import subprocess
import sys
from pathlib import Path

from ssbrace.extract.pipeline import extract_claims

SSBRACE = str(Path(sys.executable).parent / "ssbrace")


def test_empty_text_has_no_claims(tiny_pack):
    assert extract_claims("", domain=tiny_pack) == []
    assert extract_claims("   \n\t", domain=tiny_pack) == []


def test_one_sentence_of_5000_words_is_chunked_and_still_read(tiny_pack):
    filler = " ".join(["battery"] * 2500)
    text = f"{filler} Acme aims to mass-produce solid-state cells by 2029 {filler}"
    claims = extract_claims(text, domain=tiny_pack)
    assert [(c.kind, c.subject, c.year) for c in claims] == [("target", "Acme", 2029)]
    assert all(len(c.evidence.sentence) <= 1200 for c in claims)


def test_text_without_punctuation(tiny_pack):
    text = "acme borealis zenith " * 3000 + "Acme holds 12% of the market"
    claims = extract_claims(text, domain=tiny_pack)
    assert any(c.kind == "market_share" and c.value == 12 for c in claims)


def test_twenty_megabytes(tiny_pack):
    filler = "the weather in the valley was mild and the roads were quiet all week long. " * 1300
    block = filler + "Acme aims to mass-produce solid-state cells by 2029.\n"
    text = block * (20_000_000 // len(block)) + "Acme aims to start a pilot line by 2031.\n"
    assert len(text) > 19_000_000
    claims = extract_claims(text, domain=tiny_pack)
    assert all(c.kind == "target" and c.subject == "Acme" for c in claims)
    # The claim repeated in every block is one claim; the last sentence of 20 MB is still read.
    assert [c.year for c in claims] == [2029, 2031]
    assert claims[1].evidence.start > 19_000_000


def test_binary_bytes_and_control_characters_do_not_crash(tiny_pack):
    junk = bytes(range(256)).decode("latin-1") * 50
    assert isinstance(extract_claims(junk, domain=tiny_pack), list)


def test_cli_reports_unreadable_input_after_writing_the_rest(tmp_path):
    good = tmp_path / "good.txt"
    good.write_text("Toyota aims to mass-produce all-solid-state cells by 2028.", encoding="utf-8")
    binary = tmp_path / "blob.txt"
    binary.write_bytes(bytes(range(256)) * 40)
    missing = tmp_path / "missing.txt"
    run = subprocess.run([SSBRACE, "extract", "--jsonl", str(binary),
                          str(missing), str(good)], capture_output=True, text=True, timeout=120)
    assert run.returncode != 0
    lines = [line for line in run.stdout.splitlines() if line.strip()]
    assert lines and all(line.startswith("{") for line in lines)
    assert "Toyota" in run.stdout
    assert str(missing) in run.stderr and str(binary) in run.stderr
