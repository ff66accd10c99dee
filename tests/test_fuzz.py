"""Fuzzing (hypothesis) of the loaders, JSONL ingest and every API endpoint's JSON: random bytes, control
characters, lone surrogates, nesting, huge numbers. No 500, no traceback, only the one error shape, and
nothing stored from a rejected request."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unspin.collection.ingest import Record, Skipped, records
from unspin.document import Document, decode, from_text, load
from unspin.errors import InputError, UnspinError
from unspin.segment import segment

from .conftest import SEED_B, need

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# strings with what hostile input holds: controls, NUL, lone surrogates, look-alikes, long runs
hostile_text = st.text(
    alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0x10FFFF, exclude_categories=()),
    max_size=300,
) | st.sampled_from(["\ud800", "a\udfffb", "\x00\x01\x02", "x" * 5000, "[/x]", "\u202e", "ａｂｃ", "\ufeff"])
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=False, allow_infinity=False)
    | hostile_text
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            hostile_text | st.sampled_from(["a", "b", "text", "id", "top", "documents", "phrases"]), inner, max_size=5
        )
    ),
    max_leaves=20,
)


def _encoded(value: Any) -> bytes:
    """JSON as a client would send it: escapes for what UTF-8 cannot carry (lone surrogates)."""
    return json.dumps(value, ensure_ascii=True).encode("ascii")


# ---------------------------------------------------------------- loaders


@FAST
@given(st.binary(max_size=2000))
def test_decode_random_bytes_gives_text_or_input_error(data: bytes) -> None:
    try:
        text, encoding = decode(data, "fuzz.txt")
    except InputError as err:
        assert "fuzz.txt" in str(err)
        return
    assert isinstance(text, str) and encoding
    text.encode("utf-8", "surrogatepass")


@FAST
@given(hostile_text)
def test_from_text_and_segment_keep_spans_or_refuse(text: str) -> None:
    try:
        doc = from_text(text, name="fuzz", html=False)
    except InputError:
        return
    seg = segment(doc)
    for s in seg.sentences:
        assert doc.text[s.span.start : s.span.end] == s.span.text


@FAST
@given(st.binary(min_size=1, max_size=3000), st.sampled_from([".txt", ".html", ".md"]))
def test_load_random_files(tmp_path_factory: pytest.TempPathFactory, data: bytes, suffix: str) -> None:
    path = tmp_path_factory.mktemp("fuzz") / f"f{suffix}"
    path.write_bytes(data)
    try:
        doc = load(path)
    except InputError as err:
        assert str(path) in str(err)
        return
    assert isinstance(doc.text, str) and doc.text.strip()


@FAST
@given(json_scalars | st.lists(json_scalars, max_size=2))
def test_load_of_any_value_is_a_document_or_input_error(value: Any) -> None:
    try:
        assert isinstance(load(value), Document)
    except UnspinError:
        pass


# ---------------------------------------------------------------- JSONL ingest


@FAST
@given(st.lists(json_values.map(_encoded) | st.binary(max_size=200), min_size=1, max_size=8))
def test_jsonl_ingest_never_dies(tmp_path_factory: pytest.TempPathFactory, lines: list[bytes]) -> None:
    feed = tmp_path_factory.mktemp("jsonl") / "feed.jsonl"
    feed.write_bytes(b"\n".join(line.replace(b"\n", b" ") for line in lines) + b"\n")
    for item in records([feed]):
        assert isinstance(item, Record | Skipped)
        if isinstance(item, Record):
            item.key.encode("utf-8")  # storable and printable
            item.doc.text.encode("utf-8")
        else:
            item.reason.encode("utf-8")


# ---------------------------------------------------------------- every endpoint's JSON


class _Client:
    """A blocking client of the app in process (hypothesis examples are plain functions); each request on
    its own event loop, as the worker pool must allow."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app, raise_app_exceptions=False)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("POST", url, **kwargs)


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Client]:
    from unspin import Collection
    from unspin.service import make_app

    db = tmp_path_factory.mktemp("fuzz-service") / "crawl.db"
    with Collection(db) as collection:
        collection.add([str(need(SEED_B))], workers=0)
    app = make_app(db=db, warm_up=False, workers=1, time_budget_s=120)
    yield _Client(app)
    app.state.workers.close()


ENDPOINTS = ["/api/compare", "/api/report.html", "/api/inspect", "/api/documents", "/api/search"]


def _documents(client: Any) -> int:
    return int(client.get("/api/stats").json()["documents"])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(ENDPOINTS),
    json_values
    | st.dictionaries(
        st.sampled_from(["a", "b", "text", "id", "documents", "top", "phrases"]), json_values, max_size=4
    ),
)
def test_endpoints_answer_hostile_json_without_500(service: Any, endpoint: str, value: Any) -> None:
    before = _documents(service) if endpoint == "/api/documents" else None
    response = service.post(endpoint, content=_encoded(value), headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        body = response.json()
        assert list(body) == ["error"] and set(body["error"]) == {"code", "message"}
        assert "Traceback" not in body["error"]["message"]
        if before is not None:
            assert _documents(service) == before  # nothing stored from a rejected request


@FAST
@given(st.binary(max_size=500), st.sampled_from(ENDPOINTS))
def test_endpoints_answer_random_bytes_in_the_error_shape(service: Any, body: bytes, endpoint: str) -> None:
    response = service.post(endpoint, content=body, headers={"content-type": "application/json"})
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert set(response.json()["error"]) == {"code", "message"}


def test_deep_nesting_on_every_endpoint(service: Any) -> None:
    for endpoint in ENDPOINTS:
        for body in (b"[" * 100_000 + b"]" * 100_000, b'{"a": ' * 5000 + b"1" + b"}" * 5000):
            response = service.post(endpoint, content=body, headers={"content-type": "application/json"})
            assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_json", endpoint


def test_get_endpoints_with_hostile_parameters(service: Any) -> None:
    for url in (
        "/api/search?text=%00%01",
        "/api/search?id=%ED%A0%80",
        "/api/search?top=99999999999999999999999",
        "/api/documents/%5B%2Fx%5D",
        "/api/clusters?min_size=-1&verify=maybe",
        "/api/clusters/%00",
    ):
        response = service.get(url)
        assert response.status_code < 500, (url, response.text)
        if response.status_code >= 400:
            assert set(response.json()["error"]) == {"code", "message"}


def test_file_uploads_of_random_names(service: Any, tmp_path: Path) -> None:
    for name in ("a\x00.txt", "../../etc/passwd", "x" * 5000 + ".html", "\u202eexe.txt"):
        response = service.post("/api/compare", files={"a": (name, b"some text here"), "b": ("b.txt", b"other text")})
        assert response.status_code < 500, response.text
