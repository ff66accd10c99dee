"""Hostile and unlucky input (issue 12): pathological texts cost bounded time and memory, a bad record never
stops a batch, store errors say what happened, and every file problem is one line and exit 2."""

from __future__ import annotations

import errno
import json
import os
import re
import resource
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

import unspin
from unspin import Collection
from unspin.cli import main
from unspin.collection import store as store_module
from unspin.collection.ingest import Record, Skipped, records
from unspin.document import Document, decode, load
from unspin.errors import InputError, StoreError
from unspin.segment import MAX_SENTENCE_CHARS, MAX_SENTENCE_TOKENS, segment

from .conftest import SEED_A, SEED_B, need
from .test_collection import reuters

MB = 1_000_000


def _words() -> list[str]:
    """Words of real Reuters articles, in order."""
    return re.findall(r"\w+", " ".join(r["text"] for r in reuters(400)))


def pathological(kind: str, size: int = MB) -> str:
    """The 1 MB inputs of the issue, made of real text: one long word (its letters run together), one run-on
    sentence (its words, no full stop), 100k short lines (a word a line), punctuation only."""
    words = _words()
    if kind == "word":
        text = "".join(words)
    elif kind == "sentence":
        text = " ".join(w.lower() for w in words)
    elif kind == "lines":
        text = "\n".join(words[:100_000])
    else:
        text = "".join(re.findall(r"[^\w\s]", " ".join(r["text"] for r in reuters(4000))))
    while len(text) < size and kind != "lines":
        text += text
    return text[:size]


# ---------------------------------------------------------------- cost


@pytest.mark.parametrize("kind", ["word", "sentence", "lines"])
def test_pathological_text_is_cut_into_bounded_tokens_and_sentences(kind: str) -> None:
    seg = segment(Document(kind, pathological(kind)))
    assert seg.tokens and max(t.end - t.start for t in seg.tokens) <= 64
    assert max(s.last_token - s.first_token for s in seg.sentences) <= MAX_SENTENCE_TOKENS
    longest = max(len(s.span.text) for s in seg.sentences)
    assert longest <= MAX_SENTENCE_CHARS + 32
    for s in seg.sentences[:50]:  # offsets still point into the text
        assert seg.doc.text[s.span.start : s.span.end] == s.span.text
        for t in seg.sentence_tokens(seg.sentences.index(s)):
            assert s.span.start <= t.start < t.end <= s.span.end


@pytest.mark.parametrize("kind", ["word", "sentence", "punctuation"])
def test_pathological_megabyte_compares_under_a_memory_cap(kind: str, tmp_path: Path) -> None:
    """`unspin compare` of the 1 MB input against a real article in a process capped at 1.5 GB of address space
    (one long word took 77 s and 8.9 GB before): it answers, or refuses in one line, within 60 s."""
    path = tmp_path / f"{kind}.txt"
    path.write_text(pathological(kind), encoding="utf-8")
    cap = 1_500_000_000

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))

    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "unspin.cli", "compare", str(path), str(need(SEED_A)), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limit,
        env={**os.environ, "UNSPIN_THREADS": "1"},
    )
    assert time.monotonic() - started < 60
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    if done.returncode in (0, 1):  # related or not
        assert json.loads(done.stdout)["a"]["length"] == MB
    else:
        assert done.returncode == 2 and done.stderr.count("\n") == 1, done.stderr


@pytest.mark.parametrize("kind", ["word", "sentence", "lines", "punctuation"])
def test_pathological_megabyte_is_indexed_in_bounded_time(kind: str, tmp_path: Path) -> None:
    """index add of each 1 MB input (punctuation only took hours: a sketch pattern scanned to the end of the
    text from every full stop)."""
    text = pathological(kind)
    started = time.process_time()
    with Collection(tmp_path / "p.db") as collection:
        report = collection.add([Document(f"{kind}.txt", text)], workers=0)
    assert report.added + len(report.skipped) == 1
    assert time.process_time() - started < 30


def test_a_document_over_the_token_limit_is_refused_naming_it() -> None:
    text = " ".join(_words()[:5000])
    with pytest.raises(InputError, match=r"big\.txt: 5,\d\d\d words is over the 1,000-word limit for inspect"):
        segment(Document("big.txt", text), max_tokens=1000, task="inspect")
    with pytest.raises(InputError, match="20,000-word limit for inspect"):
        unspin.inspect(Document("long", " ".join(_words()[:30_000])))


# ---------------------------------------------------------------- a batch never dies on one record


