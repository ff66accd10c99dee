"""The collection verbs: index add/stats, search, clusters, show; store errors; kill -9 during index add."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from unspin import Collection
from unspin.cli import main
from unspin.evaluation.spinner import spin

from .test_collection import reuters


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    rows = reuters(40)[:30]
    folder = tmp_path_factory.mktemp("cli")
    feed = folder / "feed.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    spun = folder / "spun.txt"
    spun.write_text(spin(rows[3]["text"], 0.3, 3).text, encoding="utf-8")
    return {"rows": rows, "feed": feed, "spun": spun, "db": folder / "cli.db", "folder": folder}


def test_index_add_stats_search_clusters_show(corpus: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    db = str(corpus["db"])
    assert main(["index", "add", str(corpus["feed"]), str(corpus["spun"]), "--db", db]) == 0
    out = capsys.readouterr().out
    assert "added 31" in out or "added 30" in out
    assert "docs/s" in out and "sentences/s" in out

    assert main(["index", "stats", "--db", db]) == 0
    assert "documents: " in capsys.readouterr().out

    original = corpus["rows"][3]["id"]
    assert main(["search", str(corpus["spun"]), "--db", db, "--top", "5", "--json"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 1
    answer = json.loads(lines[0])
    assert answer["query"] == str(corpus["spun"])
    assert original in [r["id"] for r in answer["results"]]
    assert set(answer["results"][0]) == {
        "id",
        "score",
        "relation",
        "disguise",
        "identical_to",
        "proven_on",
        "meta",
        "covered",
    }
    found = next(r for r in answer["results"] if r["id"] == original)
    assert found["meta"]["title"] == corpus["rows"][3]["title"] and found["meta"]["dated_by"] == "published"

    queries = corpus["folder"] / "queries.jsonl"
    queries.write_text(
        "".join(json.dumps({"id": f"q{i}", "text": corpus["rows"][i]["text"]}) + "\n" for i in (1, 2)), encoding="utf-8"
    )
    assert main(["search", str(queries), "--db", db, "--top", "3", "--json"]) == 0
    answers = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [a["query"] for a in answers] == ["q1", "q2"]
    assert answers[0]["results"][0] == {
        **answers[0]["results"][0],
        "id": corpus["rows"][1]["id"],
        "relation": "identical",
    }

    assert main(["clusters", "--db", db, "--json"]) == 0
    clusters = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert any({original, str(corpus["spun"])} <= set(c["members"]) for c in clusters)

    assert main(["show", str(corpus["spun"]), "--db", db]) == 0
    out = capsys.readouterr().out
    assert f"likeliest source: {original}" in out and "cluster:" in out


def test_store_errors_are_one_line_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    foreign = tmp_path / "other.sqlite"
    with sqlite3.connect(foreign) as db:
        db.execute("CREATE TABLE notes (x)")
    db.close()
    before = foreign.read_bytes()
    for argv in (["index", "stats", "--db", str(foreign)], ["clusters", "--db", str(foreign)]):
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.startswith("unspin: error: ") and err.count("\n") == 1 and "not an unspin collection" in err
    assert foreign.read_bytes() == before
    empty = tmp_path / "empty.db"
    Collection(empty).close()
    assert main(["show", "nope", "--db", str(empty)]) == 2
    assert "no such document" in capsys.readouterr().err


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_kill_9_during_index_add_leaves_a_consistent_collection(tmp_path: Path) -> None:
    rows = reuters(2400)
    feed = tmp_path / "feed.jsonl"
    # short documents (the first paragraph), so three transactions (of BATCH) take seconds, not minutes
    feed.write_text(
        "".join(json.dumps({"id": r["id"], "text": r["text"].split("\n")[0][:300]}) + "\n" for r in rows if r["text"]),
        encoding="utf-8",
    )
    total = len(feed.read_text(encoding="utf-8").splitlines())
    db = tmp_path / "killed.db"
    command = [sys.executable, "-m", "unspin.cli", "index", "add", str(feed), "--db", str(db)]
    env = {**os.environ, "UNSPIN_THREADS": "1"}
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 120
    committed = 0
    while time.monotonic() < deadline and process.poll() is None:
        committed = _count(db)
        if committed > 0:
            break
        time.sleep(0.05)
    if process.poll() is not None:
        pytest.fail(f"index add ended before it could be killed: {process.stderr.read() if process.stderr else ''}")
    workers = _children(process.pid)
    process.send_signal(signal.SIGKILL)
    process.wait()
    if process.stderr:
        process.stderr.close()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(_running(pid) for pid in workers):
        time.sleep(0.2)
    assert not [pid for pid in workers if _running(pid)]  # its worker processes do not outlive it

    with Collection(db) as collection:
        stats = collection.stats()
        documents = stats["texts"]
        assert 0 < documents < total  # killed mid-way, and what was committed is there
        db_ = collection.store.db
        assert stats["vectors"] == documents  # every document fully in: vector, sketches, postings
        assert db_.execute("SELECT COUNT(*) FROM sketches").fetchone()[0] == documents
        runs = db_.execute("SELECT doc FROM posting_runs").fetchall()
        assert len(np.unique(np.concatenate([np.frombuffer(r[0], np.int64) for r in runs]))) == documents
        assert db_.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    assert f"unchanged {stats['documents']}," in done.stdout
    with Collection(db) as collection:
        stats = collection.stats()
        assert stats["documents"] == stats["texts"] + stats["identical_copies"] == total
        assert stats["vectors"] == stats["texts"]


def _stat(pid: int) -> list[str] | None:
    """Fields of /proc/PID/stat after the command name (state first, then the parent's pid); None when gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    except OSError:
        return None


def _children(pid: int) -> list[int]:
    found = [int(p.name) for p in Path("/proc").iterdir() if p.name.isdigit()]
    return [child for child in found if (fields := _stat(child)) and fields[1] == str(pid)]


def _running(pid: int) -> bool:
    fields = _stat(pid)
    return fields is not None and fields[0] != "Z"  # an exited child nobody reaped yet is a zombie


def _count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0.1) as con:
            row = con.execute("SELECT COUNT(*) FROM docs").fetchone()
        con.close()
        return int(row[0])
    except sqlite3.Error:
        return 0
