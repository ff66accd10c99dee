"""The HTTP service, in process (httpx.ASGITransport): every endpoint, the error shape, every limit."""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

import unspin
from unspin import cli
from unspin.document import from_text
from unspin.service import make_app
from unspin.service.app import STATIC

from .conftest import EXAMPLES, SEED_A, SEED_B, need

pytestmark = pytest.mark.anyio


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(scope="module")
def app() -> Any:
    return make_app(warm_up=False)


@pytest.fixture
async def client(app: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        yield c


@pytest.fixture(scope="module")
def seeds() -> tuple[str, str]:
    return need(SEED_A).read_text(encoding="utf-8"), need(SEED_B).read_text(encoding="utf-8")


def assert_error(response: httpx.Response, status: int, code: str, *words: str) -> None:
    """The one error shape: {"error": {"code": ..., "message": ...}}, with a message that says why."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert list(body) == ["error"] and set(body["error"]) == {"code", "message"}, body
    assert body["error"]["code"] == code, body
    for word in words:
        assert word in body["error"]["message"], body


def _lawbreaker(data: dict[str, Any]) -> list[dict[str, Any]]:
    return [s for s in data["substitutions"] if "Global Lawbreaker" in s["b"]["text"]]


# ---------------------------------------------------------------- endpoints


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert response.json()["version"] == unspin.__version__


async def test_compare_json_is_exactly_to_dict(client: httpx.AsyncClient, seeds: tuple[str, str]) -> None:
    response = await client.post("/api/compare", json={"a": seeds[0], "b": seeds[1]})
    assert response.status_code == 200, response.text
    data = response.json()
    expected = unspin.compare(from_text(seeds[0], name="a"), from_text(seeds[1], name="b")).to_dict()
    for varying in ("timings_ms", "stats"):  # wall-clock times; the sentence-vector cache is warm the second time
        assert set(data.pop(varying)) == set(expected.pop(varying))
    assert data == expected
    assert data["related"] and data["relation"] == "common-source"
    assert "spun" in data["b"]["disguise"] and "translated" in data["a"]["disguise"]
    (sub,) = _lawbreaker(data)
    assert sub["a"]["text"].startswith("International Criminal")
    assert seeds[1][sub["b"]["start"] : sub["b"]["end"]] == sub["b"]["text"]


async def test_compare_include_text(client: httpx.AsyncClient, seeds: tuple[str, str]) -> None:
    response = await client.post("/api/compare?include=text", json={"a": seeds[0], "b": seeds[1]})
    assert response.status_code == 200
    data = response.json()
    assert data["a"]["text"] == seeds[0] and data["b"]["text"] == seeds[1]
    for p in data["passages"]:
        assert 0 <= p["a"]["start"] < p["a"]["end"] <= len(data["a"]["text"])


async def test_compare_named_sides_and_differences(client: httpx.AsyncClient, seeds: tuple[str, str]) -> None:
    """A side may come with its label (a stored id, a file name) and title: the review page names sides by them."""
    body = {"a": {"text": seeds[0], "name": "stored/000", "title": "Russian peacekeepers leave"}, "b": seeds[1]}
    response = await client.post("/api/compare?include=text,differences", json=body)
    assert response.status_code == 200, response.text
    data = response.json()
    assert (data["a"]["name"], data["a"]["title"]) == ("stored/000", "Russian peacekeepers leave")
    assert (data["b"]["name"], data["b"]["title"]) == ("b", None)
    assert data["a"]["text"] == seeds[0] and data["differences"] == []  # reworded passages: no word diff
    assert 0.5 < data["b"]["coverage"]["fraction"] <= 1 and data["b"]["coverage"]["passages"] == len(data["passages"])
    bad = await client.post("/api/compare", json={"a": {"text": seeds[0], "title": 3}, "b": seeds[1]})
    assert_error(bad, 422, "invalid_request", "'title' must be")


async def test_compare_multipart_files(client: httpx.AsyncClient, seeds: tuple[str, str]) -> None:
    files = {"a": (SEED_A.name, need(SEED_A).read_bytes(), "text/plain"), "b": (SEED_B.name, SEED_B.read_bytes())}
    response = await client.post("/api/compare", files=files)
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["related"]
    assert data["a"]["name"] == SEED_A.name and data["a"]["path"] is None
    assert data["a"]["encoding"] == "utf-8"
    assert _lawbreaker(data)


async def test_compare_multipart_text_fields(client: httpx.AsyncClient, seeds: tuple[str, str]) -> None:
    fields = {"a": (None, seeds[0]), "b": (None, seeds[1])}  # form fields without a filename: texts
    response = await client.post("/api/compare", files=fields)
    assert response.status_code == 200, response.text
    assert response.json()["related"]


async def test_client_strings_are_never_opened_as_paths(client: httpx.AsyncClient) -> None:
    a, b = str(need(SEED_A)), str(need(SEED_B))
    response = await client.post("/api/compare", json={"a": a, "b": b})
    assert response.status_code == 200, response.text
    data = response.json()
    assert data["a"]["path"] is None and data["a"]["length"] == len(a)  # the path string itself, compared as text
    assert data["b"]["length"] == len(b)
    files = {"a": (a, b"just some text here", "text/plain"), "b": ("/etc/passwd", b"other words there")}
    response = await client.post("/api/compare", files=files)
    assert response.status_code == 200
    assert response.json()["b"]["length"] == len("other words there")


async def test_report_html(client: httpx.AsyncClient, seeds: tuple[str, str]) -> None:
    response = await client.post("/api/report.html", json={"a": seeds[0], "b": seeds[1]})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "attachment" in response.headers["content-disposition"]
    page = response.text
    assert page.startswith("<!doctype html>") and "Global Lawbreaker" in page
    assert 'data-counterpart="International Criminal' in page


async def test_inspect(client: httpx.AsyncClient, seeds: tuple[str, str]) -> None:
    response = await client.post("/api/inspect", json={"text": seeds[1]})
    assert response.status_code == 200, response.text
    data = response.json()
    assert set(data) == {"spun_score", "translated_score", "tortured", "artefacts", "language", "assessed", "reason"}
    (court,) = [t for t in data["tortured"] if t["text"].startswith("Global Lawbreaker")]
    assert court["original"].startswith("International Criminal")
    assert seeds[1][court["start"] : court["end"]] == court["text"]
    upload = await client.post("/api/inspect", files={"text": (SEED_A.name, need(SEED_A).read_bytes())})
    assert upload.status_code == 200 and upload.json()["translated_score"] > upload.json()["spun_score"]
    mine = await client.post("/api/inspect", json={"text": seeds[0], "phrases": [["Also read", "See also"]]})
    assert any(t["source"] == "user" for t in mine.json()["tortured"])


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        ({"text": ""}, "empty_text", ["empty"]),
        ({"txt": "x"}, "invalid_request", ["'text'"]),
        ({"text": "x", "phrases": "/etc/phrases.tsv"}, "invalid_request", ["pairs"]),  # never a path
        ({"text": "x", "phrases": [["only one"]]}, "invalid_request", ["pairs"]),
    ],
)
async def test_inspect_bad_input(client: httpx.AsyncClient, body: dict[str, Any], code: str, words: list[str]) -> None:
    response = await client.post("/api/inspect", json=body)
    assert_error(response, 422 if code == "invalid_request" else 400, code, *words)


async def test_the_page_and_its_assets(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'self'" in page.headers["content-security-policy"]
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        response = await client.get(asset)
        assert response.status_code == 200, asset
        assert "default-src 'self'" in response.headers["content-security-policy"]
    assert {"/static/app.js", "/static/style.css"} <= set(re.findall(r'"(/static/[^"]+)"', page.text))


def test_static_files_request_nothing_from_elsewhere() -> None:
    for path in STATIC.iterdir():
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"(https?:)?//[a-z0-9.-]+\.[a-z]{2,}", text, re.I), path
        assert "@import" not in text and not re.search(r"url\((?!#)", text), path  # url(#id): this page's own


# ---------------------------------------------------------------- bad input and limits


async def test_error_shape_for_404_405_422(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/api/nothing"), 404, "not_found", "/api/nothing")
    response = await client.get("/api/compare")
    assert_error(response, 405, "method_not_allowed", "POST")
    assert_error(await client.post("/api/compare?include=everything", json={}), 422, "invalid_request", "include")


@pytest.mark.parametrize(
    ("kwargs", "status", "code", "words"),
    [
        ({"content": b""}, 400, "empty_body", ["empty"]),
        ({"content": b"  \n"}, 400, "empty_body", ["empty"]),
        ({"json": {"a": "", "b": "text"}}, 400, "empty_text", ["'a'", "empty"]),
        ({"json": {"a": "text", "b": " \n\t "}}, 400, "empty_text", ["'b'"]),
        ({"content": b'{"a": "x", "b": '}, 400, "invalid_json", ["JSON"]),
        ({"content": b"not json at all"}, 400, "invalid_json", ["JSON"]),
        ({"json": ["a", "b"]}, 422, "invalid_request", ["object"]),
        ({"json": {"a": "some text"}}, 422, "invalid_request", ["'b'", "missing"]),
        ({"json": {"a": 1, "b": "x"}}, 422, "invalid_request", ["'a'", "int"]),
        ({"content": b'{"a": "caf\xe9", "b": "x"}'}, 400, "invalid_utf8", ["UTF-8"]),
        ({"json": {"a": "text\x00\x01\x02binary", "b": "x"}}, 415, "binary_content", ["NUL"]),
        ({"content": b"a=1", "headers": {"content-type": "text/plain"}}, 415, "unsupported_media_type", ["json"]),
        (
            {"files": {"a": ("a.bin", bytes(range(256)) * 8, "application/octet-stream"), "b": ("b.txt", b"x")}},
            415,
            "binary_content",
            ["a.bin", "binary"],
        ),
        (
            {"files": {"a": ("a.txt", b"\xff\xfe\x00\xd8x", "text/plain"), "b": ("b.txt", b"text")}},
            400,
            "invalid_encoding",
            ["UTF-16"],
        ),
        ({"files": {"a": ("a.txt", b"", "text/plain"), "b": ("b.txt", b"text")}}, 400, "empty_text", ["empty"]),
        ({"files": {"a": ("a.txt", b"only one file")}}, 422, "invalid_request", ["'b'"]),
        (
            {"json": {"a": "<html><body><script>var x;</script></body></html>", "b": "text"}},
            422,
            "unusable_text",
            ["no article text"],
        ),
    ],
    ids=[
        "empty-body",
        "blank-body",
        "empty-text-a",
        "blank-text-b",
        "truncated-json",
        "not-json",
        "json-array",
        "missing-b",
        "number-a",
        "invalid-utf8",
        "nul-in-text",
        "text-plain",
        "binary-file",
        "broken-utf16-file",
        "empty-file",
        "one-file",
        "html-without-text",
    ],
)
async def test_bad_input(
    client: httpx.AsyncClient, kwargs: dict[str, Any], status: int, code: str, words: list[str]
) -> None:
    kwargs.setdefault("headers", {})
    if "content" in kwargs:
        kwargs["headers"].setdefault("content-type", "application/json")
    assert_error(await client.post("/api/compare", **kwargs), status, code, *words)
    assert (await client.get("/healthz")).status_code == 200  # the app keeps serving


async def test_oversized_by_content_length(client: httpx.AsyncClient) -> None:
    body = b'{"a": "' + b"x" * 11_000_000 + b'", "b": "y"}'
    assert_error(await client.post("/api/compare", content=body), 413, "too_large", "10,000,000")


async def test_oversized_while_streaming(client: httpx.AsyncClient) -> None:
    sent = 0

    async def chunks() -> AsyncIterator[bytes]:  # no Content-Length: counted as it arrives
        nonlocal sent
        for _ in range(20):
            sent += 1
            yield b"x" * 1_000_000

    response = await client.post("/api/compare", content=chunks(), headers={"content-type": "application/json"})
    assert "content-length" not in response.request.headers
    assert_error(response, 413, "too_large", "byte limit")
    assert sent == 11  # refused at the chunk that crossed the limit; the other 9 MB were never read
    sent = 0

    async def upload() -> AsyncIterator[bytes]:
        yield b'--xyz\r\nContent-Disposition: form-data; name="a"; filename="a.txt"\r\n\r\n'
        async for chunk in chunks():
            yield chunk

    multipart = await client.post(
        "/api/compare", content=upload(), headers={"content-type": "multipart/form-data; boundary=xyz"}
    )
    assert_error(multipart, 413, "too_large")
    assert sent < 20


async def test_too_many_lines(client: httpx.AsyncClient) -> None:
    text = "\n".join(f"line {n} of a text nobody should compare in one go" for n in range(100_000))
    assert len(text.encode()) < 10_000_000
    response = await client.post("/api/compare", json={"a": text, "b": "short"})
    assert_error(response, 413, "too_many_lines", "100,000 lines", "20,000")


async def test_keeps_serving_after_bad_input(client: httpx.AsyncClient, seeds: tuple[str, str]) -> None:
    for body in (b"", b"{", b"\xff\xfe", b"[]"):
        await client.post("/api/compare", content=body, headers={"content-type": "application/json"})
    response = await client.post("/api/compare", json={"a": seeds[0], "b": seeds[1]})
    assert response.status_code == 200 and response.json()["related"]


async def test_configurable_size_limit(seeds: tuple[str, str]) -> None:
    app = make_app(max_bytes=2_000, warm_up=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        assert_error(await c.post("/api/compare", json={"a": seeds[0], "b": seeds[1]}), 413, "too_large", "2,000")
        assert (await c.post("/api/compare", json={"a": "a short text", "b": "another"})).status_code == 200


async def test_time_budget_gives_504(seeds: tuple[str, str]) -> None:
    app = make_app(time_budget_s=0.001, warm_up=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        response = await c.post("/api/compare", json={"a": seeds[0] * 3, "b": seeds[1] * 3})
        assert_error(response, 504, "timeout", "0.001 s")
        assert (await c.get("/healthz")).status_code == 200


async def test_busy_gives_503() -> None:
    app = make_app(max_pending=0, warm_up=False)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1") as c:
        response = await c.post("/api/compare", json={"a": "one text", "b": "another"})
        assert_error(response, 503, "busy", "try again")
        assert response.headers["retry-after"]


# ---------------------------------------------------------------- the collection (--db)


@pytest.fixture(scope="module")
def collection_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    app = make_app(db=tmp_path_factory.mktemp("service") / "crawl.db", warm_up=False)
    yield app
    app.state.workers.close()


@pytest.fixture
async def db_client(collection_app: Any) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=collection_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as c:
        yield c


async def test_collection_endpoints(db_client: httpx.AsyncClient, seeds: tuple[str, str]) -> None:
    other = (EXAMPLES / "article.txt").read_text(encoding="utf-8")
    documents = [
        {"id": "seed-000", "text": seeds[0], "date": "2024-04-22", "title": "scraper copy"},
        {"id": "seed-002", "text": seeds[1]},
        {"id": "example", "text": other},
        {"id": "example-spun", "text": (EXAMPLES / "spun.txt").read_text(encoding="utf-8")},
    ]
    response = await db_client.post("/api/documents", json={"documents": documents})
    assert response.status_code == 201, response.text
    assert response.json()["added"] == 4
    again = await db_client.post("/api/documents", json=documents[0])  # one document, not a list
    assert again.status_code == 200 and again.json()["unchanged"] == 1

    stored = (await db_client.get("/api/documents/seed-000")).json()
    assert stored["id"] == "seed-000" and stored["date"] == "2024-04-22"
    assert stored["document"]["text"] == seeds[0] and stored["document"]["path"] is None
    assert_error(await db_client.get("/api/documents/no/such/id"), 404, "not_found", "no/such/id")

    hits = (await db_client.get("/api/search", params={"id": "seed-002", "top": 3})).json()["hits"]
    assert hits[0]["id"] == "seed-000" and hits[0]["relation"] != "unrelated"
    assert all(h["id"] != "seed-002" for h in hits)
    posted = await db_client.post("/api/search", json={"text": seeds[1], "top": 2})
    assert [h["id"] for h in posted.json()["hits"]][:2] == ["seed-002", "seed-000"]
    assert posted.json()["hits"][0]["relation"] == "identical"
    as_path = await db_client.post("/api/search", json={"text": str(SEED_A)})  # a path string is only text
    assert as_path.status_code == 200
    assert all(h["relation"] != "identical" for h in as_path.json()["hits"])

    clusters = (await db_client.get("/api/clusters")).json()["clusters"]
    (cluster,) = [c for c in clusters if "example" in c["members"]]
    assert set(cluster["members"]) == {"example", "example-spun"}
    one = await db_client.get(f"/api/clusters/{cluster['id']}")
    assert one.status_code == 200 and one.json() == cluster
    assert_error(await db_client.get("/api/clusters/none-such"), 404, "not_found", "none-such")
    stats = (await db_client.get("/api/stats")).json()
    assert stats["documents"] == 4


@pytest.mark.parametrize(
    ("method", "url", "body", "status", "code", "words"),
    [
        ("POST", "/api/documents", {"text": "no id here"}, 422, "invalid_request", ["'id'"]),
        ("POST", "/api/documents", {"documents": []}, 422, "invalid_request", ["non-empty"]),
        ("POST", "/api/documents", {"id": "x", "text": "  "}, 400, "empty_text", ["empty"]),
        ("POST", "/api/documents", {"id": "x", "text": "a\x00b"}, 415, "binary_content", ["NUL"]),
        ("POST", "/api/search", {}, 422, "invalid_request", ["exactly one"]),
        ("POST", "/api/search", {"text": "words", "top": 0}, 422, "invalid_request", ["1 to 100"]),
        ("POST", "/api/search", {"id": "missing"}, 404, "not_found", ["missing"]),
        ("GET", "/api/search?top=ten&text=x", None, 422, "invalid_request", ["top"]),
    ],
)
async def test_collection_bad_input(
    db_client: httpx.AsyncClient, method: str, url: str, body: Any, status: int, code: str, words: list[str]
) -> None:
    response = await db_client.request(method, url, json=body)
    assert_error(response, status, code, *words)


async def test_collection_endpoints_need_db(client: httpx.AsyncClient) -> None:
    for method, url in (("GET", "/api/search?text=x"), ("POST", "/api/documents"), ("GET", "/api/clusters")):
        body = {"json": {}} if method == "POST" else {}
        assert_error(await client.request(method, url, **body), 501, "no_collection", "--db")


# ---------------------------------------------------------------- the CLI verb


def test_serve_defaults_to_loopback() -> None:
    args = cli._parser().parse_args(["serve"])
    assert (args.host, args.port, args.db) == ("127.0.0.1", 8321, None)


def test_serve_with_a_bad_db_fails_in_one_line(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["serve", "--db", str(tmp_path)]) == 2  # a folder, not a store: fails before binding
    err = capsys.readouterr().err
    assert err.startswith(f"unspin: error: {tmp_path}: is a folder") and err.count("\n") == 1


def test_serve_beyond_loopback_needs_a_token(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("UNSPIN_TOKEN", raising=False)
    assert cli.main(["serve", "--host", "0.0.0.0"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--token" in err


# ---------------------------------------------------------------- hostile web pages and clients


def _client(app: Any, host: str = "127.0.0.1:8321") -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{host}")


async def test_other_host_names_are_refused_dns_rebinding(collection_app: Any) -> None:
    async with _client(collection_app, "attacker.example:8321") as c:
        for url in ("/healthz", "/api/stats", "/", "/static/app.js"):
            assert_error(await c.get(url), 421, "host_not_allowed", "attacker.example")
    for host in ("localhost:8321", "[::1]:8321", "127.0.0.1"):
        async with _client(collection_app, host) as c:
            assert (await c.get("/healthz")).status_code == 200, host
    app = make_app(allow_hosts=["unspin.lan"], warm_up=False)
    async with _client(app, "unspin.lan:8321") as c:
        assert (await c.get("/healthz")).status_code == 200


async def test_cross_origin_writes_are_refused_and_nothing_is_stored(collection_app: Any) -> None:
    doc = {"id": "planted", "text": "A text a page elsewhere tries to plant in the collection, about a storm."}
    async with _client(collection_app) as c:
        before = (await c.get("/api/stats")).json()["documents"]
        # what fetch(..., {mode: "no-cors"}) sends: a "simple" request, text/plain, no preflight
        planted = await c.post("/api/documents", content=json.dumps(doc), headers={"content-type": "text/plain"})
        assert_error(planted, 415, "unsupported_media_type")
        # a page on another loopback port, JSON or a form: refused by Origin and by Sec-Fetch-Site
        other = {"origin": "http://127.0.0.1:9999"}
        assert_error(await c.post("/api/documents", json=doc, headers=other), 403, "cross_origin")
        form = {"sec-fetch-site": "same-site", "origin": "http://localhost:9999"}
        assert_error(await c.post("/api/documents", files={"text": ("x.txt", b"x")}, headers=form), 403, "cross_origin")
        assert_error(await c.get("/api/stats", headers={"sec-fetch-site": "cross-site"}), 403, "cross_origin")
        assert_error(await c.post("/api/search", json={"text": "x"}, headers={"origin": "null"}), 403, "cross_origin")
        assert (await c.get("/api/stats")).json()["documents"] == before
        # no CORS: a preflight is never granted, and no answer carries Access-Control-Allow-Origin
        preflight = await c.options(
            "/api/documents", headers={"origin": "http://127.0.0.1:9999", "access-control-request-method": "POST"}
        )
        assert preflight.status_code >= 400
        assert not any(k.lower().startswith("access-control-") for k in preflight.headers)
        # the page's own requests still pass
        mine = {"origin": "http://127.0.0.1:8321", "sec-fetch-site": "same-origin"}
        assert (await c.get("/api/stats", headers=mine)).status_code == 200
        page = await c.get("/", headers={"sec-fetch-site": "cross-site"})  # a link from elsewhere opens the page
        assert page.status_code == 200 and "access-control-allow-origin" not in page.headers


async def test_token_is_required_when_set() -> None:
    app = make_app(token="s3cret", warm_up=False)
    async with _client(app) as c:
        assert_error(await c.post("/api/compare", json={"a": "x", "b": "y"}), 401, "unauthorized", "Bearer")
        wrong = {"authorization": "Bearer nope"}
        assert_error(await c.post("/api/compare", json={"a": "x", "b": "y"}, headers=wrong), 401, "unauthorized")
        assert (await c.get("/healthz")).status_code == 200
        assert (await c.get("/")).status_code == 200


@pytest.mark.parametrize(
    ("body", "code", "words"),
    [
        (b'{"a": ' + b"[" * 5000 + b"]" * 5000 + b', "b": "x"}', "invalid_json", ["nested"]),
        (b'{"a": ' + b"[" * 20 + b"]" * 20 + b', "b": "x"}', "invalid_json", ["nested"]),
        (b'{"a": "a lone \\ud800 surrogate", "b": "x"}', "invalid_text", ["surrogate", "U+D800"]),
        (b'{"a": "x", "b": "y", "\\udfff": 1}', "invalid_text", ["surrogate"]),
        (b'{"a": 1' + b"0" * 5000 + b', "b": "x"}', "invalid_json", ["JSON"]),
    ],
    ids=["deep", "deeper-than-the-limit", "lone-surrogate", "surrogate-key", "huge-number"],
)
async def test_hostile_json_is_400_in_the_error_shape(
    client: httpx.AsyncClient, body: bytes, code: str, words: list[str]
) -> None:
    response = await client.post("/api/compare", content=body, headers={"content-type": "application/json"})
    assert_error(response, 400, code, *words)


async def test_a_rejected_document_stores_nothing(db_client: httpx.AsyncClient) -> None:
    before = (await db_client.get("/api/stats")).json()["documents"]
    for body in (
        b'{"documents": [{"id": "fine", "text": "A fine text about the storm."}, {"id": "x", "text": "\\ud800"}]}',
        b'{"id": "deep", "text": "t", "meta": ' + b"[" * 100 + b"]" * 100 + b"}",
    ):
        response = await db_client.post("/api/documents", content=body, headers={"content-type": "application/json"})
        assert response.status_code == 400, response.text
    assert (await db_client.get("/api/stats")).json()["documents"] == before


async def test_a_slow_body_gets_408() -> None:
    app = make_app(body_timeout_s=0.5, warm_up=False)

    async def trickle() -> AsyncIterator[bytes]:
        yield b'{"a": "'
        await asyncio.sleep(2)
        yield b'x", "b": "y"}'

    async with _client(app) as c:
        response = await c.post("/api/compare", content=trickle(), headers={"content-type": "application/json"})
    assert_error(response, 408, "request_timeout", "0.5 s")


def test_slow_headers_are_cut_off(monkeypatch: pytest.MonkeyPatch) -> None:
    """A client that never finishes its headers is disconnected (uvicorn alone would wait for ever)."""
    import socket
    import threading

    import uvicorn

    from unspin.service import server

    monkeypatch.setattr(server, "HEADER_TIMEOUT_S", 0.5)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(make_app(warm_up=False), host="127.0.0.1", port=port, http=server._TimedH11)
    config.log_level = "warning"
    runner = uvicorn.Server(config)
    thread = threading.Thread(target=runner.run, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 20
        while not runner.started and time.monotonic() < deadline:
            time.sleep(0.05)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as slow:
            slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # and never the blank line
            started = time.monotonic()
            assert slow.recv(1024) == b""  # closed by the server
            assert time.monotonic() - started < 3
        with socket.create_connection(("127.0.0.1", port), timeout=5) as quick:
            quick.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
            assert quick.recv(1024).startswith(b"HTTP/1.1 200")
    finally:
        runner.should_exit = True
        thread.join(10)


async def test_work_over_the_budget_is_stopped_and_the_next_request_served() -> None:
    """An inspection that would take a minute gets its 504 at the budget, its worker is killed, and a small
    comparison right after is answered within the budget (one worker thread used to run on and make it 504)."""
    app = make_app(time_budget_s=4, workers=2, warm_up=True)
    pool = app.state.workers
    pool.start()
    try:
        deadline = time.monotonic() + 120
        while pool.idle < 2 and time.monotonic() < deadline:  # both workers started and warm
            await asyncio.sleep(0.2)
        assert pool.idle == 2
        heavy = " ".join(w.lower() for w in _reuters_words()[:19_000])  # a run-on of real words: slow to inspect
        async with _client(app) as c:
            started = time.monotonic()
            assert_error(await c.post("/api/inspect", json={"text": heavy}), 504, "timeout", "stopped")
            assert time.monotonic() - started < 8
            small = {
                "a": "The mayor said the storm closed 12 schools.",
                "b": "The storm closed 12 schools, the mayor said.",
            }
            started = time.monotonic()
            response = await c.post("/api/compare", json=small)
            assert response.status_code == 200, response.text
            assert time.monotonic() - started < 4
    finally:
        pool.close()


def _reuters_words() -> list[str]:
    from .test_collection import reuters

    return re.findall(r"[^\W\d_]+", " ".join(r["text"] for r in reuters(300)))
