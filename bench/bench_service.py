"""The service under load: many clients posting `compare` of a real article and its spun copy to `unspin serve`.

Bounded: starts `unspin serve` on 127.0.0.1 (a free port), lets ``--clients`` concurrent clients post
``POST /api/compare`` for ``--seconds`` seconds, then stops the clients (requests in flight finish, within the
server's time budget) and the server. Pairs: ``--articles`` Reuters articles of ~800 words from
../shared/data/reuters-20k, each with a copy spun here by ``unspin.evaluation.spinner.spin`` (30% of content
words); clients cycle through them. Reports errors by status and code, p50/p99 latency, requests/s, and the
server's RSS at start (after warm-up), middle and end. The machine is shared: timings are indicative.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import gzip
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from _common import DATA, engine, header, write, children  # isort: skip - first: one thread before numpy loads

import httpx

from unspin.evaluation.spinner import spin

REUTERS = DATA / "reuters-20k" / "reuters-20k.jsonl.gz"


def articles(n: int, low: int = 650, high: int = 950) -> list[str]:
    """The first ``n`` Reuters articles of ``low``-``high`` words (about 800), in file order."""
    chosen: list[str] = []
    with gzip.open(REUTERS, "rt", encoding="utf-8") as handle:
        for line in handle:
            text = json.loads(line).get("text") or ""
            if low <= len(text.split()) <= high:
                chosen.append(text)
                if len(chosen) == n:
                    break
    return chosen


def rss_mb(pid: int) -> float:
    """RSS of the server and its worker processes together."""
    total = 0.0
    for one in [pid, *children(pid)]:
        try:
            for line in Path(f"/proc/{one}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) / 1024
        except OSError:
            pass
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(port: int, time_budget: float, max_pending: int, source: str | None) -> subprocess.Popen[bytes]:
    """`unspin serve` of this checkout, or of the ``source`` folder (its ``src/`` first on the path)."""
    command = [sys.executable, "-m", "unspin.cli", "serve", "--port", str(port), "--time-budget", str(time_budget)]
    command += ["--max-pending", str(max_pending)]
    env = {**os.environ, "PYTHONPATH": str(Path(source) / "src")} if source else None
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"unspin serve exited: {process.stderr.read().decode() if process.stderr else ''}")
        try:
            health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            workers = health.json().get("workers")  # absent before worker processes (one thread)
            if health.status_code == 200 and (workers is None or workers["ready"] == workers["size"]):
                return process
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise SystemExit("unspin serve did not answer /healthz within 90 s")


async def load(url: str, pairs: list[dict[str, str]], clients: int, seconds: float, pid: int) -> dict[str, object]:
    latencies: list[float] = []
    outcomes: Counter[str] = Counter()
    rss: dict[str, float] = {}
    stop = time.monotonic() + seconds
    counter = 0

    async def client(n: int, http: httpx.AsyncClient) -> None:
        nonlocal counter
        while time.monotonic() < stop:
            body = pairs[(counter + n) % len(pairs)]
            counter += 1
            start = time.perf_counter()
            try:
                response = await http.post(url + "/api/compare", json=body)
                code = str(response.status_code)
                if response.status_code != 200:
                    code += " " + response.json().get("error", {}).get("code", "?")
            except httpx.HTTPError as err:
                code = type(err).__name__
            if code == "200":
                latencies.append((time.perf_counter() - start) * 1000)
            outcomes[code] += 1

    async def middle() -> None:
        await asyncio.sleep(seconds / 2)
        rss["middle"] = rss_mb(pid)

    rss["start"] = rss_mb(pid)
    began = time.perf_counter()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=180, limits=limits) as http:
        await asyncio.gather(middle(), *(client(n, http) for n in range(clients)))
    elapsed = time.perf_counter() - began
    rss["end"] = rss_mb(pid)
    return {"latencies": latencies, "outcomes": outcomes, "rss": rss, "elapsed": elapsed}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--articles", type=int, default=40, help="distinct article/spun pairs the clients cycle")
    parser.add_argument("--time-budget", type=float, default=30.0, help="the server's --time-budget")
    parser.add_argument("--max-pending", type=int, default=64, help="the server's --max-pending")
    parser.add_argument("--name", default="service", help="result file bench/results/NAME.md")
    parser.add_argument(
        "--before", metavar="FOLDER", help="also load the server of another checkout first (e.g. main before a change)"
    )
    args = parser.parse_args()

    texts = articles(args.articles)
    pairs = [{"a": text, "b": spin(text, 0.3, seed=n).text} for n, text in enumerate(texts)]
    words = [len(t.split()) for t in texts]
    # The spinner's thesaurus stays in this (client) process: unfrozen, a full collection over it stalls every
    # client for seconds mid-run, which the latencies would then blame on the server.
    gc.collect()
    gc.freeze()
    runs = [("before", args.before)] if args.before else []
    runs.append(("after" if args.before else "this checkout", None))
    measured = [(label, source, *serve_and_load(args, pairs, source)) for label, source in runs]

    lines = [
        header(f"Service under load: {args.clients} clients, {args.seconds:.0f} s of POST /api/compare"),
        f"`unspin serve` on 127.0.0.1 (time budget {args.time_budget:g} s, max pending {args.max_pending}: more get "
        f"an immediate 503 and that client retries at once), unspin {engine()}"
        + (
            f"; *before*: the server of `{args.before}` (its `src/` on PYTHONPATH{_about(args.before)}), run first "
            "under the same load"
            if args.before
            else ""
        )
        + f". {len(pairs)} pairs cycled: Reuters articles of {min(words)}–{max(words)} words "
        f"(median {statistics.median(words):.0f}) from ../shared/data/reuters-20k and a copy spun at 30% by "
        "`unspin.evaluation.spinner.spin`. Clients (httpx, one process, on the same 2 cores) stop sending after the "
        "period; requests in flight finish. RSS is the server's and its workers' together. "
        "**The machine is shared (2 cores, other work running): timings are indicative.**\n",
        "| measure | " + " | ".join(f"{label} ({kind})" for label, _, kind, *_ in measured) + " |",
        "|---|" + "---|" * len(measured),
    ]
    rows: dict[str, list[str]] = {}
    rates = []
    for _, _, _, warm_ms, result in measured:
        latencies: list[float] = result["latencies"]
        outcomes: Counter[str] = result["outcomes"]
        rss: dict[str, float] = result["rss"]
        elapsed: float = result["elapsed"]
        total = sum(outcomes.values())
        kinds = ", ".join(f"{k}: {v}" for k, v in sorted(outcomes.items()) if k != "200")
        rates.append(outcomes["200"] / elapsed)
        for name, value in (
            ("requests completed", f"{total} in {elapsed:.1f} s"),
            ("requests/s (all / 200 OK)", f"{total / elapsed:.2f} / {outcomes['200'] / elapsed:.2f}"),
            ("errors", f"{total - outcomes['200']} ({kinds or 'none'})"),
            ("latency p50 / p99, 200 OK (ms)", f"{_pct(latencies, 0.5):.0f} / {_pct(latencies, 0.99):.0f}"),
            ("server RSS start / middle / end (MB)", f"{rss['start']:.0f} / {rss['middle']:.0f} / {rss['end']:.0f}"),
            ("first request after start-up (ms)", f"{warm_ms:.0f}"),
        ):
            rows.setdefault(name, []).append(value)
    lines += [f"| {name} | " + " | ".join(values) + " |" for name, values in rows.items()]
    if len(rates) == 2:
        p99 = _pct(measured[1][4]["latencies"], 0.99)
        ratio = rates[1] / rates[0] if rates[0] else float("inf")
        met = ratio >= 1.8 and p99 <= 1000
        lines.append(
            f"\nAfter / before: **{ratio:.2f}×** requests/s (200 OK), p99 {p99:.0f} ms. Target (issue 12): ≥ 1.8× "
            f"and p99 ≤ 1 s: **{'MET' if met else 'MISSED'}**."
        )
    write(args.name, "\n".join(lines) + "\n")


def _about(folder: str) -> str:
    """What the other checkout is, from its ABOUT file (one line), if it has one."""
    about = Path(folder) / "ABOUT"
    return ": " + about.read_text(encoding="utf-8").strip() if about.exists() else ""


def serve_and_load(
    args: argparse.Namespace, pairs: list[dict[str, str]], source: str | None
) -> tuple[str, float, dict[str, Any]]:
    """(engine kind, first request ms, load result) of one server run."""
    port = free_port()
    server = start_server(port, args.time_budget, args.max_pending, source)
    url = f"http://127.0.0.1:{port}"
    workers = httpx.get(url + "/healthz", timeout=5).json().get("workers")
    kind = f"{workers['size']} worker processes" if workers else "one worker thread"
    try:
        warm = time.perf_counter()
        first = httpx.post(url + "/api/compare", json=pairs[0], timeout=120)
        warm_ms = (time.perf_counter() - warm) * 1000
        if first.status_code != 200:
            raise SystemExit(f"warm-up request failed: {first.status_code} {first.text[:300]}")
        result = asyncio.run(load(url, pairs, args.clients, args.seconds, server.pid))
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    return kind, warm_ms, result


if __name__ == "__main__":
    main()
