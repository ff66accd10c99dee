"""Shared by the bench scripts: data location, machine description, single-core setup, result files."""

from __future__ import annotations

import datetime
import gzip
import json
import os
import platform
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")  # one core, as the speed targets say

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{platform.machine()}, {os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def header(title: str) -> str:
    command = "python " + " ".join(sys.argv)
    today = datetime.date.today().isoformat()
    load = os.getloadavg()[0]  # how busy the machine was: wall times are only comparable at similar load
    return f"## {title}\n\n`{command}` — {today} — {machine()}, one thread, load average {load:.1f} when written\n"


def write(name: str, text: str) -> None:
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"{name}.md").write_text(text, encoding="utf-8")
    print(text)


def load_models() -> float:
    """Load the models once and return the seconds it took (reported apart from per-pair times)."""
    import time

    from unspin import embed, language, senses, thesaurus

    start = time.perf_counter()
    embed.load()
    thesaurus.load()
    senses.load()
    language.detect("warm up the language detector")
    return time.perf_counter() - start


def engine() -> str:
    """The engine measured: git commit, plus a hash of uncommitted changes under src/ (the engine moves fast)."""
    import hashlib
    import subprocess

    root = Path(__file__).resolve().parents[1]

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return done.stdout.strip() if done.returncode == 0 else ""

    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    diff = git("diff", "HEAD", "--", "src")
    return f"{commit} + uncommitted src diff {hashlib.sha1(diff.encode()).hexdigest()[:8]}" if diff else commit


REUTERS = DATA / "reuters-20k" / "reuters-20k.jsonl.gz"


def read_reuters(n: int) -> list[dict[str, Any]]:
    """The first ``n`` reuters-20k rows with text."""
    rows = []
    with gzip.open(REUTERS, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            if row.get("text", "").strip():
                rows.append(row)
            if len(rows) >= n:
                break
    return rows


def read_ntrex(path: Path, languages: tuple[str, ...]) -> tuple[list[dict[str, Any]], dict[str, dict[str, str]]]:
    """NTREX's English articles, and each article's translations by language (only ``languages``)."""
    english: list[dict[str, Any]] = []
    translations: dict[str, dict[str, str]] = defaultdict(dict)
    for line in path.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["role"] == "source":
            english.append(row)
        elif row["language"] in languages:
            translations[row["doc"]][row["language"]] = row["text"]
    return english, translations


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid`` (a server's worker processes)."""
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                if int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    found.append(int(proc.name))
            except (OSError, IndexError, ValueError):
                pass
    return found
