"""The HTTP service behind ``unspin serve``: ``make_app(...)`` returns an ASGI app (FastAPI).

A thin layer over the library: it reads two texts from the request (JSON or a multipart upload), never
opens a path the client names, runs ``unspin.compare`` in one worker thread under a time budget, and
answers ``Comparison.to_dict()``. Every error, 404/405/422 included, has one shape::

    {"error": {"code": "too_large", "message": "what went wrong and what to do next"}}

Limits: the request size (by Content-Length, and counted while the body streams in), lines per text,
the time one comparison may take (504), and how many may wait for the worker (503).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException

from .. import __version__
from ..collection.ingest import META_FIELDS
from ..compare import Comparison, compare
from ..document import HTML_SUFFIXES, Document, decode, from_text

if TYPE_CHECKING:
    from ..collection import Collection, StoredDocument
from ..errors import EncodingError, InputError, UnspinError

STATIC = Path(__file__).resolve().parent / "static"
DEFAULT_TIME_BUDGET_S = 30.0
DEFAULT_MAX_LINES = 20_000
DEFAULT_MAX_PENDING = 64

# The page and its assets may load nothing from elsewhere.
_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
_STATUS_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    501: "not_implemented",
}
_log = logging.getLogger("unspin.service")
T = TypeVar("T")

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
) -> FastAPI:
    """The unspin web service and page.

    ``db``: a collection store (``unspin.Collection``, created when missing) for the /api/documents,
    /api/search, /api/clusters and /api/stats endpoints; without it they answer 501. ``max_bytes``: largest
    request body. ``time_budget_s``: longest a request waits for its work (queue included) before a 504.
    ``max_lines``: most lines in one text. ``max_pending``: requests waiting or running before a 503.
    ``warm_up``: load the models in the worker when the server starts (lifespan), not on the first request.
    """
    limits = _Limits(max_bytes=max_bytes, max_lines=max_lines)
    collection = _open_collection(db) if db is not None else None
    worker = _Worker(time_budget_s, max_pending)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warm_up:
            worker.warm_up()
        yield
        worker.close()
        if collection is not None:
            collection.close()

    app = FastAPI(
        title="unspin",
        version=__version__,
        docs_url=None,  # Swagger and ReDoc pages load scripts from a CDN: no external requests
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.worker = worker
    app.state.limits = limits
    app.state.collection = collection
    _install_error_handlers(app)

    @app.get("/healthz")
    async def healthz() -> dict[str, Any]:
        """Liveness: answers while comparisons run in the worker."""
        return {"status": "ok", "version": __version__, "pending": worker.pending, "collection": collection is not None}

    @app.post("/api/compare")
    async def compare_endpoint(request: Request, include: str | None = None) -> JSONResponse:
        """Two texts (JSON ``{"a": text, "b": text}`` or multipart fields/files ``a`` and ``b``) →
        exactly ``Comparison.to_dict()``. ``?include=text`` adds each side's text (the text the offsets
        point into, after HTML extraction) as ``a.text`` and ``b.text``."""
        if include not in (None, "", "text"):
            raise ServiceError(422, "invalid_request", f"include={include!r}: the only value is 'text'")
        doc_a, doc_b = await _read_pair(request, limits)

        def run() -> dict[str, Any]:
            comparison = compare(doc_a, doc_b)
            data = comparison.to_dict()
            if include == "text":
                data["a"]["text"], data["b"]["text"] = comparison.a.text, comparison.b.text
            return data

        return JSONResponse(await worker.run(run))

    @app.post("/api/report.html")
    async def report_endpoint(request: Request) -> HTMLResponse:
        """The same input as /api/compare → the self-contained side-by-side HTML report."""
        from ..report import to_html

        doc_a, doc_b = await _read_pair(request, limits)

        def run() -> str:
            return to_html(compare(doc_a, doc_b))

        return HTMLResponse(
            await worker.run(run),
            headers={"Content-Disposition": 'attachment; filename="unspin-report.html"'},
        )

    @app.post("/api/inspect")
    async def inspect_endpoint(request: Request) -> JSONResponse:
        """One document's source-free signs of spinning and translation: JSON ``{"text": ..., "phrases":
        [["tortured", "original"], ...]}`` or a multipart file/field ``text`` → exactly ``Inspection.to_dict()``."""
        from .. import inspect

        doc, phrases = await _read_one(request, limits)
        result = await worker.run(lambda: inspect(doc, phrases).to_dict())
        return JSONResponse(result)

    if collection is None:
        _no_collection_routes(app)
    else:
        _collection_routes(app, collection, worker, limits)

    @app.get("/", include_in_schema=False)
    async def index() -> FileResponse:
        return FileResponse(STATIC / "index.html", headers={"Content-Security-Policy": _CSP})

    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(_Guard, max_bytes=max_bytes)
    return app


# ---------------------------------------------------------------- limits and input


class _Limits:
    def __init__(self, max_bytes: int, max_lines: int) -> None:
        self.max_bytes, self.max_lines = max_bytes, max_lines


def _too_large(limit: int) -> ServiceError:
    return ServiceError(
        413, "too_large", f"the request is over the {limit:,} byte limit; send shorter texts or split them"
    )


class _Guard:
    """Pure ASGI middleware: refuse bodies over ``max_bytes`` by Content-Length and while they stream in,
    and mark the page and static assets with a Content-Security-Policy (no external requests)."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app, self.max_bytes = app, max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await _send_error(send, ServiceError(400, "bad_request", "Content-Length is not a number"))
                return
            if size > self.max_bytes:
                await _send_error(send, _too_large(self.max_bytes))
                return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
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