def test_jsonl_lone_surrogate_deep_nesting_and_huge_number_are_skipped(tmp_path: Path) -> None:
    good = reuters(3)
    lines = [
        json.dumps({"id": good[0]["id"], "text": good[0]["text"]}),
        '{"id": "surrogate", "text": "a lone \\ud800 in the text"}',
        '{"id": "key\\udc00", "text": "fine text, bad id"}',
        "[" * 50_000 + "]" * 50_000,
        '{"id": "huge", "text": "t", "n": ' + "9" * 5000 + "}",
        json.dumps({"id": good[1]["id"], "text": good[1]["text"]}),
    ]
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(lines) + "\n", encoding="utf-8")
    found = list(records([feed]))
    assert [type(r) for r in found] == [Record, Skipped, Skipped, Skipped, Skipped, Record]
    assert "lone surrogate" in found[1].reason and "nested too deeply" in found[3].reason
    with Collection(tmp_path / "c.db") as collection:
        report = collection.add([feed], workers=0)
    assert report.added == 2 and len(report.skipped) == 4


def test_records_of_the_wrong_type_are_skipped() -> None:
    found = list(records([None, 3, Document("d", "a lone \ud800 surrogate")]))  # type: ignore[list-item]
    assert all(isinstance(r, Skipped) for r in found)
    assert "NoneType" in found[0].reason and "lone surrogate" in found[2].reason


# ---------------------------------------------------------------- store errors told apart


