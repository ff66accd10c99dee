import json
from pathlib import Path

import pytest

import unspin
from unspin.cli import main

from .conftest import DATA, EXAMPLES, SEED_A, SEED_B, need


def test_compare_json_is_exactly_to_dict(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(EXAMPLES / "article.txt"), str(EXAMPLES / "spun.txt"), "--json"]) == 0
    printed = json.loads(capsys.readouterr().out)
    expected = unspin.compare(EXAMPLES / "article.txt", EXAMPLES / "spun.txt").to_dict()
    for volatile in (printed, expected):
        volatile.pop("timings_ms")
    assert printed == expected


def test_compare_terminal_and_html(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert main(["compare", str(need(SEED_A)), str(need(SEED_B)), "--html", str(out)]) == 0
    shown = capsys.readouterr().out
    assert "RELATED" in shown and "common-source" in shown
    page = out.read_text(encoding="utf-8")
    assert 'title="International Criminal' in page and ">Global Lawbreaker" in page
    assert "http://" not in page and "https://" not in page


@pytest.mark.parametrize(
    ("content", "problem"),
    [(b"", "empty"), (b"\x00\xff\x00\xfe" * 100, "binary"), (b"ab\x81\x8d\x8f\x90cd", "neither UTF-8")],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, problem: str
) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_bytes(content)
    assert main(["compare", str(bad), str(EXAMPLES / "article.txt")]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and str(bad) in err and problem in err
    assert "Traceback" not in err


def test_missing_and_huge_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["compare", str(tmp_path / "nope.txt"), str(EXAMPLES / "article.txt")]) == 2
    assert "no such file" in capsys.readouterr().err
    huge = tmp_path / "huge.txt"
    with huge.open("wb") as handle:
        handle.truncate(50_000_000)
    assert main(["compare", str(huge), str(EXAMPLES / "article.txt")]) == 2
    assert "MB limit" in capsys.readouterr().err


def test_pan_writes_detections_and_reports_skipped_pairs(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    pan = need(DATA / "pan13-dev")
    susp, src = (pan / "02-no-obfuscation" / "pairs").read_text(encoding="utf-8").split("\n")[0].split()
    pairs = tmp_path / "pairs"
    pairs.write_text(f"{susp} {src}\nsuspicious-document99999.txt {src}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["pan", str(pairs), str(pan / "src"), str(pan / "susp"), str(out)]) == 2  # a pair unread: an error
    captured = capsys.readouterr()
    assert "2 pairs: 1 detection files written" in captured.out
    assert "skipped suspicious-document99999.txt" in captured.err and "no such file" in captured.err
    assert (out / f"{Path(susp).stem}-{Path(src).stem}.xml").read_text(encoding="utf-8").count("detected-plagiarism")
