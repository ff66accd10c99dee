"""PAN text-alignment files: truth XML, the ``pairs`` list, detection XML, and a batch runner.

In the PAN interface the suspicious document's range is ``this_*`` and the source's is
``source_*``. ``run_pan`` calls ``unspin.compare(source, suspicious)``, so a passage's ``b`` span
becomes ``this_*`` and its ``a`` span ``source_*``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from ..align import Passage
from ..compare import Comparison, compare
from ..document import Document
from ..errors import InputError
from ..progress import Progress
from .plagdet import Annotation

TRUTH_NAME = "plagiarism"
DETECTION_NAME = "detected-plagiarism"


@dataclass(slots=True)
class PanRun:
    """What ``run_pan`` did: pairs read, files written, detections, and the pairs it skipped."""

    pairs: int = 0
    written: int = 0
    detections: int = 0
    skipped: list[tuple[str, str, str]] = field(default_factory=list)  # (susp, src, reason)


def pair_stem(susp: str, src: str) -> str:
    """``suspicious-documentXXXXX-source-documentYYYYY``: the PAN name of a pair's XML file."""
    return f"{Path(susp).stem}-{Path(src).stem}"


def read_pairs(pairs_file: str | Path) -> list[tuple[str, str]]:
    """(suspicious, source) file names, one pair per non-empty line of a PAN ``pairs`` file."""
    pairs = []
    try:
        lines = Path(pairs_file).read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as err:
        raise InputError(f"{pairs_file}: not UTF-8 text (byte {err.start}); give a file of pairs") from None
    except OSError as err:
        raise InputError(f"{pairs_file}: cannot read the pairs file ({err.strerror or err})") from None
    for number, line in enumerate(lines, 1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2:
            raise InputError(f"{pairs_file}:{number}: expected 'suspicious.txt source.txt', got {line[:80]!r}")
        pairs.append((fields[0], fields[1]))
    return pairs


def read_annotations(xml_file: str | Path, name: str = TRUTH_NAME) -> list[Annotation]:
    """The ``<feature name=...>`` ranges of one PAN XML file, as Annotations of its document."""
    root = ET.parse(xml_file).getroot()
    this_reference = root.get("reference", "")
    found = []
    for feature in root.iter("feature"):
        if feature.get("name") != name:
            continue
        found.append(
            Annotation(
                this_reference,
                int(feature.attrib["this_offset"]),
                int(feature.attrib["this_length"]),
                feature.attrib["source_reference"],
                int(feature.attrib["source_offset"]),
                int(feature.attrib["source_length"]),
            )
        )
    return found


def read_truth(truth_dir: str | Path, pairs: Iterable[tuple[str, str]]) -> list[Annotation]:
    """The truth cases of ``pairs``, read from ``truth_dir/<pair_stem>.xml``."""
    cases = []
    for susp, src in pairs:
        cases.extend(read_annotations(Path(truth_dir) / f"{pair_stem(susp, src)}.xml", TRUTH_NAME))
    return cases


def write_detections(path: str | Path, susp: str, src: str, detections: Iterable[Annotation]) -> None:
    """One PAN detection file: a ``<document>`` holding one ``detected-plagiarism`` feature each."""
    root = ET.Element("document", reference=susp)
    for d in detections:
        ET.SubElement(
            root,
            "feature",
            name=DETECTION_NAME,
            this_offset=str(d.this_offset),
            this_length=str(d.this_length),
            source_reference=src,
            source_offset=str(d.source_offset),
            source_length=str(d.source_length),
        )
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)


def detections_of(comparison: Comparison, susp: str, src: str) -> list[Annotation]:
    """The passages of ``compare(source, suspicious)`` as PAN detections (b is suspicious, a source)."""
    return [detection for _, detection in passage_detections(comparison, susp, src)]


def passage_detections(comparison: Comparison, susp: str, src: str) -> list[tuple[Passage, Annotation]]:
    """Each non-empty passage with its PAN detection, for callers that also need the passage's tier."""
    shift_b, shift_a = _bom_shift(comparison.b), _bom_shift(comparison.a)
    found = []
    for p in comparison.passages:
        if p.b.end > p.b.start or p.a.end > p.a.start:
            b_start, a_start = p.b.start + shift_b, p.a.start + shift_a
            found.append((p, Annotation(susp, b_start, p.b.end - p.b.start, src, a_start, p.a.end - p.a.start)))
    return found


def _bom_shift(doc: Document) -> int:
    """unspin drops a UTF-8 byte-order mark that PAN's offsets count as one character."""
    return 1 if doc.encoding == "utf-8-sig" else 0


def run_pan(
    pairs_file: str | Path, src_dir: str | Path, susp_dir: str | Path, out_dir: str | Path, *, progress: bool = False
) -> PanRun:
    """Compare every pair of ``pairs_file`` and write one detection XML per pair into ``out_dir``.

    A pair that fails (unreadable file, HTML whose offsets would not be the file's) is recorded
    in ``PanRun.skipped`` with the reason, and the batch goes on. ``progress``: pairs done of all, on stderr.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    run = PanRun()
    pairs = read_pairs(pairs_file)
    with Progress(progress, "comparing", "pairs", len(pairs)) as bar:
        for susp, src in pairs:
            _run_pair(run, susp, src, Path(src_dir), Path(susp_dir), out)
            bar.advance(1)
    return run


def _run_pair(run: PanRun, susp: str, src: str, src_dir: Path, susp_dir: Path, out: Path) -> None:
    """One pair of ``run_pan``: its detection file written, or the pair recorded as skipped."""
    run.pairs += 1
    try:
        comparison = compare(src_dir / src, susp_dir / susp)
        _check_offsets(comparison)
    except Exception as err:  # noqa: BLE001 - one bad pair is reported, the batch goes on
        run.skipped.append((susp, src, f"{type(err).__name__}: {err}"))
        return
    detections = detections_of(comparison, susp, src)
    write_detections(out / f"{pair_stem(susp, src)}.xml", susp, src, detections)
    run.written += 1
    run.detections += len(detections)


def _check_offsets(comparison: Comparison) -> None:
    for doc in (comparison.a, comparison.b):
        if doc.format != "text":
            raise ValueError(f"{doc.path}: read as {doc.format}; its offsets would not point into the file")
