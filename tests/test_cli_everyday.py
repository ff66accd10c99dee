"""Everyday use of the command (issue 17): --version, exit statuses as grep's, - for standard input, quiet on a
closed pipe, index ls, related hits only, progress on stderr, grouped substitutions, --help examples."""

from __future__ import annotations

import argparse
import io
import itertools
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import unspin
from unspin.cli import _parser, main

from .conftest import DATA, EXAMPLES, SEED_A, SEED_B, need
from .test_collection import reuters

ARTICLE, SPUN = EXAMPLES / "article.txt", EXAMPLES / "spun.txt"


def _unspin(*args: str, stdin: bytes | None = None, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "unspin.cli", *args],
        input=stdin,
        capture_output=True,
        timeout=600,
        env={**os.environ, "UNSPIN_THREADS": "1", **(env or {})},
        check=False,
    )


def _stdin(monkeypatch: pytest.MonkeyPatch, data: bytes) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, Any]]:
    return reuters(40)[:12]


@pytest.fixture(scope="module")
def db(rows: list[dict[str, Any]], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small collection: twelve Reuters articles, one of them also under an id that is rich markup."""
    folder = tmp_path_factory.mktemp("everyday")
    feed = folder / "feed.jsonl"
    marked = {**rows[0], "id": "[bold]x[/bold][/", "title": "[red]t[/red]"}
    feed.write_text("".join(json.dumps(r) + "\n" for r in [*rows, marked]), encoding="utf-8")
    path = folder / "e.db"
    assert main(["index", "add", str(feed), "--db", str(path)]) == 0
    return path


def test_version_and_no_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.strip() == f"unspin {unspin.__version__}"
    assert main([]) == 2
    err = capsys.readouterr().err
    assert "usage: unspin" in err and "compare" in err and "required" not in err
    assert main(["index"]) == 2
    err = capsys.readouterr().err
    assert "ls" in err and "add" in err and "required" not in err


def _commands(parser: argparse.ArgumentParser, name: str = "unspin") -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(name, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for verb, sub in action.choices.items():
                found += _commands(sub, f"{name} {verb}")
    return found


def test_every_help_has_an_example_and_its_defaults() -> None:
    commands = _commands(_parser())
    assert {"unspin compare", "unspin index ls", "unspin search", "unspin pan", "unspin crawl"} <= {
        n for n, _ in commands
    }
    for name, parser in commands:
        shown = parser.format_help()
        assert "example" in shown and f"\n  {name}" in shown, name  # an example that runs this very command
        for action in parser._actions:
            unset = action.default is None or action.default is False or action.default in ([], argparse.SUPPRESS)
            if action.option_strings and not unset:
                assert action.help and f"(default: {action.default})" in " ".join(shown.split()), (name, action.dest)
    compare = dict(commands)["unspin compare"].format_help()
    assert "exit status: 0 related, 1 unrelated, 2 error" in compare
    assert "1 nothing flagged" in dict(commands)["unspin inspect"].format_help()


def test_compare_exit_status_is_grep_like(rows: list[dict[str, Any]], tmp_path: Path) -> None:
    assert main(["compare", str(ARTICLE), str(SPUN), "--json"]) == 0  # related
    other = tmp_path / "other.txt"
    other.write_text(rows[0]["text"], encoding="utf-8")
    assert main(["compare", str(ARTICLE), str(other), "--json"]) == 1  # unrelated
    assert main(["compare", str(ARTICLE), str(tmp_path / "nope.txt")]) == 2  # an error


def test_inspect_exit_status(rows: list[dict[str, Any]], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text(rows[0]["text"], encoding="utf-8")
    assert main(["inspect", str(plain), "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["tortured"] == []
    assert main(["inspect", str(need(SEED_B)), "--json"]) == 0  # the spun seed: tortured phrases
    assert json.loads(capsys.readouterr().out)["tortured"]


def test_standard_input_as_a_document(
    db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _stdin(monkeypatch, SPUN.read_bytes())
    assert main(["compare", str(ARTICLE), "-", "--json"]) == 0
    piped = json.loads(capsys.readouterr().out)
    expected = unspin.compare(ARTICLE, SPUN).to_dict()
    assert piped["relation"] == expected["relation"] and piped["passages"] == expected["passages"]
    assert piped["b"]["path"] is None
    _stdin(monkeypatch, need(SEED_B).read_bytes())
    assert main(["inspect", "-", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tortured"]
    assert main(["compare", "-", "-"]) == 2
    assert "only one" in capsys.readouterr().err
    _stdin(monkeypatch, b"")
    assert main(["compare", str(ARTICLE), "-"]) == 2
    assert "<stdin>: the file is empty" in capsys.readouterr().err
    huge = b"word " * (int(unspin.settings.get("max_bytes")) // 5 + 1)
    for argv in (["compare", str(ARTICLE), "-"], ["search", "-", "--db", str(db)], ["inspect", "-"]):
        _stdin(monkeypatch, huge)
        assert main(argv) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and "<stdin>: over the " in err and "MB limit" in err, err


def test_standard_input_as_jsonl(rows: list[dict[str, Any]], db: Path, tmp_path: Path) -> None:
    lines = "".join(json.dumps({"id": f"q{i}", "text": rows[i]["text"]}) + "\n" for i in (1, 2)).encode()
    done = _unspin("search", "-", "--db", str(db), "--json", stdin=lines)
    assert done.returncode == 0, done.stderr
    answers = [json.loads(line) for line in done.stdout.splitlines()]
    assert [a["query"] for a in answers] == ["q1", "q2"]
    assert answers[0]["results"][0]["id"] == rows[1]["id"] and answers[0]["results"][0]["relation"] == "identical"
    fresh = tmp_path / "fresh.db"
    feed = "".join(json.dumps(r) + "\n" for r in rows[:3]).encode() + b"not json\n"
    done = _unspin("index", "add", "-", "--db", str(fresh), stdin=feed)
    assert done.returncode == 0 and "added 3" in done.stdout.decode(), done.stderr
    assert "skipped 1: 1 unreadable" in done.stderr.decode()
    listed = _unspin("index", "ls", "--db", str(fresh))
    assert [line.split("\t")[0] for line in listed.stdout.decode().splitlines()] == [r["id"] for r in rows[:3]]


def test_search_shows_related_hits_unless_all(
    rows: list[dict[str, Any]], db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    query = tmp_path / "query.txt"
    query.write_text(rows[5]["text"], encoding="utf-8")
    assert main(["search", str(query), "--db", str(db), "--json"]) == 0
    related = json.loads(capsys.readouterr().out)["results"]
    assert [r["id"] for r in related] == [rows[5]["id"]] and related[0]["relation"] == "identical"
    assert main(["search", str(query), "--db", str(db), "--json", "--all"]) == 0
    everything = json.loads(capsys.readouterr().out)["results"]
    assert len(everything) > 1 and {r["relation"] for r in everything[1:]} <= {"unrelated", "unverified"}
    assert main(["search", str(ARTICLE), "--db", str(db)]) == 1  # nothing related stored
    out = capsys.readouterr().out
    assert "no related document stored" in out and "unrelated" not in out.replace("no related", "")


def test_index_ls_prints_ids_and_titles_literally(
    rows: list[dict[str, Any]], db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["index", "ls", "--db", str(db), "--json"]) == 0
    listed = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [d["id"] for d in listed] == [rows[0]["id"], "[bold]x[/bold][/", *(r["id"] for r in rows[1:])]
    assert set(listed[0]) == {"id", "title", "site", "date"}
    assert (listed[0]["title"], listed[0]["site"]) == (rows[0]["title"], rows[0]["site"])
    assert listed[0]["date"].startswith(rows[0]["date"][:10])
    assert main(["index", "ls", "--db", str(db)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[1].startswith("[bold]x[/bold][/\t[red]t[/red]")
    assert main(["show", "nope", "--db", str(db)]) == 2
    assert "`unspin index ls` lists the stored ids" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["clusters", "--min-size", "1"], ["index", "stats"], ["index", "ls"], ["search", "QUERY", "--json", "--all"]],
)
def test_a_closed_pipe_ends_quietly(rows: list[dict[str, Any]], db: Path, tmp_path: Path, argv: list[str]) -> None:
    query = tmp_path / "query.txt"
    query.write_text("".join(json.dumps(r) + "\n" for r in rows * 30), encoding="utf-8")
    query = query.rename(tmp_path / "queries.jsonl")
    args = [str(query) if a == "QUERY" else a for a in argv]
    command = [sys.executable, "-m", "unspin.cli", *args, "--db", str(db)]
    env = {**os.environ, "UNSPIN_THREADS": "1"}
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env) as process:
        assert process.stdout and process.stderr
        first = process.stdout.readline()
        process.stdout.close()  # what `| head -1` does after its line
        err = process.stderr.read().decode()
        code = process.wait(timeout=300)
    assert first.strip() and "Traceback" not in err and "BrokenPipe" not in err and err == "", err
    assert code in (0, 141)


def test_a_closed_pipe_under_the_terminal_report_is_no_verdict(monkeypatch: pytest.MonkeyPatch) -> None:
    """rich's own answer to a closed pipe is exit 1, which `compare` uses for "unrelated"."""

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

    monkeypatch.setattr(sys, "stdout", ClosedPipe())
    assert main(["compare", str(ARTICLE), str(SPUN)]) == 141


def test_head_closing_the_pipe_in_a_shell(db: Path) -> None:
    done = subprocess.run(
        f"{sys.executable} -m unspin.cli index ls --db {db} | head -1",
        shell=True,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.stdout.count("\n") == 1 and done.stderr == "", done.stderr


def test_progress_on_1000_documents(tmp_path: Path) -> None:
    """index add of 1,000 Reuters documents: progress lines with the total and the time left, on stderr only."""
    feed = tmp_path / "r1000.jsonl"
    feed.write_text("".join(json.dumps(r) + "\n" for r in reuters(1000)), encoding="utf-8")
    done = _unspin("index", "add", str(feed), "--db", str(tmp_path / "p.db"), env={"UNSPIN_PROGRESS": "1"})
    assert done.returncode == 0, done.stderr
    out, err = done.stdout.decode(), done.stderr.decode()
    assert out.startswith("added 998 ") and out.count("\n") == 1  # stdout: the summary only (2 have no text)
    lines = [line for line in err.splitlines() if line.startswith("indexing: ")]
    moving = [line for line in lines if " left" in line]
    assert len(moving) >= 2 and all(" of 1,000 documents (" in line for line in moving), err
    done_counts = [int(line.split()[1].replace(",", "")) for line in moving]
    assert (
        done_counts == sorted(done_counts)
        and done_counts[0] < 1000
        and max(b - a for a, b in itertools.pairwise(done_counts)) <= 256
    )
    assert lines[-1].startswith("indexing: 1,000 of 1,000 documents, done in ")
    quiet = _unspin("index", "ls", "--db", str(tmp_path / "p.db"), "--json", env={"UNSPIN_PROGRESS": "1"})
    assert len(quiet.stdout.splitlines()) == 998 and quiet.stderr == b""  # a quick command: no progress at all
    clusters = _unspin("clusters", "--db", str(tmp_path / "p.db"), "--json", env={"UNSPIN_PROGRESS": "1"})
    assert clusters.returncode == 0 and all(json.loads(line)["members"] for line in clusters.stdout.splitlines())
    proving = clusters.stderr.decode().splitlines()
    assert proving[-1].startswith("proving links: ") and ", done in " in proving[-1], proving
    assert any(" links (" in line and " left" in line for line in proving), proving


def test_pan_progress(tmp_path: Path) -> None:
    pan = need(DATA / "pan13-dev")
    pairs = (pan / "02-no-obfuscation" / "pairs").read_text(encoding="utf-8").splitlines()[:12]
    listed = tmp_path / "pairs"
    listed.write_text("\n".join(pairs) + "\n", encoding="utf-8")
    done = _unspin(
        "pan", str(listed), str(pan / "src"), str(pan / "susp"), str(tmp_path / "out"), env={"UNSPIN_PROGRESS": "1"}
    )
    assert done.returncode == 0, done.stderr
    err = done.stderr.decode()
    assert "comparing: 12 of 12 pairs, done in " in err and " of 12 pairs (" in err and " left" in err, err
    assert done.stdout.decode().startswith("12 pairs: 12 detection files written")


def test_substitutions_grouped_and_cut(capsys: pytest.CaptureFixture[str]) -> None:
    seed = unspin.compare(need(SEED_A), need(SEED_B))
    assert main(["compare", str(SEED_A), str(SEED_B)]) == 0
    short = capsys.readouterr().out
    distinct = len({(s.a.text, s.b.text) for s in seed.substitutions})
    assert f"and {distinct - 15} more (--full lists them all)" in short
    rows = [line for line in short[short.index(" distinct (") :].splitlines() if line.startswith("│")]
    assert len(rows) == 15
    assert main(["compare", str(SEED_A), str(SEED_B), "--full"]) == 0
    full = capsys.readouterr().out
    assert " more (--full" not in full and "--full shows them whole" not in full
    longest = max((p.b.text for p in seed.passages), key=len)
    words = longest.split()
    assert " ".join(words[-6:]) in " ".join(full.replace("│", " ").split())  # the passage's end, not cut
    assert "--full shows them whole" in short


def test_identical_texts_are_identical_in_compare_and_search(
    db: Path, rows: list[dict[str, Any]], tmp_path: Path
) -> None:
    same = unspin.compare(rows[3]["text"], rows[3]["text"])
    assert same.related and same.relation == "identical" and same.direction_confidence == 1.0
    with unspin.Collection(db) as collection:
        assert collection.search(rows[3]["text"], top=1)[0].relation == "identical"


def test_search_progress_keeps_stdout_json(rows: list[dict[str, Any]], db: Path, tmp_path: Path) -> None:
    queries = tmp_path / "queries.jsonl"
    queries.write_text("".join(json.dumps({**r, "id": f"q{i}"}) + "\n" for i, r in enumerate(rows)), encoding="utf-8")
    done = _unspin("search", str(queries), "--db", str(db), "--json", env={"UNSPIN_PROGRESS": "1"})
    assert done.returncode == 0, done.stderr
    assert [json.loads(line)["query"] for line in done.stdout.splitlines()] == [f"q{i}" for i in range(len(rows))]
    err = done.stderr.decode().splitlines()
    assert err and all(line.startswith("searching: ") for line in err)
    assert err[-1].startswith(f"searching: {len(rows)} of {len(rows)} queries, done in "), err
