"""The HTTP service behind ``unspin serve``: ``make_app(...)`` returns an ASGI app (FastAPI).

A thin layer over the library: it reads texts from the request (JSON or a multipart upload), never opens a
path the client names, runs the work in worker processes under a time budget (see ``workers``), and answers
``Comparison.to_dict()`` and the like. Every error, 404/405/422 included, has one shape::

    {"error": {"code": "too_large", "message": "what went wrong and what to do next"}}

It runs next to the user's browser, so it trusts no web page: the Host header must be one of its own names
(loopback by default: a DNS-rebinding page is refused), API requests from another origin are refused
(Origin / Sec-Fetch-Site), state-changing requests must be JSON or multipart (a cross-origin ``text/plain``
form post never reaches a handler), no CORS header is ever sent, and with ``token`` every API request needs
``Authorization: Bearer <token>``.

Limits: the request size (by Content-Length, and counted while the body streams in), how long the body may
take to arrive, JSON nesting, lines per text, the time one request's work may take (504, and the work is
stopped), and how many requests may wait for a worker (503).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import re
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable, MutableMapping
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from .. import __version__
from ..collection.ingest import META_FIELDS
from ..document import HTML_SUFFIXES, Document, decode, from_text
from ..errors import EncodingError, InputError, UnspinError
from .workers import WorkerError, WorkerPool, default_workers

if TYPE_CHECKING:
    from ..collection import StoredDocument

STATIC = Path(__file__).resolve().parent / "static"
DEFAULT_TIME_BUDGET_S = 30.0
DEFAULT_MAX_LINES = 20_000
DEFAULT_MAX_PENDING = 64
DEFAULT_BODY_TIMEOUT_S = 30.0
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")
INCLUDES = ("text", "differences")  # what ?include= may add to a comparison
MAX_JSON_DEPTH = 8  # the deepest request shape, {"documents": [{...}]}, needs 3

# The page and its assets may load nothing from elsewhere.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    401: "unauthorized",
    403: "forbidden",
    408: "request_timeout",
    413: "too_large",
    415: "unsupported_media_type",
    421: "host_not_allowed",
    422: "invalid_request",
    501: "not_implemented",
}
_WORKER_STATUS = {"busy": 503, "timeout": 504, "internal": 500}
_STATE_CHANGING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_log = logging.getLogger("unspin.service")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ServiceError(Exception):
    """An error the service answers on purpose: HTTP status, a stable code and a one-line message."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def error_body(code: str, message: str) -> dict[str, dict[str, str]]:
    """The one JSON error shape."""
    return {"error": {"code": code, "message": message}}


