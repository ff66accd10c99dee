"""PlagDet on hand-made cases (values worked out by hand) and the PAN XML round trip on real data."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from unspin.evaluation import (
    Annotation,
    plagdet,
    read_annotations,
    read_pairs,
    read_truth,
    run_pan,
    write_detections,
)
from unspin.evaluation.pan import DETECTION_NAME, pair_stem

PAN = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "pan13-dev"

S, R = "suspicious-document00001.txt", "source-document00001.txt"


def ann(this: tuple[int, int], source: tuple[int, int], susp: str = S, src: str = R) -> Annotation:
    """An annotation from (start, end) ranges, end exclusive."""
    return Annotation(susp, this[0], this[1] - this[0], src, source[0], source[1] - source[0])


CASE = ann((0, 100), (0, 100))  # 200 characters: 100 suspicious + 100 source


def test_perfect_detection_scores_one() -> None:
    s = plagdet([CASE], [CASE])
    assert (s.precision, s.recall, s.granularity, s.plagdet) == (1.0, 1.0, 1.0, 1.0)


def test_half_recall() -> None:
    # the detection covers 50 + 50 of the case's 200 characters, and nothing else
    s = plagdet([CASE], [ann((0, 50), (0, 50))])
    assert s.recall == 0.5
    assert s.precision == 1.0
    assert s.granularity == 1.0
    assert s.plagdet == pytest.approx(2 / 3)  # F1(1, 0.5) / log2(2)


def test_overlong_detection_halves_precision() -> None:
    s = plagdet([CASE], [ann((0, 200), (0, 200))])
    assert (s.recall, s.precision) == (1.0, 0.5)


def test_two_detections_for_one_case_give_granularity_two() -> None:
    s = plagdet([CASE], [ann((0, 50), (0, 50)), ann((50, 100), (50, 100))])
    assert (s.recall, s.precision, s.granularity) == (1.0, 1.0, 2.0)
    assert s.plagdet == pytest.approx(1 / math.log2(3))


def test_detection_on_another_pair_detects_nothing() -> None:
    elsewhere = ann((0, 100), (0, 100), src="source-document00002.txt")
    s = plagdet([CASE], [elsewhere])
    assert (s.recall, s.precision, s.plagdet, s.detected_cases) == (0.0, 0.0, 0.0, 0)


def test_overlap_on_one_side_only_detects_nothing() -> None:
    s = plagdet([CASE], [ann((0, 100), (500, 600))])
    assert (s.recall, s.precision) == (0.0, 0.0)


def test_pairs_are_scored_apart_and_pooled() -> None:
    other = ann((0, 100), (0, 100), susp="suspicious-document00002.txt")
    s = plagdet([CASE, other], [CASE])  # one of two cases found, the detection is all true
    assert (s.recall, s.precision, s.granularity) == (0.5, 1.0, 1.0)


def test_empty_conventions() -> None:
    assert plagdet([], []).plagdet == 1.0  # nothing to find, nothing found
    missed = plagdet([CASE], [])
    assert (missed.recall, missed.precision, missed.granularity, missed.plagdet) == (0.0, 0.0, 1.0, 0.0)
    false_alarm = plagdet([], [CASE])
    assert (false_alarm.recall, false_alarm.precision, false_alarm.plagdet) == (0.0, 0.0, 0.0)


def test_identical_detections_count_once() -> None:
    assert plagdet([CASE], [CASE, CASE]).granularity == 1.0


def test_annotation_rejects_bad_ranges() -> None:
    with pytest.raises(ValueError):
        Annotation(S, -1, 10, R, 0, 10)
    with pytest.raises(ValueError):
        Annotation(S, 5, 0, R, 5, 0)


def test_write_and_read_back_detections(tmp_path: Path) -> None:
    detections = [ann((10, 60), (0, 50)), ann((100, 130), (70, 100))]
    path = tmp_path / f"{pair_stem(S, R)}.xml"
    write_detections(path, S, R, detections)
    assert read_annotations(path, DETECTION_NAME) == detections
    assert read_annotations(path) == []  # truth features are named "plagiarism"


def test_real_truth_file_round_trips(tmp_path: Path) -> None:
    folder = PAN / "02-no-obfuscation"
    if not folder.is_dir():
        pytest.skip(f"PAN13 data missing: {folder} (tests read ../shared/data beside the project)")
    susp, src = read_pairs(folder / "pairs")[0]
    truth = read_truth(folder, [(susp, src)])
    assert truth and all(c.pair == (susp, src) for c in truth)
    text = (PAN / "susp" / susp).read_text(encoding="utf-8")
    source = (PAN / "src" / src).read_text(encoding="utf-8")
    for case in truth:  # no obfuscation: both ranges hold the same words (PAN's ends may cut a word)
        assert case.this_end <= len(text) and case.source_end <= len(source)
        assert (
            text[case.this_offset : case.this_end].split()[2:-2]
            == source[case.source_offset : case.source_end].split()[2:-2]
        )
    path = tmp_path / f"{pair_stem(susp, src)}.xml"
    write_detections(path, susp, src, truth)
    back = read_annotations(path, DETECTION_NAME)
    assert back == truth
    assert plagdet(truth, back).plagdet == 1.0


def test_negative_pairs_have_empty_truth() -> None:
    folder = PAN / "01-no-plagiarism"
    if not folder.is_dir():
        pytest.skip(f"PAN13 data missing: {folder} (tests read ../shared/data beside the project)")
    pairs = read_pairs(folder / "pairs")
    assert len(pairs) == 46
    assert read_truth(folder, pairs) == []


def test_run_pan_writes_one_file_per_pair_and_skips_failures(tmp_path: Path) -> None:
    folder = PAN / "02-no-obfuscation"
    if not folder.is_dir():
        pytest.skip(f"PAN13 data missing: {folder} (tests read ../shared/data beside the project)")
    susp, src = read_pairs(folder / "pairs")[0]
    pairs = tmp_path / "pairs"
    pairs.write_text(f"{susp} {src}\nsuspicious-document99999.txt {src}\n", encoding="utf-8")
    out = tmp_path / "out"
    run = run_pan(pairs, PAN / "src", PAN / "susp", out)
    assert (run.pairs, run.written) == (2, 1)
    assert [(s, reason.split(":")[0]) for s, _, reason in run.skipped] == [
        ("suspicious-document99999.txt", "InputError")
    ]
    found = read_annotations(out / f"{pair_stem(susp, src)}.xml", DETECTION_NAME)
    assert len(found) == run.detections
    assert plagdet(read_truth(folder, [(susp, src)]), found).recall > 0.9


def test_detection_offsets_count_a_byte_order_mark_as_pan_does(tmp_path: Path) -> None:
    import unspin
    from unspin.evaluation.pan import detections_of

    passage = (
        "The harbour master counted forty-two fishing boats at dawn, each painted a different colour, "
        "and wrote their names in a ledger that the museum keeps behind glass to this day."
    )
    src, susp = tmp_path / "source-document00001.txt", tmp_path / "suspicious-document00001.txt"
    src.write_bytes("\ufeffA short opening line about nothing.\n".encode() + passage.encode())
    susp.write_text(f"Something else entirely comes first here.\n{passage}\n", encoding="utf-8")
    found = detections_of(unspin.compare(src, susp), susp.name, src.name)
    assert found
    raw_src = src.read_text(encoding="utf-8")  # PAN reads the mark as one character
    raw_susp = susp.read_text(encoding="utf-8")
    d = found[0]
    assert raw_src[d.source_offset : d.source_end] == raw_susp[d.this_offset : d.this_end]
    assert raw_src[d.source_offset :].startswith("The harbour master")