async def _send_error(send: Send, err: ServiceError) -> None:
    body = json.dumps(error_body(err.code, err.message), separators=(",", ":")).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    if err.status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": err.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _read_pair(request: Request, limits: _Limits) -> tuple[Document, Document]:
    """Two Documents from a JSON body or a multipart form; client strings are texts, never paths."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind == "multipart/form-data":
        return await _read_form(request, limits)
    if kind not in ("application/json", ""):
        raise ServiceError(
            415,
            "unsupported_media_type",
            f'Content-Type {kind} is not accepted; send application/json {{"a": text, "b": text}} '
            "or multipart/form-data with fields a and b",
        )
    data = await _read_json(request, '{"a": text, "b": text}')
    docs = []
    for name in ("a", "b"):
        value = data.get(name)
        if not isinstance(value, str):
            got = "missing" if value is None else f"a JSON {type(value).__name__}"
            raise ServiceError(422, "invalid_request", f"field {name!r} must be a string with the text; it is {got}")
        docs.append(_document(name, value, limits))
    return docs[0], docs[1]


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
    if kind not in ("application/json", ""):
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
    except ValueError as err:
        raise ServiceError(400, "invalid_json", f"the request body is not valid JSON: {err}") from None
    if not isinstance(data, dict):
        raise ServiceError(422, "invalid_request", f"send a JSON object {shape}")
    return data


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


def _open_collection(db: str | Path) -> Collection:
    from ..collection import Collection

    return Collection(db)


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


def _collection_routes(app: FastAPI, collection: Collection, worker: _Worker, limits: _Limits) -> None:
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
        report = await worker.run(lambda: collection.add(docs))
        return JSONResponse(report.to_dict(), status_code=201 if report.added or report.duplicates else 200)

    @app.get("/api/documents/{id:path}")
    async def get_document(id: str) -> dict[str, Any]:
        """One stored document (by its id or an alias), text included."""
        return (await _stored(worker, collection, id)).to_dict()

    async def search(text: str | None, id: str | None, top: int) -> dict[str, Any]:
        if (text is None) == (id is None):
            raise ServiceError(422, "invalid_request", f"give exactly one of 'text' and 'id'; send {_SEARCH_SHAPE}")
        if not 1 <= top <= 100:
            raise ServiceError(422, "invalid_request", f"top={top}: give a number from 1 to 100")
        if id is not None:
            stored = await _stored(worker, collection, id)
            query, skip = stored.document, {stored.id, *stored.aliases}
        else:
            query, skip = _document("text", text or "", limits, name="query"), set()
        hits = await worker.run(lambda: collection.search(query, top=top + len(skip)))
        return {"hits": [h.to_dict() for h in hits if h.id not in skip][:top]}

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
        found = await worker.run(lambda: collection.clusters(min_size=min_size, verify=verify))
        return {"clusters": [c.to_dict() for c in found]}

    @app.get("/api/clusters/{id:path}")
    async def cluster(id: str, verify: bool = True) -> dict[str, Any]:
        """One cluster by its id."""
        found = await worker.run(lambda: collection.clusters(min_size=1, verify=verify))
        for c in found:
            if c.id == id:
                return c.to_dict()
        raise ServiceError(404, "not_found", f"no cluster {id!r}; GET /api/clusters lists them")

    @app.get("/api/stats")
    async def stats() -> dict[str, Any]:
        """Counts and sizes of the collection."""
        return await worker.run(collection.stats)


async def _stored(worker: _Worker, collection: Collection, id: str) -> StoredDocument:
    try:
        return await worker.run(lambda: collection.get(id))
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


# ---------------------------------------------------------------- the worker


class _Worker:
    """One thread runs every comparison (the engine's caches are not shared between threads);
    requests wait for it under a time budget."""

    def __init__(self, time_budget_s: float, max_pending: int) -> None:
        self.time_budget_s, self.max_pending = time_budget_s, max_pending
        self.pending = 0
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="unspin-compare")
        self._lock = threading.Lock()

    def warm_up(self) -> None:
        self._pool.submit(_warm_up)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)

    async def run(self, fn: Callable[[], T]) -> T:
        with self._lock:
            if self.pending >= self.max_pending:
                raise ServiceError(
                    503, "busy", f"{self.pending} comparisons are already waiting; try again in a few seconds"
                )
            self.pending += 1
        try:
            future = asyncio.get_running_loop().run_in_executor(self._pool, fn)
            return await asyncio.wait_for(future, self.time_budget_s)
        except TimeoutError:
            raise ServiceError(
                504,
                "timeout",
                f"the comparison did not finish within the {self.time_budget_s:g} s budget; "
                "try shorter texts or try again when the server is less busy",
            ) from None
        except (ServiceError, UnspinError):
            raise
        except Exception as err:
            _log.exception("compare failed")
            raise ServiceError(500, "internal", f"the comparison failed: {type(err).__name__}: {err}") from None
        finally:
            with self._lock:
                self.pending -= 1


def _warm_up() -> Comparison | None:
    try:
        text = "The mayor said on Monday that the storm closed 12 schools in Springfield."
        return compare(Document("warm-a", text), Document("warm-b", text))
    except Exception:  # noqa: BLE001 - a failed warm-up is retried by the first request
        _log.exception("warm-up failed")
        return None


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

    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(UnspinError, unspin_error)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
