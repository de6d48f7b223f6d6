"""The real ``ssbrace`` console script: stories, brief, topics, subscribe, digest (to aiosmtpd), feed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import feedparser
import pytest

from ssbrace.stories.features import figure_keys
from tests.delivery.stories_data import HOSTILE_TITLE, seed

SSBRACE = str(Path(sys.executable).parent / "ssbrace")
LABELLED = Path(__file__).resolve().parents[1] / "data" / "stories"
TOPIC = "solid-state-batteries"  # a topic of the bundled domain pack


@pytest.fixture
def cli(tmp_path, db_url):
    env = dict(os.environ)
    env.update(
        HOME=str(tmp_path / "home"),
        XDG_CONFIG_HOME=str(tmp_path / "config"),
        XDG_DATA_HOME=str(tmp_path / "data"),
        SSBRACE_CONFIG=str(tmp_path / "no-config.toml"),
        SSBRACE_BASE_URL="https://brief.example",
        SSBRACE_SMTP_FROM="digest@brief.example",
        COLUMNS="220",
    )
    env.pop("SSBRACE_DB", None)

    def run(*args: str, **extra_env: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [SSBRACE, "--db", db_url, *args],
            env={**env, **extra_env},
            capture_output=True,
            text=True,
            timeout=300,
        )

    run.env = env  # type: ignore[attr-defined]
    return run


@pytest.fixture
def invoke(cli, db_url):
    """The same commands in this process (fast): for the paths that succeed."""
    from typer.testing import CliRunner

    from ssbrace.cli.main import _register, app

    _register()
    runner = CliRunner()

    def run(*args: str, **extra_env: str):
        env = {k: v for k, v in cli_env(cli).items() if k.startswith(("SSBRACE_", "XDG_", "HOME"))}
        result = runner.invoke(app, ["--db", db_url, *args], env={**env, **extra_env})
        if result.exception and not isinstance(result.exception, SystemExit):
            raise result.exception
        return result

    return run


def cli_env(cli) -> dict[str, str]:
    return cli.env


def _topic_exists() -> None:
    from ssbrace.domains.loader import load_domain

    if TOPIC not in {t.slug for t in load_domain("solid_state_batteries").topics}:
        pytest.skip(f"the bundled domain pack has no topic {TOPIC!r}")


def test_commands_over_stored_documents(cli, invoke, store, tmp_path, smtp_server):
    _topic_exists()
    seed(store)
    listed = invoke("stories", "--json")
    assert listed.exit_code == 0, listed.output
    stories = json.loads(listed.stdout)
    assert len(stories) == 3
    plant = next(s for s in stories if s["headline"] == HOSTILE_TITLE)
    assert sorted(d["location"] for d in plant["documents"]) == ["plant.txt", "plant2.txt"]
    assert plant["source_count"] == 2 and plant["documents"][0]["url"].startswith("https://")
    assert len(json.loads(invoke("stories", "--json", "--since", "7d").stdout)) == 2

    brief = invoke("brief", str(plant["id"]))
    assert "Summary based on 2 sources:" in brief.stdout and "[1]" in brief.stdout
    assert TOPIC in invoke("topics").stdout

    assert "subscribed: ann@example.org" in invoke("subscribe", "ann@example.org", "--topic", TOPIC).stdout
    assert "subscribed: bob@example.org" in invoke("subscribe", "Bob@Example.org", "--topic", TOPIC).stdout
    assert "already subscribed" in invoke("subscribe", "ann@example.org", "--topic", TOPIC).stdout

    html = invoke("digest", "--topic", TOPIC, "--since", "7d", "--format", "html").stdout
    assert "&lt;script&gt;" in html and "<script>" not in html
    text = invoke("digest", "--topic", TOPIC, "--since", "7d").stdout
    assert HOSTILE_TITLE in text and "What changed" in text

    smtp = {"SSBRACE_SMTP_HOST": "127.0.0.1", "SSBRACE_SMTP_PORT": str(smtp_server.port)}
    sent = invoke("digest", "--topic", TOPIC, "--since", "7d", "--send", **smtp)
    assert sent.exit_code == 0, sent.output
    assert "sent: ann@example.org" in sent.stdout and "sent: bob@example.org" in sent.stdout
    assert sorted(r for m in smtp_server.handler.messages for r in m.rcpt_tos) == [
        "ann@example.org",
        "bob@example.org",
    ]
    twice = invoke("digest", "--topic", TOPIC, "--since", "7d", "--send", **smtp)
    assert "0 sent, 2 skipped" in twice.stdout and len(smtp_server.handler.messages) == 2
    assert "unsubscribed bob@example.org from 1 topic(s)" in invoke("unsubscribe", "bob@example.org").stdout

    out = tmp_path / "feed.xml"
    feed = invoke("feed", "--topic", TOPIC, "--out", str(out))
    assert feed.exit_code == 0 and "3 stories" in feed.stderr and feed.stdout == ""
    parsed = feedparser.parse(out.read_bytes())
    assert not parsed.bozo and len(parsed.entries) == 3 and HOSTILE_TITLE in [e.title for e in parsed.entries]
    # without --out the feed goes to standard output, nothing else with it
    piped = invoke("feed", "--topic", TOPIC)
    assert piped.exit_code == 0 and piped.stdout_bytes == out.read_bytes()

    # the real console script: one-line errors and exit codes
    bad = cli("subscribe", "not-an-address", "--topic", "nope")
    assert bad.returncode == 2 and bad.stderr.strip() == "error: not an email address: 'not-an-address'"
    missing = cli("feed", "--topic", TOPIC, "--out", str(tmp_path / "no" / "such" / "feed.xml"))
    assert missing.returncode == 1 and "cannot write feed" in missing.stderr


def test_smtp_down_is_one_line_and_nothing_sent(cli, store, dead_smtp_port):
    _topic_exists()
    seed(store)
    cli("subscribe", "ann@example.org", "--topic", TOPIC)
    down = cli("digest", "--topic", TOPIC, "--since", "7d", "--send", SSBRACE_SMTP_PORT=str(dead_smtp_port))
    assert down.returncode == 1
    assert f"cannot reach SMTP server 127.0.0.1:{dead_smtp_port}" in down.stderr
    assert "Traceback" not in down.stderr and len(down.stderr.strip().splitlines()) == 1


def test_end_to_end_with_real_ingestion_and_extraction(cli, invoke, tmp_path, smtp_server):
    """Ingest a folder of articles, then stories, briefs, a digest in a real mailbox and a feed."""
    try:
        import ssbrace.documents.ingest  # noqa: F401
        import ssbrace.extract.pipeline  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"ingestion or extraction not available yet: {exc}")
    _topic_exists()
    folder = tmp_path / "articles"
    folder.mkdir()
    labels = json.loads((LABELLED / "labels.json").read_text())
    wanted = {"toyota-idemitsu", "samsung-sdi-roadmap", "samsung-sdi-46", "korea-fund"}
    chosen = sorted(name for name, label in labels.items() if label["story"] in wanted)
    for name in chosen:
        shutil.copy(LABELLED / name, folder / name)
    ingested = cli("ingest", str(folder))
    assert ingested.returncode == 0, ingested.stderr

    stories = json.loads(invoke("stories", "--json").stdout)
    groups = sorted(sorted(Path(d["location"]).name for d in s["documents"]) for s in stories)
    expected = sorted(sorted(n for n in chosen if labels[n]["story"] == story) for story in wanted)
    assert groups == expected  # one story per event, the two Samsung SDI announcements apart

    texts = {
        Path(d["location"]).name: (folder / Path(d["location"]).name).read_text()
        for s in stories
        for d in s["documents"]
    }
    for story in stories:
        brief = json.loads(invoke("brief", str(story["id"]), "--json").stdout)
        by_id = {src["document_id"]: Path(src["link"]).name for src in brief["sources"]}
        assert brief["based_on"].startswith("Summary based on")
        for bullet in brief["bullets"]:
            cited = set().union(*(figure_keys(texts[by_id[c]]) for c in bullet["citations"]))
            assert figure_keys(bullet["text"]) <= cited  # every figure traceable to a cited source
        if len(story["documents"]) >= 3:
            assert 3 <= len(brief["bullets"]) <= 8

    invoke("subscribe", "reader@example.org", "--topic", TOPIC)
    sent = invoke(
        "digest",
        "--topic",
        TOPIC,
        "--since",
        "2023-01-01",
        "--send",
        SSBRACE_SMTP_HOST="127.0.0.1",
        SSBRACE_SMTP_PORT=str(smtp_server.port),
    )
    assert sent.exit_code == 0, sent.output
    [mail] = smtp_server.handler.to("reader@example.org")
    assert "Toyota" in mail.part("plain") and "Summary based on" in mail.part("html")
    out = tmp_path / "feed.xml"
    assert invoke("feed", "--topic", TOPIC, "--out", str(out)).exit_code == 0
    parsed = feedparser.parse(out.read_bytes())
    assert not parsed.bozo and len(parsed.entries) == len(stories)


def test_brief_of_hard_wrapped_articles_from_real_ingestion(cli, invoke):
    """`ssbrace ingest` then `ssbrace brief` on wrapped Markdown and text: whole sentences, no source lines."""
    try:
        import ssbrace.documents.ingest  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"ingestion not available yet: {exc}")
    folder = Path(__file__).resolve().parents[1] / "data" / "stories_wrapped"
    ingested = cli("ingest", str(folder))
    assert ingested.returncode == 0, ingested.stderr
    [story] = json.loads(invoke("stories", "--json").stdout)
    shown = invoke("brief", str(story["id"])).stdout.splitlines()
    bullets = [line[3:] for line in shown if line.startswith(" - ")]
    assert 3 <= len(bullets) <= 8
    assert all(b[:1].isupper() and "Sources:" not in b for b in bullets), bullets
    assert "Summary based on 2 sources:" in shown
    texts = {p.name: p.read_text() for p in folder.iterdir()}
    brief = json.loads(invoke("brief", str(story["id"]), "--json").stdout)
    by_id = {src["document_id"]: Path(src["link"]).name for src in brief["sources"]}
    for bullet in brief["bullets"]:
        cited = set().union(*(figure_keys(texts[by_id[c]]) for c in bullet["citations"]))
        assert figure_keys(bullet["text"]) <= cited
