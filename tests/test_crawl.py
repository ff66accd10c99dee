"""unspin crawl on real data: Reuters articles with planted disguised copies, on the local pool and on Ray,
against ``index add`` + ``clusters``; a worker or the driver killed mid-crawl; bad records counted."""

from __future__ import annotations

import gzip
import itertools
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import unspin.collection.collection as collection_module
from unspin import Collection
from unspin.cli import main
from unspin.evaluation.spinner import spin
from unspin.evaluation.wrap import wrap
from unspin.scale import crawl, files, import_crawl, read_clusters, stages
from unspin.scale.layout import Layout

from .conftest import DATA

REUTERS = DATA / "reuters-20k" / "reuters-20k.jsonl.gz"
NTREX = DATA / "ntrex128-dev" / "ntrex128-dev.jsonl"
ARTICLES = 100
SHARD = 25  # records per shard: five shards, so two workers share them and a kill lands mid-crawl
PLANTED = {  # kind -> (rate, articles copied)
    "wrapped": (0.0, (3, 17, 41)),
    "spun-10": (0.1, (8, 52)),
    "spun-30": (0.3, (12, 66)),
    "spun-50": (0.5, (27, 80)),
}


def _corpus(path: Path) -> dict[str, str]:
    """Reuters articles, disguised copies of some, NTREX English articles with two translations each, and
    three bad records (not JSON, no text, a copy of a text under another id). Returns copy id -> original."""
    for need in (REUTERS, NTREX):
        if not need.exists():
            pytest.skip(f"real data missing: {need} (tests read ../shared/data beside the project)")
    with gzip.open(REUTERS, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in itertools.islice(f, ARTICLES)]
    ntrex = [json.loads(line) for line in NTREX.read_text(encoding="utf-8").splitlines()]
    english = [r for r in ntrex if r["role"] == "source"][:3]
    originals: dict[str, str] = {}
    lines = [json.dumps(r) for r in rows]
    for kind, (rate, picked) in PLANTED.items():
        for i in picked:
            text = rows[i]["text"]
            copy = wrap(text, i) if kind == "wrapped" else spin(text, rate, i).text
            originals[f"copy/{kind}/{i}"] = rows[i]["id"]
            lines.append(json.dumps({"id": f"copy/{kind}/{i}", "text": copy}))
    for row in english:
        lines.append(json.dumps({"id": row["id"], "text": row["text"], "title": row["title"]}))
        for language in ("deu", "fra"):
            other = next(r for r in ntrex if r["language"] == language and r["doc"] == row["doc"])
            originals[other["id"]] = row["id"]
            lines.append(json.dumps({"id": other["id"], "text": other["text"], "language": language[:2]}))
    lines += ["{not json", json.dumps({"id": "empty", "text": " "}), json.dumps(dict(rows[5], id="same-text-as-5"))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return originals


BATCH = 40  # Collection.add's batch, made small so that the corpus spans four of them


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The corpus crawled and added to a collection, both in batches of ``BATCH`` (a collection links each
    batch against what is stored by then: the crawl must do the same to give the same clusters)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(collection_module, "BATCH", BATCH)
        yield _build(tmp_path_factory)


def _build(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("crawl")
    corpus = root / "corpus.jsonl"
    originals = _corpus(corpus)
    report = crawl([str(corpus)], root / "local", workers=2, shard_size=SHARD)
    collection = Collection(root / "added.db")
    collection.add([str(corpus)])
    return {
        "root": root,
        "corpus": corpus,
        "originals": originals,
        "report": report,
        "collection": collection,
        "clusters": [c.to_dict() for c in collection.clusters()],
    }


def _clusters(out: Path) -> list[dict[str, Any]]:
    return [c.to_dict() for c in read_clusters(out)]


def test_local_crawl_gives_the_collections_clusters(built: dict[str, Any]) -> None:
    report = built["report"]
    assert [c.to_dict() for c in report.clusters] == built["clusters"]
    assert _clusters(built["root"] / "local") == built["clusters"]
    members = {m: c["members"] for c in built["clusters"] for m in c["members"]}
    together = [copy for copy, original in built["originals"].items() if original in members.get(copy, ())]
    assert len(together) >= 0.7 * len(built["originals"]), together  # the planted copies are clustered
    assert report.documents == built["collection"].stats()["texts"]


def test_bad_records_are_skipped_with_reasons_and_counted(built: dict[str, Any]) -> None:
    report = built["report"].to_dict()
    assert report["skipped"] == 2
    assert report["skip_reasons"] == {"not a JSON line": 1, "no text": 1}
    assert report["duplicates"] == 1
    assert set(report["stages"]) >= {"prepare", "model", "keys", "shuffle", "link", "proof", "clusters"}
    assert report["stages"]["model"]["sentences"] > 3 * ARTICLES * 0.9


def test_index_import_is_the_collection_index_add_builds(built: dict[str, Any]) -> None:
    db = built["root"] / "imported.db"
    result = import_crawl(built["root"] / "local", db)
    with Collection(db) as imported, Collection(built["root"] / "added.db") as added:  # both read from disk
        assert result.documents == imported.stats()["texts"]
        mine, theirs = imported.stats(), added.stats()
        names = (
            "documents",
            "texts",
            "identical_copies",
            "vectors",
            "postings",
            "common_keys",
            "links",
            "verified_pairs",
        )
        for name in names:
            assert mine[name] == theirs[name], name
        edges = "SELECT a, b FROM edges ORDER BY a, b"
        assert imported.store.db.execute(edges).fetchall() == added.store.db.execute(edges).fetchall()
        assert [c.to_dict() for c in imported.clusters()] == built["clusters"]
        found = 0
        for copy, original in built["originals"].items():
            text = added.get(copy).document
            hits = [h.to_dict() for h in imported.search(text, top=10, verify=0)]
            assert hits == [h.to_dict() for h in added.search(text, top=10, verify=0)]
            found += original in [h["id"] for h in hits]
        assert found == len(built["originals"])  # recall@10 of the planted copies, as in the collection


def test_a_killed_pool_worker_changes_nothing(
    built: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    out = built["root"] / "killed-worker"
    global _HANG_MARKER
    _HANG_MARKER = tmp_path / "hanging-worker.pid"
    monkeypatch.setattr(stages, "embed", _embed_hanging_once)  # forked workers inherit the patch and the marker
    killed: list[int] = []

    def kill_the_hanging_worker() -> None:  # kill -9 the pool worker that is mid-task in the model stage
        deadline = time.monotonic() + 120
        while not _HANG_MARKER.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.05)  # the pid is written before the task hangs
        pid = int(_HANG_MARKER.read_text())
        os.kill(pid, signal.SIGKILL)
        killed.append(pid)

    watcher = threading.Thread(target=kill_the_hanging_worker)
    watcher.start()
    try:
        report = crawl([str(built["corpus"])], out, workers=2, shard_size=SHARD)
    finally:
        watcher.join()
        _HANG_MARKER = None
    assert killed and killed[0] != os.getpid()
    assert report.retries >= 1
    assert _clusters(out) == built["clusters"]


_real_embed = stages.embed
_HANG_MARKER: Path | None = None


def _embed_hanging_once(*args: Any) -> dict[str, Any]:
    """The model stage, except that the first task to reach it (in a pool worker) writes its pid and hangs
    until it is killed: the kill lands mid-task whatever the machine's speed."""
    if _HANG_MARKER is not None and os.getpid() != _DRIVER and not _HANG_MARKER.exists():
        _HANG_MARKER.write_text(str(os.getpid()))
        time.sleep(600)
    return _real_embed(*args)


_DRIVER = os.getpid()


def test_a_killed_driver_resumes_from_finished_shards(
    built: dict[str, Any], capsys: pytest.CaptureFixture[str]
) -> None:
    out = built["root"] / "killed-driver"
    arguments = ["crawl", str(built["corpus"]), "--out", str(out), "--workers", "2", "--shard-size", str(SHARD)]
    program = (
        f"import unspin.collection.collection as c; c.BATCH = {BATCH}; from unspin.cli import main; main({arguments!r})"
    )
    command = [sys.executable, "-c", program]
    driver = subprocess.Popen(command, stderr=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while not (out / "numbers.parquet.done").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    driver.send_signal(signal.SIGKILL)
    driver.wait()
    assert not (out / "clusters.parquet").exists()
    assert main(["crawl", str(built["corpus"]), "--out", str(out), "--workers", "2", "--shard-size", str(SHARD)]) == 0
    err = capsys.readouterr().err
    assert "crawl prepare: 5/5 tasks, 5 done before" in err
    assert "documents/s" in err
    assert _clusters(out) == built["clusters"]


def test_a_crawl_folder_of_other_inputs_is_refused(built: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    other = built["root"] / "other.jsonl"
    other.write_text(json.dumps({"id": "x", "text": "Some text here."}) + "\n", encoding="utf-8")
    assert main(["crawl", str(other), "--out", str(built["root"] / "local")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "holds a crawl of other inputs" in err[0]
    assert main(["crawl", str(other), "--out", str(built["corpus"])]) == 2
    assert "not a crawl folder" in capsys.readouterr().err


def test_fast_model_crawl_finds_the_same_clusters(built: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """--fast-model: lead vectors from USE's int8 form, close to the default's; the same clusters here; a
    folder crawled with the other model is refused, not mixed."""
    pytest.importorskip("onnxruntime")
    out = built["root"] / "fast"
    report = crawl([str(built["corpus"])], out, workers=0, shard_size=SHARD, fast_model=True)
    assert [c.to_dict() for c in report.clusters] == built["clusters"]
    for shard in range(5):
        fast = files.read_arrays(Layout(out).vectors(shard))["vectors"]
        plain = files.read_arrays(Layout(built["root"] / "local").vectors(shard))["vectors"]
        cos = np.einsum("ij,ij->i", fast, plain)
        assert cos.min() >= 0.995 and not np.array_equal(fast, plain)
    args = ["crawl", str(built["corpus"]), "--out", str(out), "--shard-size", str(SHARD)]
    assert main(args) == 2
    assert "holds a crawl of other inputs or settings" in capsys.readouterr().err


def test_ray_crawl_gives_the_same_clusters_with_a_worker_killed(built: dict[str, Any]) -> None:
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    out = built["root"] / "ray"
    killed: list[int] = []

    def kill_a_model_actor() -> None:  # kill -9 a Ray worker while it runs a model task
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            for pid, title in _ray_workers():
                if "ModelActor.run" in title:
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    break
            time.sleep(0.05)

    watcher = threading.Thread(target=kill_a_model_actor)
    watcher.start()
    try:
        report = crawl([str(built["corpus"])], out, engine="ray", workers=2, shard_size=SHARD)
    finally:
        watcher.join()
        ray.shutdown()
    assert killed
    assert report.engine == "ray"
    assert _clusters(out) == built["clusters"]


def test_ray_on_one_cpu_runs_every_stage(built: dict[str, Any]) -> None:
    """One CPU, one worker: the model actor lives from the model stage through proof, and the plain tasks of
    the stages between must fit beside it (a whole-CPU task beside it was never scheduled: the crawl hung)."""
    ray = pytest.importorskip("ray")
    ray.init(num_cpus=1, include_dashboard=False, _node_ip_address="127.0.0.1", log_to_driver=False)
    out = built["root"] / "ray-one-cpu"
    result: list[Any] = []
    runner = threading.Thread(
        target=lambda: result.append(crawl([str(built["corpus"])], out, engine="ray", workers=1, shard_size=SHARD)),
        daemon=True,
    )
    try:
        runner.start()
        runner.join(timeout=300)
        assert result, "the Ray crawl on one CPU did not finish in 300 s"
    finally:
        ray.shutdown()
    assert _clusters(out) == built["clusters"]


def _ray_workers() -> list[tuple[int, str]]:
    """Ray worker processes started from this one (the test's own local cluster, no one else's)."""
    parents: dict[int, int] = {}
    titles: dict[int, str] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents[int(entry.name)] = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                titles[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")[0].decode()
            except (OSError, UnicodeDecodeError, ValueError, IndexError):
                continue
    me = os.getpid()

    def mine(pid: int) -> bool:
        while pid > 1:
            pid = parents.get(pid, 0)
            if pid == me:
                return True
        return False

    return [(pid, title) for pid, title in titles.items() if title.startswith("ray::") and mine(pid)]


def test_parquet_warc_and_html_inputs_read_as_index_add_reads_them(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    web = DATA / "web"
    if not web.exists():
        pytest.skip(f"real data missing: {web} (tests read ../shared/data beside the project)")
    with gzip.open(REUTERS, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in itertools.islice(f, 12)]
    table = tmp_path / "reuters.parquet"
    pq.write_table(pa.Table.from_pylist(rows), table, row_group_size=5)  # three row groups: three shards
    pages = tmp_path / "pages"
    pages.mkdir()
    for page in sorted((web / "pages").glob("*.html"))[:6]:
        (pages / page.name).write_bytes(page.read_bytes())
    (pages / "notes.bin").write_bytes(b"\x00\x01 not a page")
    warc = web / "warc" / "IAH-20080430204825-00000-blackbook-truncated.warc.gz"
    report = crawl([str(table), str(pages), str(warc)], tmp_path / "out", workers=0, shard_size=4)
    with Collection(tmp_path / "added.db") as collection:  # index add reads no Parquet: the rows themselves
        added = collection.add([*rows, str(pages), str(warc)], workers=0)
        ids = [row[0] for row in collection.store.db.execute("SELECT key FROM docs ORDER BY id")]
    documents = pq.read_table(tmp_path / "out" / "documents.parquet").to_pydict()
    assert [
        k for k, n in sorted(zip(documents["id"], documents["number"], strict=True), key=lambda x: x[1]) if n
    ] == ids
    assert report.documents == added.added and len(ids) > len(rows)
    assert sorted(s.reason for s in report.skipped) == sorted(s.reason for s in added.skipped)
    assert any("not HTML or text" in s.reason for s in report.skipped)  # notes.bin, judged by its content


def test_each_batch_is_linked_against_what_index_add_has_stored_by_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Copies of one article spread over batches, two neighbours per document: which copies an early
    document links to depends on what the collection held when it was added, and the crawl follows that."""
    import unspin.scale.stages as stages_module

    with gzip.open(REUTERS, "rt", encoding="utf-8") as f:
        rows = [json.loads(line) for line in itertools.islice(f, 24)]
    lines = []
    for i, row in enumerate(rows):
        lines.append(json.dumps(row))
        if i % 4 == 0:
            lines.append(json.dumps({"id": f"copy/{i}", "text": wrap(rows[0]["text"], i)}))
    corpus = tmp_path / "corpus.jsonl"
    corpus.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for module in (collection_module, stages_module):
        monkeypatch.setattr(module, "EDGE_NEIGHBOURS", 2)
    monkeypatch.setattr(collection_module, "BATCH", 8)
    crawl([str(corpus)], tmp_path / "out", workers=0, shard_size=5)
    with Collection(tmp_path / "added.db") as collection:
        collection.add([str(corpus)], workers=0)
        edges = collection.store.db.execute("SELECT a, b FROM edges ORDER BY a, b").fetchall()
        clusters = [c.to_dict() for c in collection.clusters()]
    assert _links(tmp_path / "out") == edges
    assert _clusters(tmp_path / "out") == clusters
    monkeypatch.setattr(collection_module, "BATCH", 10**9)  # every document against all: other links
    crawl([str(corpus)], tmp_path / "all", workers=0, shard_size=5)
    assert _links(tmp_path / "all") != edges


def _links(out: Path) -> list[tuple[int, int]]:
    import numpy as np

    found = set()
    for path in sorted((out / "links").glob("*.npz")):
        with np.load(path) as data:
            found |= set(zip(data["a"].tolist(), data["b"].tolist(), strict=True))
    return sorted(found)