def _feed(tmp_path: Path, start: int, n: int) -> Path:
    rows = reuters(start + n)[start:]
    path = tmp_path / f"feed{start}.jsonl"
    path.write_text("".join(json.dumps({"id": r["id"], "text": r["text"]}) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_busy_collection_waits_and_then_says_busy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "busy.db"
    Collection(db).close()
    feed = _feed(tmp_path, 0, 3)
    holder = sqlite3.connect(db, isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")  # another writer, holding the lock

    def release() -> None:
        time.sleep(1.5)
        holder.execute("COMMIT")

    threading.Thread(target=release).start()
    with Collection(db) as collection:  # waits for the other writer, then writes
        assert collection.add([feed], workers=0).added == 3
    holder.execute("BEGIN IMMEDIATE")
    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_S", 0.5)
    try:
        with pytest.raises(StoreError) as caught, Collection(db) as collection:
            collection.add([_feed(tmp_path, 3, 2)], workers=0)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert "busy" in str(caught.value) and "damaged" not in str(caught.value)


def test_two_writers_serialise_and_both_finish(tmp_path: Path) -> None:
    db = tmp_path / "two.db"
    Collection(db).close()
    feeds = [_feed(tmp_path, 0, 40), _feed(tmp_path, 40, 40)]
    env = {**os.environ, "UNSPIN_THREADS": "1"}
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "unspin.cli", "index", "add", str(f), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for f in feeds
    ]
    outputs = [p.communicate(timeout=300) for p in processes]
    for p, (_out, err) in zip(processes, outputs, strict=True):
        assert p.returncode == 0, err
        assert "damaged" not in err
    with Collection(db) as collection:
        assert collection.stats()["documents"] == sum(int(re.search(r"added (\d+)", o).group(1)) for o, _ in outputs)


def test_a_full_disk_says_so_and_leaves_the_collection_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "full.db"
    with Collection(db) as collection:
        collection.add([_feed(tmp_path, 0, 5)], workers=0)
        before = collection.stats()
        (pages,) = collection.store.db.execute("PRAGMA page_count").fetchone()
        collection.store.db.execute(f"PRAGMA max_page_count = {pages + 2}")  # as a full disk would: SQLITE_FULL
        with pytest.raises(StoreError) as caught:
            collection.add([_feed(tmp_path, 5, 60)], workers=0)
    message = str(caught.value)
    assert "disk is full" in message and "damaged" not in message and "as it was" in message
    with Collection(db) as collection:
        after = collection.stats()
    assert after["documents"] == before["documents"] and after["postings"] == before["postings"]


def test_a_damaged_vector_says_damaged(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "vec.db"
    with Collection(db) as collection:
        collection.add([_feed(tmp_path, 0, 3)], workers=0)
        collection.store.db.execute("UPDATE vectors SET v = x'0102030405' WHERE doc = 2")
    query = tmp_path / "q.txt"
    query.write_text(reuters(1)[0]["text"], encoding="utf-8")
    assert main(["search", str(query), "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "damaged" in err and "vector" in err


@pytest.mark.parametrize("argv", [["index", "stats"], ["clusters"], ["show", "x"], ["search", "SEED"]])
def test_read_commands_refuse_a_collection_that_does_not_exist(
    argv: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    typo = tmp_path / "typo.db"
    argv = [str(need(SEED_A)) if a == "SEED" else a for a in argv]
    assert main([*argv, "--db", str(typo)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such collection" in err and str(typo) in err
    assert not typo.exists()


# ---------------------------------------------------------------- file problems: one line, exit 2


def _one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str], *words: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("unspin: error: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err, err


def test_a_fifo_is_refused_not_waited_on(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    _one_line_exit_2(["compare", str(fifo), str(need(SEED_A))], capsys, "pipe.txt", "not a regular file")
    _one_line_exit_2(["inspect", str(fifo)], capsys, "not a regular file")
    with Collection(tmp_path / "c.db") as collection:
        report = collection.add([fifo], workers=0)
    assert report.added == 0 and "not a regular file" in report.skipped[0].reason


def test_permission_denied(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("text", encoding="utf-8")

    def denied(self: Path) -> bytes:  # as for a file of another user (tests may run as root, who reads anything)
        raise PermissionError(errno.EACCES, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", denied)
    _one_line_exit_2(["compare", str(secret), str(need(SEED_A))], capsys, "secret.txt", "permission denied")


def test_a_name_too_long_and_a_symlink_loop(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long_name = tmp_path / ("n" * 300 + ".txt")
    _one_line_exit_2(["compare", str(long_name), str(need(SEED_A))], capsys, "name is too long")
    loop = tmp_path / "loop.txt"
    os.symlink(tmp_path / "other.txt", loop)
    os.symlink(loop, tmp_path / "other.txt")
    _one_line_exit_2(["compare", str(loop), str(need(SEED_A))], capsys, "loop.txt", "loop of symbolic links")


def test_utf16_without_bom_is_text(tmp_path: Path) -> None:
    text = need(SEED_B).read_text(encoding="utf-8")
    for codec in ("utf-16-le", "utf-16-be"):
        decoded, encoding = decode(text.encode(codec), "x")
        assert (decoded, encoding) == (text, codec)
    path = tmp_path / "utf16.txt"
    path.write_bytes(text.encode("utf-16-le"))
    assert unspin.compare(path, need(SEED_B)).related


def test_the_api_given_none_or_a_number_raises_input_error() -> None:
    for bad in (None, 3, 2.5, ["a list"]):
        with pytest.raises(InputError, match="path, a text or a Document"):
            load(bad)  # type: ignore[arg-type]
        with pytest.raises(InputError):
            unspin.compare(bad, "some text")  # type: ignore[arg-type]
    with pytest.raises(InputError):
        unspin.inspect(None)  # type: ignore[arg-type]


def test_collection_add_and_search_given_none_or_a_number(tmp_path: Path) -> None:
    with Collection(tmp_path / "c.db") as collection:
        for bad in (None, 3):
            with pytest.raises(InputError, match=type(bad).__name__):
                collection.add(bad)  # type: ignore[arg-type]
            with pytest.raises(InputError):
                collection.search(bad)  # type: ignore[arg-type]


def test_missing_inputs_exit_2_and_create_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "new.db"
    _one_line_exit_2(["index", "add", str(tmp_path / "nope.jsonl"), "--db", str(db)], capsys, "nope.jsonl")
    assert not db.exists()
    Collection(db).close()
    _one_line_exit_2(["search", str(tmp_path / "nope.txt"), "--db", str(db)], capsys, "nope.txt", "no such file")


def test_pan_with_a_bad_pairs_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = str(tmp_path / "out")
    _one_line_exit_2(["pan", str(tmp_path / "none"), ".", ".", out], capsys, "none", "cannot read the pairs file")
    binary = tmp_path / "pairs"
    binary.write_bytes(b"\xff\xfe\x00\xd8")
    _one_line_exit_2(["pan", str(binary), ".", ".", out], capsys, "not UTF-8")
    three = tmp_path / "pairs3"
    three.write_text("a.txt b.txt c.txt\n", encoding="utf-8")
    _one_line_exit_2(["pan", str(three), ".", ".", out], capsys, "pairs3:1", "expected")


def test_show_prints_ids_with_rich_markup(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    feed = tmp_path / "marked.jsonl"
    rows = [
        {"id": "a[/x]", "text": need(SEED_A).read_text(encoding="utf-8")},
        {"id": "[bold]b[/bold][/", "text": need(SEED_B).read_text(encoding="utf-8")},
    ]
    feed.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = str(tmp_path / "m.db")
    assert main(["index", "add", str(feed), "--db", db]) == 0
    capsys.readouterr()
    assert main(["show", "a[/x]", "--db", db]) == 0
    out = capsys.readouterr().out
    assert "A a[/x] (en)" in out and "[bold]b[/bold][/" in out