def make_app(
    db: str | Path | None = None,
    max_bytes: int = 10_000_000,
    time_budget_s: float = DEFAULT_TIME_BUDGET_S,
    *,
    max_lines: int = DEFAULT_MAX_LINES,
    max_pending: int = DEFAULT_MAX_PENDING,
    warm_up: bool = True,
    workers: int | None = None,
    allow_hosts: Iterable[str] = (),
    token: str | None = None,
    body_timeout_s: float = DEFAULT_BODY_TIMEOUT_S,
) -> FastAPI:
    """The unspin web service and page.

    ``db``: a collection store (``unspin.Collection``, created when missing) for the /api/documents,
    /api/search, /api/clusters and /api/stats endpoints; without it they answer 501. ``max_bytes``: largest
    request body. ``time_budget_s``: longest a request waits for its work (queue included) before a 504; work
    past it is stopped. ``max_lines``: most lines in one text. ``max_pending``: requests waiting or running
    before a 503. ``warm_up``: start the workers and load the models when the server starts (lifespan), not on
    the first request. ``workers``: worker processes (default: one per core). ``allow_hosts``: Host names
    answered besides the loopback ones. ``token``: when set, every /api request needs ``Authorization: Bearer
    <token>``. ``body_timeout_s``: longest a request body may take to arrive (408).
    """
    limits = _Limits(max_bytes=max_bytes, max_lines=max_lines)
    if db is not None:
        _check_collection(db)  # a bad --db fails at start-up, in one line, not on the first request
    pool = WorkerPool(workers or default_workers(), time_budget_s, max_pending, db, warm_up)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            pool.start()
        yield
        pool.close()

    app = FastAPI(
        title="unspin",
        version=__version__,
        docs_url=None,  # Swagger and ReDoc pages load scripts from a CDN: no external requests
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.workers = pool
    app.state.limits = limits
    _install_error_handlers(app)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        """Liveness: answers while work runs in the workers; ``workers``: how many are started, of how many."""
        return {
            "status": "ok",
            "version": __version__,
            "pending": pool.pending,
            "collection": db is not None,
            "workers": {"ready": pool.ready, "size": pool.size},
        }

    @app.post("/api/compare")
    async def compare_endpoint(request: Request, include: str | None = None) -> Response:
        """Two texts (JSON ``{"a": text, "b": text}`` or multipart fields/files ``a`` and ``b``) →
        exactly ``Comparison.to_dict()``. ``?include=text`` adds each side's text (the text the offsets
        point into, after HTML extraction) as ``a.text`` and ``b.text``; ``differences`` (``?include=text,
        differences``) adds the word differences inside verbatim passages as ``differences``."""
        asked = set((include or "").split(",")) - {""}
        if not asked <= set(INCLUDES):
            raise ServiceError(
                422, "invalid_request", f"include={include!r}: give one or both of {', '.join(INCLUDES)}"
            )
        doc_a, doc_b = await _read_pair(request, limits)
        return Response(await _run(pool, "compare", doc_a, doc_b, sorted(asked)), media_type="application/json")

    @app.post("/api/report.html")
    async def report_endpoint(request: Request) -> HTMLResponse:
        """The same input as /api/compare → the self-contained side-by-side HTML report."""
        doc_a, doc_b = await _read_pair(request, limits)
        return HTMLResponse(
            await _run(pool, "report", doc_a, doc_b),
            headers={"Content-Disposition": 'attachment; filename="unspin-report.html"'},
        )

    @app.post("/api/inspect")
    async def inspect_endpoint(request: Request) -> Response:
        """One document's source-free signs of spinning and translation: JSON ``{"text": ..., "phrases":
        [["tortured", "original"], ...]}`` or a multipart file/field ``text`` → exactly ``Inspection.to_dict()``."""
        doc, phrases = await _read_one(request, limits)
        return Response(await _run(pool, "inspect", doc, phrases), media_type="application/json")

    if db is None:
        _no_collection_routes(app)
    else:
        _collection_routes(app, pool, limits)

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": _CSP})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    hosts = {_host_name(h) for h in (*LOOPBACK_HOSTS, *allow_hosts)}
    app.add_middleware(_Guard, max_bytes=max_bytes, hosts=hosts, token=token, body_timeout_s=body_timeout_s)
    return app


async def _run(pool: WorkerPool, task: str, *args: Any) -> Any:
    """``task`` in a worker; its UnspinError as itself (answered 422 or 404), the pool's refusals as 503/504/500."""
    try:
        return await pool.run(task, *args)
    except WorkerError as err:
        raise ServiceError(_WORKER_STATUS[err.kind], err.kind, err.message) from None


# ---------------------------------------------------------------- limits and input


class _Limits:
    def __init__(self, max_bytes: int, max_lines: int) -> None:
        self.max_bytes, self.max_lines = max_bytes, max_lines


def _too_large(limit: int) -> ServiceError:
    return ServiceError(
        413, "too_large", f"the request is over the {limit:,} byte limit; send shorter texts or split them"
    )


class _Guard:
    """Pure ASGI middleware, in front of every route: the Host allow-list (DNS rebinding), the same-origin
    rule for /api (a page elsewhere can neither write nor read), JSON or multipart only for state-changing
    requests, the bearer token, bodies over ``max_bytes`` (by Content-Length and while they stream in) or
    slower than ``body_timeout_s``; and a Content-Security-Policy on the page's assets."""

    def __init__(self, app: ASGIApp, max_bytes: int, hosts: set[str], token: str | None, body_timeout_s: float) -> None:
        self.app, self.max_bytes, self.hosts, self.token = app, max_bytes, hosts, token
        self.body_timeout_s = body_timeout_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        refusal = self._refusal(scope, headers)
        if refusal is not None:
            await _send_error(send, refusal)
            return
        seen = 0
        deadline: float | None = None

        async def counted() -> Message:
            nonlocal seen, deadline
            loop = asyncio.get_running_loop()
            deadline = deadline or loop.time() + self.body_timeout_s
            try:
                message = await asyncio.wait_for(receive(), max(0.0, deadline - loop.time()))
            except TimeoutError:
                raise ServiceError(
                    408, "request_timeout", f"the request body did not arrive within {self.body_timeout_s:g} s"
                ) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise _too_large(self.max_bytes)  # answered by the ServiceError handler
            return message

        async def marked(message: Message) -> None:
            if message["type"] == "http.response.start" and str(scope.get("path", "")).startswith("/static/"):
                message["headers"] = [*message.get("headers", []), (b"content-security-policy", _CSP.encode())]
            await send(message)

        await self.app(scope, counted, marked)

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> ServiceError | None:
        host = headers.get("host", "")
        if _host_name(host) not in self.hosts:
            return ServiceError(
                421,
                "host_not_allowed",
                f"Host {host[:100]!r} is not one of this server's names; open it as http://127.0.0.1 "
                "(or start it with --allow-host NAME)",
            )
        path, method = str(scope.get("path", "")), str(scope.get("method", "GET"))
        api = path.startswith("/api/")
        if api or method in _STATE_CHANGING:
            site = headers.get("sec-fetch-site")
            origin = headers.get("origin")
            if (site is not None and site not in ("same-origin", "none")) or (
                origin is not None and not _same_origin(origin, host)
            ):
                return ServiceError(
                    403, "cross_origin", "requests from another site or origin are refused; use this server's page"
                )
        declared = headers.get("content-length")
        if declared is not None:
            if not declared.isdigit():
                return ServiceError(400, "bad_request", "Content-Length is not a number")
            if int(declared) > self.max_bytes:
                return _too_large(self.max_bytes)
        if method in _STATE_CHANGING:
            kind = headers.get("content-type", "").split(";")[0].strip().lower()
            if kind not in ("application/json", "multipart/form-data"):
                return ServiceError(
                    415,
                    "unsupported_media_type",
                    f"Content-Type {kind or '(none)'} is not accepted; send application/json or multipart/form-data",
                )
        if self.token is not None and api:
            given = headers.get("authorization", "")
            if not hmac.compare_digest(given.encode(), f"Bearer {self.token}".encode()):
                return ServiceError(
                    401, "unauthorized", "this server needs its token: send Authorization: Bearer <token>"
                )
        return None


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers") or []}


def _host_name(host: str) -> str:
    """The name part of a Host header or an allowed name, lower case: ``[::1]:8321`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    if host.count(":") == 1:
        host = host.split(":")[0]
    return host.rstrip(".")


def _same_origin(origin: str, host: str) -> bool:
    """An Origin header naming this server as the request's Host names it (scheme http or https)."""
    parts = urlsplit(origin)
    return parts.scheme in ("http", "https") and parts.netloc.lower() == host.strip().lower()


async def _send_error(send: Send, err: ServiceError) -> None:
    body = json.dumps(error_body(err.code, err.message), separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if err.status in (408, 413):
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": err.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_pair(request: Request, limits: _Limits) -> tuple[Document, Document]:
    """Two Documents from a JSON body or a multipart form; client strings are texts, never paths."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return await _read_form(request, limits)
    if kind != "application/json":
        raise ServiceError(
            415,
            "unsupported_media_type",
            f'Content-Type {kind} is not accepted; send application/json {{"a": text, "b": text}} '
            "or multipart/form-data with fields a and b",
        )
    data = await _read_json(request, _PAIR_SHAPE)
    docs = []
    for name in ("a", "b"):
        value = data.get(name)
        label, title = name, None
        if isinstance(value, dict):  # {"text": ..., "name"?: a label (a stored id, a file name), "title"?: ...}
            label, title, value = value.get("name", name), value.get("title"), value.get("text")
            named = isinstance(label, str) and label.strip() and len(label) <= 2048
            if not named or not isinstance(title, str | None):
                raise ServiceError(
                    422, "invalid_request", f"{name}: 'name' and 'title' must be strings; send {_PAIR_SHAPE}"
                )
        if not isinstance(value, str):
            got = "missing" if value is None else f"a JSON {type(value).__name__}"
            raise ServiceError(422, "invalid_request", f"field {name!r} must be a string with the text; it is {got}")
        doc = _document(name, value, limits, name=label)
        docs.append(replace(doc, meta={**doc.meta, "title": title}) if title else doc)
    return docs[0], docs[1]


_PAIR_SHAPE = '{"a": text, "b": text} (a side may be {"text": ..., "name": ..., "title": ...})'


_INSPECT_SHAPE = '{"text": "...", "phrases": [["tortured phrase", "original"], ...]}'


async def _read_one(request: Request, limits: _Limits) -> tuple[Document, list[tuple[str, str]] | None]:
    """One Document (and the user's tortured phrases, if any) from a JSON body or a multipart form."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        async with request.form(max_files=1, max_fields=1, max_part_size=limits.max_bytes) as form:
            value = form.get("text")
            if value is None:
                raise ServiceError(422, "invalid_request", "the form has no field 'text'; send a file named text")
            if isinstance(value, UploadFile):
                return _upload("text", value.filename or "text", await value.read(), limits), None
            return _document("text", value, limits), None
    if kind != "application/json":
        raise ServiceError(415, "unsupported_media_type", f"Content-Type {kind} is not accepted; send {_INSPECT_SHAPE}")
    data = await _read_json(request, _INSPECT_SHAPE)
    text, raw = data.get("text"), data.get("phrases")
    if not isinstance(text, str):
        raise ServiceError(
            422, "invalid_request", f"field 'text' must be a string with the text; send {_INSPECT_SHAPE}"
        )
    phrases = None
    if raw is not None:  # pairs only: a string could be taken for a path to a phrases file
        if not isinstance(raw, list) or not all(
            isinstance(x, list) and len(x) == 2 and all(isinstance(w, str) and w.strip() for w in x) for x in raw
        ):
            raise ServiceError(
                422, "invalid_request", "'phrases' must be a list of [tortured, original] pairs of non-empty strings"
            )
        phrases = [(x[0], x[1]) for x in raw]
    return _document("text", text, limits), phrases


async def _read_json(request: Request, shape: str) -> dict[str, Any]:
    """The request body as a JSON object; ``shape`` shows the client what to send."""
    body = await request.body()
    if not body.strip():
        raise ServiceError(400, "empty_body", f"the request body is empty; send JSON {shape}")
    try:
        raw = body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise ServiceError(
            400, "invalid_utf8", f"the request body is not valid UTF-8 (byte {err.start}); send UTF-8 JSON"
        ) from None
    try:
        data = json.loads(raw)
    except RecursionError:
        data = None
        _too_deep()
    except ValueError as err:  # JSONDecodeError, or a number of over 4,300 digits
        raise ServiceError(400, "invalid_json", f"the request body is not valid JSON: {err}") from None
    _check_json(data, 0, _SURROGATE_ESCAPE.search(raw) is not None)
    if not isinstance(data, dict):
        raise ServiceError(422, "invalid_request", f"send a JSON object {shape}")
    return data


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")  # UTF-8 text holds none; only a JSON escape can


def _too_deep() -> None:
    raise ServiceError(400, "invalid_json", f"the JSON is nested over {MAX_JSON_DEPTH} levels deep; send {{...}}")


def _check_json(value: object, depth: int, surrogates: bool) -> None:
    """Refuse JSON nested over MAX_JSON_DEPTH, and (when the body has such an escape) lone surrogates,
    which no text can hold (they cannot be stored or printed)."""
    if depth > MAX_JSON_DEPTH:
        _too_deep()
    if isinstance(value, dict):
        for key, item in value.items():
            _check_json(key, depth + 1, surrogates)
            _check_json(item, depth + 1, surrogates)
    elif isinstance(value, list):
        for item in value:
            _check_json(item, depth + 1, surrogates)
    elif surrogates and isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as err:
            raise ServiceError(
                400,
                "invalid_text",
                f"a lone surrogate (U+{ord(value[err.start]):04X}) at character {err.start} of a string: "
                "not valid Unicode text",
            ) from None


async def _read_form(request: Request, limits: _Limits) -> tuple[Document, Document]:
    async with request.form(max_files=2, max_fields=2, max_part_size=limits.max_bytes) as form:
        docs = []
        for name in ("a", "b"):
            value = form.get(name)
            if value is None:
                raise ServiceError(422, "invalid_request", f"the form has no field {name!r}; send files a and b")
            if isinstance(value, UploadFile):
                data = await value.read()
                docs.append(_upload(name, value.filename or name, data, limits))
            else:
                docs.append(_document(name, value, limits))
    return docs[0], docs[1]


def _upload(field: str, filename: str, data: bytes, limits: _Limits) -> Document:
    where = f"{field} ({filename})"
    if not data.strip():
        raise ServiceError(400, "empty_text", f"{where}: the file is empty; nothing to compare")
    try:
        text, encoding = decode(data, where)
    except EncodingError as err:
        raise ServiceError(400, "invalid_encoding", str(err)) from None
    except InputError as err:
        raise ServiceError(415, "binary_content", str(err)) from None
    html = True if filename.lower().endswith(HTML_SUFFIXES) else None
    return _document(field, text, limits, name=filename, html=html, encoding=encoding)


def _document(
    field: str,
    text: str,
    limits: _Limits,
    *,
    name: str | None = None,
    html: bool | None = None,
    encoding: str = "str",
) -> Document:
    if not text.strip():
        raise ServiceError(400, "empty_text", f"text {field!r} is empty; paste or drop a document")
    if "\x00" in text:
        raise ServiceError(415, "binary_content", f"text {field!r} contains NUL characters: binary data, not text")
    lines = text.count("\n") + 1
    if lines > limits.max_lines:
        raise ServiceError(
            413,
            "too_many_lines",
            f"text {field!r} has {lines:,} lines, over the {limits.max_lines:,}-line limit; "
            "compare one article at a time",
        )
    try:
        return from_text(text, name=name or field, html=html, encoding=encoding)
    except UnspinError as err:
        raise ServiceError(422, "unusable_text", str(err)) from None


# ---------------------------------------------------------------- the collection (--db)


def _check_collection(db: str | Path) -> None:
    """Open (or create) the collection once, so a bad path fails when the server starts."""
    from ..collection import Collection

    Collection(db).close()


def _no_collection_routes(app: FastAPI) -> None:
    async def no_collection() -> None:
        raise ServiceError(
            501, "no_collection", "this server has no collection; start it with `unspin serve --db crawl.db`"
        )

    for path, methods in (
        ("/api/documents", ["POST"]),
        ("/api/documents/{id:path}", ["GET"]),
        ("/api/search", ["GET", "POST"]),
        ("/api/clusters", ["GET"]),
        ("/api/clusters/{id:path}", ["GET"]),
        ("/api/stats", ["GET"]),
    ):
        app.add_api_route(path, no_collection, methods=methods, include_in_schema=False)


_DOCUMENTS_SHAPE = '{"id": "...", "text": "...", "date": "YYYY-MM-DD"} or {"documents": [...]}'
_SEARCH_SHAPE = '{"text": "...", "top": 10} or {"id": "a stored id", "top": 10}'


def _collection_routes(app: FastAPI, pool: WorkerPool, limits: _Limits) -> None:
    """Collection endpoints. Documents come only as texts in the request: ``Collection.add`` and
    ``Collection.search`` get Documents, never a client string that could be taken for a path."""

    @app.post("/api/documents", status_code=201)
    async def add_documents(request: Request) -> JSONResponse:
        """Index one document ``{"id", "text", ...}`` or many ``{"documents": [...]}`` → the AddReport."""
        data = await _read_json(request, _DOCUMENTS_SHAPE)
        items = data.get("documents", [data]) if "documents" in data else [data]
        if not isinstance(items, list) or not items:
            raise ServiceError(422, "invalid_request", f"'documents' must be a non-empty list; send {_DOCUMENTS_SHAPE}")
        docs = [_stored_document(n, item, limits) for n, item in enumerate(items)]
        report = await _run(pool, "add", docs)
        return JSONResponse(report, status_code=201 if report["added"] or report["duplicates"] else 200)

    @app.get("/api/documents/{id:path}")
    async def get_document(id: str) -> dict[str, Any]:
        """One stored document (by its id or an alias), text included."""
        return (await _stored(pool, id)).to_dict()

    async def search(text: str | None, id: str | None, top: int) -> dict[str, Any]:
        if (text is None) == (id is None):
            raise ServiceError(422, "invalid_request", f"give exactly one of 'text' and 'id'; send {_SEARCH_SHAPE}")
        if not 1 <= top <= 100:
            raise ServiceError(422, "invalid_request", f"top={top}: give a number from 1 to 100")
        if id is not None:
            stored = await _stored(pool, id)
            query, skip = stored.document, {stored.id, *stored.aliases}
        else:
            query, skip = _document("text", text or "", limits, name="query"), set()
        hits = await _run(pool, "search", query, top + len(skip))
        return {"hits": [h for h in hits if h["id"] not in skip][:top]}

    @app.get("/api/search")
    async def search_get(text: str | None = None, id: str | None = None, top: int = 10) -> dict[str, Any]:
        """Stored documents likeliest to share a source with ``?id=`` (a stored one) or ``?text=``."""
        return await search(text, id, top)

    @app.post("/api/search")
    async def search_post(request: Request) -> dict[str, Any]:
        """The same with JSON ``{"text": ..., "top": 10}`` or ``{"id": ..., "top": 10}``."""
        data = await _read_json(request, _SEARCH_SHAPE)
        text, id, top = data.get("text"), data.get("id"), data.get("top", 10)
        if not (text is None or isinstance(text, str)) or not (id is None or isinstance(id, str)):
            raise ServiceError(422, "invalid_request", f"'text' and 'id' must be strings; send {_SEARCH_SHAPE}")
        if not isinstance(top, int) or isinstance(top, bool):
            raise ServiceError(422, "invalid_request", "'top' must be a whole number from 1 to 100")
        return await search(text, id, top)

    @app.get("/api/clusters")
    async def clusters(min_size: int = 2, verify: bool = True) -> dict[str, Any]:
        """Groups of stored documents sharing a source, with lineage; ``verify`` proves each link."""
        return {"clusters": await _run(pool, "clusters", min_size, verify)}

    @app.get("/api/clusters/{id:path}")
    async def cluster(id: str, verify: bool = True) -> dict[str, Any]:
        """One cluster by its id."""
        for c in await _run(pool, "clusters", 1, verify):
            if c["id"] == id:
                return c  # type: ignore[no-any-return]
        raise ServiceError(404, "not_found", f"no cluster {id!r}; GET /api/clusters lists them")

    @app.get("/api/stats")
    async def stats() -> dict[str, Any]:
        """Counts and sizes of the collection."""
        return await _run(pool, "stats")  # type: ignore[no-any-return]


async def _stored(pool: WorkerPool, id: str) -> StoredDocument:
    try:
        return await _run(pool, "get", id)  # type: ignore[no-any-return]
    except InputError as err:
        raise ServiceError(404, "not_found", str(err)) from None


def _stored_document(n: int, item: object, limits: _Limits) -> Document:
    where = f"documents[{n}]"
    if not isinstance(item, dict):
        raise ServiceError(422, "invalid_request", f"{where} must be an object; send {_DOCUMENTS_SHAPE}")
    key, text = item.get("id"), item.get("text")
    if not isinstance(key, str) or not key.strip() or len(key) > 2048:
        raise ServiceError(
            422, "invalid_request", f"{where}: 'id' must be a non-empty string (at most 2048 characters)"
        )
    if not isinstance(text, str):
        raise ServiceError(422, "invalid_request", f"{where} ({key}): 'text' must be a string with the text")
    meta = {k: v for k, v in item.items() if k in META_FIELDS and isinstance(v, str) and v}
    doc = _document(f"{where} ({key})", text, limits, name=key)
    return replace(doc, meta=meta)


# ---------------------------------------------------------------- errors


def _install_error_handlers(app: FastAPI) -> None:
    async def service_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, ServiceError)
        headers = {"Retry-After": "5"} if exc.status == 503 else None
        return JSONResponse(error_body(exc.code, exc.message), status_code=exc.status, headers=headers)

    async def unspin_error(_: Request, exc: Exception) -> Response:
        return JSONResponse(error_body("unusable_text", str(exc)), status_code=422)

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        if exc.status_code == 404:
            message = f"no such page or endpoint: {request.url.path}; the API is under /api, the page at /"
        elif exc.status_code == 405:
            allowed = (exc.headers or {}).get("Allow", "")
            message = f"{request.method} is not allowed on {request.url.path}" + (f"; use {allowed}" if allowed else "")
        else:
            message = str(exc.detail)
        return JSONResponse(error_body(code, message), status_code=exc.status_code, headers=exc.headers)

    async def validation_error(_: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(x) for x in first.get("loc", ()))
        return JSONResponse(
            error_body("invalid_request", f"{where}: {first.get('msg', 'invalid request')}"), status_code=422
        )

    async def unexpected(_: Request, exc: Exception) -> Response:  # a bug: logged, answered in the one shape
        _log.error("unexpected %s", type(exc).__name__, exc_info=exc)
        return JSONResponse(
            error_body("internal", f"the server failed ({type(exc).__name__}); the error is logged"), status_code=500
        )

    app.add_exception_handler(Exception, unexpected)
    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(UnspinError, unspin_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
