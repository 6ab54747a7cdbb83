"""HTTP API (FastAPI): jobs, artifacts, models and health, under ``/api/v1``.

Request bodies are validated by the shared contract, so the errors name the field exactly as the
plugin and the docs spell it. Every route except health needs ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import hmac
import json
import logging
import math
import os
import re
import time
import uuid
from dataclasses import dataclass

import anyio
from fastapi import FastAPI, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, PlainTextResponse
from starlette.datastructures import Headers
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import ClientDisconnect
from starlette.responses import MalformedRangeHeader, RangeNotSatisfiable

from icesight_contract import (
    API_PREFIX,
    API_VERSION,
    AcquisitionMode,
    ApiError,
    ContractError,
    ErrorCode,
    JobKind,
    PredictRequest,
    UnknownJobKind,
    cut_field_name,
    from_dict,
    parse_job_request,
    shown,
    to_dict,
)

from . import __version__, stac
from .catalog import DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET, UNKNOWN_MODE, utc_time
from .jobs import LOOKUP_ERRORS, MODEL_INPUT_ERRORS, SUBMISSION_ERRORS, SubmissionError
from .monitoring import prometheus
from .openapi import complete
from .registry import ModelRegistry
from .service import JobManager
from .serving import Predictor
from .store import IdempotencyConflict

log = logging.getLogger("icesight.api")


@dataclass
class ApiSettings:
    token: str
    max_body_bytes: int
    scheduler_address: str
    max_upload_bytes: int = 8 * 1024**3


def _time_bound(text: str | None, field: str):
    """A search's time bound in UTC; None for an open one (nothing, ``..`` or empty)."""
    if text is None or text.strip() in ("", ".."):
        return None
    try:
        return utc_time(text)
    except (ValueError, OverflowError):  # not a time, or one that leaves the calendar in UTC
        raise ApiFailure(422, ErrorCode.INVALID_PARAMETER,
                         f"{shown(text)} is not an ISO 8601 time such as 2026-03-01T08:15:00Z (or '..' for open)", field) from None


#: Most jobs one ``GET /jobs`` lists.
MAX_JOBS_LISTED = 1000

#: What ``mode`` a scene search may ask for: the acquisition modes, and scenes ingested without one.
SEARCH_MODES = frozenset({m.value for m in AcquisitionMode} | {UNKNOWN_MODE})

#: A JSON escape of a UTF-16 surrogate (a pair is an emoji; one alone is not text).
_SURROGATE_ESCAPE = re.compile(rb"\\u[dD][89a-fA-F]")

#: What a POST STAC search may hold.
SEARCH_FIELDS = frozenset({"bbox", "datetime", "ids", "collections", "limit", "offset"})

#: Request bodies up to this size are parsed on the event loop (a hop to a worker thread costs more
#: than parsing them); larger ones in a worker thread.
INLINE_PARSE_BYTES = 64 * 1024


class ApiFailure(Exception):
    def __init__(self, status_code: int, code: ErrorCode, message: str, field: str | None = None):
        super().__init__(message)
        self.status_code = status_code
        self.error = ApiError(code, message, field)


def _error_response(status_code: int, error: ApiError, headers: dict | None = None) -> JSONResponse:
    return JSONResponse(status_code=status_code, content={"error": to_dict(error)}, headers=headers)


class DownloadResponse(FileResponse):
    """A file download that answers HTTP range requests (QGIS streams a COG through /vsicurl/), with
    a bad or unsatisfiable ``Range`` refused in the documented error shape instead of Starlette's
    plain text."""

    async def __call__(self, scope, receive, send):
        headers = Headers(scope=scope)
        asked = headers.get("range")
        if asked is not None and headers.get("if-range") is None:
            if self.stat_result is None:  # stat once, in a thread; FileResponse then uses it too
                self.stat_result = await anyio.to_thread.run_sync(os.stat, self.path)
                self.set_stat_headers(self.stat_result)
            size = self.stat_result.st_size
            try:
                self._parse_range_header(asked, size)
            except MalformedRangeHeader:
                error = ApiError(ErrorCode.INVALID_REQUEST, f"Range {shown(asked)} is not a byte range this file "
                                 f"can serve; ask for bytes=<first>-<last> within its {size} bytes", "Range")
                return await _error_response(400, error)(scope, receive, send)
            except RangeNotSatisfiable:
                error = ApiError(ErrorCode.INVALID_REQUEST, f"Range {shown(asked)} starts beyond the end of this "
                                 f"file of {size} bytes", "Range")
                return await _error_response(416, error, {"Content-Range": f"bytes */{size}"})(scope, receive, send)
        await super().__call__(scope, receive, send)


def http_protocol():
    """uvicorn's HTTP protocol (httptools), with the 400 it answers by itself, before the application
    sees a request (a malformed request line or header, an unknown method, a bad Content-Length),
    in the documented error shape instead of plain text. Pass it as ``uvicorn.run(..., http=...)``."""
    from uvicorn.protocols.http.httptools_impl import STATUS_LINE, HttpToolsProtocol

    class JsonErrorsHttpProtocol(HttpToolsProtocol):
        def send_400_response(self, msg: str) -> None:
            error = ApiError(ErrorCode.INVALID_REQUEST, f"not a valid HTTP request ({msg.rstrip('.')}); send HTTP/1.1 "
                             "with a standard method and well-formed headers")
            body = json.dumps({"error": to_dict(error)}).encode()
            head = [STATUS_LINE[400]]
            for name, value in self.server_state.default_headers:
                head.extend([name, b": ", value, b"\r\n"])
            head.extend([b"content-type: application/json\r\n", b"content-length: %d\r\n" % len(body),
                         b"connection: close\r\n", b"\r\n", body])
            self.transport.write(b"".join(head))
            self.transport.close()

    return JsonErrorsHttpProtocol


def create_app(manager: JobManager, registry: ModelRegistry, settings: ApiSettings) -> FastAPI:
    app = FastAPI(
        title="IceSight backend",
        version=__version__,
        description="Ship/iceberg detection and classification of Sentinel-1 SAR, run on Dask.",
    )
    store = manager.store
    catalog = manager.catalog
    predictor = Predictor(registry)
    monitor = manager.monitor
    public_paths = {f"{API_PREFIX}/health", "/openapi.json"}  # the document holds no secret

    def file_route(path: str, **kwargs):
        """A GET route that serves a file, with HEAD answered too (its size and type, no body), as
        download tools and GDAL's /vsicurl/ ask before reading; the document lists the GET."""
        def register(endpoint):
            app.add_api_route(path, endpoint, methods=["HEAD"], include_in_schema=False,
                              name=f"{kwargs.get('name', endpoint.__name__)} (headers)")
            return app.get(path, **kwargs)(endpoint)
        return register

    def unauthorised() -> JSONResponse:
        return _error_response(401, ApiError(
            ErrorCode.UNAUTHORIZED,
            "missing or wrong token: send the header 'Authorization: Bearer <token>' with the token the "
            "backend wrote on first start to the file 'token' in its configuration directory (by default "
            "~/.config/icesight/token of the account that runs it; ask its administrator)",
        ), {"WWW-Authenticate": 'Bearer realm="icesight"'})

    # Plain ASGI middleware (not Starlette's BaseHTTPMiddleware, which wraps every request and
    # response body in extra tasks and streams: a third of the service's time per predict request).
    def require_token(app_):
        async def middleware(scope, receive, send):
            if scope["type"] == "http" and scope["path"] not in public_paths \
                    and not _has_token(Request(scope), settings.token):
                await unauthorised()(scope, receive, send)
                return
            await app_(scope, receive, send)

        return middleware

    def measure(app_):
        """Outermost: every request is counted, refused ones included."""
        async def middleware(scope, receive, send):
            if scope["type"] != "http":
                await app_(scope, receive, send)
                return
            started = time.perf_counter()
            status, responded = 500, False  # unless a response starts

            async def counting_send(message):
                nonlocal status, responded
                if message["type"] == "http.response.start":
                    status, responded = message["status"], True
                await send(message)

            try:
                await app_(scope, receive, counting_send)
            except ClientDisconnect:
                log.info("%s %s: the client went away before sending its whole body", scope["method"], scope["path"])
            except Exception:
                # Answered here, not by Starlette's error middleware, which re-raises to the server and so
                # closes the client's keep-alive connection. The message names no server internals;
                # the log has the traceback under the same reference.
                reference = uuid.uuid4().hex[:12]
                log.exception("unhandled error (reference %s) in %s %s", reference, scope["method"], scope["path"])
                if not responded:
                    error = ApiError(ErrorCode.INTERNAL, f"internal error (reference {reference}); the request was "
                                     "not carried out. The service log has the details under that reference")
                    await _error_response(500, error)(scope, receive, counting_send)
            finally:
                route = scope.get("route")
                monitor.record_request(scope["method"], getattr(route, "path", "unmatched"), status,
                                       time.perf_counter() - started)

        return middleware

    app.add_middleware(require_token)
    app.add_middleware(measure)  # added last: outermost

    @app.exception_handler(ApiFailure)
    async def api_failure(_request: Request, exc: ApiFailure):
        return _error_response(exc.status_code, exc.error)

    # Lookups of registered things answer 404 wherever they fail (job submission maps them to 422
    # with the parameter's name before they get here).
    def not_found(code: ErrorCode):
        async def handler(_request: Request, exc: Exception):
            return _error_response(404, ApiError(code, str(exc)))

        return handler

    for missing, code in LOOKUP_ERRORS.items():
        app.add_exception_handler(missing, not_found(code))

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        field = ".".join(str(part) for part in first.get("loc", ())[1:]) or None
        return _error_response(422, ApiError(ErrorCode.INVALID_PARAMETER, f"{field or 'request'}: {first.get('msg')}", field))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        codes = {404: ErrorCode.NOT_FOUND, 405: ErrorCode.METHOD_NOT_ALLOWED}
        code = codes.get(exc.status_code, ErrorCode.INVALID_REQUEST)
        message = {404: f"no such route; the API lives under {API_PREFIX} (see /openapi.json)",
                   405: "this route does not take that method (see /openapi.json)"}.get(exc.status_code, str(exc.detail))
        return _error_response(exc.status_code, ApiError(code, message))

    def job_or_404(job_id: str):
        status = store.get(job_id)
        if status is None:
            raise ApiFailure(404, ErrorCode.UNKNOWN_JOB, f"no job with id {shown(job_id)}; list jobs at {API_PREFIX}/jobs")
        return status

    @app.get(f"{API_PREFIX}/health")
    async def health(request: Request):
        """Public: whether the service and its workers are up. The scheduler's address only goes to
        callers with the token. Answered on the event loop from the workers seen within the last
        second (no wait for a worker thread under load); otherwise the scheduler is asked."""
        workers = manager.recent_workers()
        if workers is None:
            workers = await run_in_threadpool(manager.workers)
        authorised = _has_token(request, settings.token)
        return {
            "status": "ok" if workers else "no_workers",
            "api_version": API_VERSION,
            "version": __version__,
            "dask": {
                "scheduler": settings.scheduler_address if authorised else None,
                "n_workers": len(workers),
                "total_threads": sum(w.nthreads for w in workers),
                "workers": [to_dict(w) if authorised else to_dict(w) | {"address": None} for w in workers],
            },
            "gpu": any(w.gpu for w in workers),
            "service_gpu": manager.service_gpu,
        }

    async def read_json(request: Request):
        """The request body as JSON, within the size limit, with finite numbers only."""
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > settings.max_body_bytes:
            raise _too_large(int(declared), settings.max_body_bytes)
        chunks, size = [], 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > settings.max_body_bytes:
                raise _too_large(size, settings.max_body_bytes)
            chunks.append(chunk)
        body = b"".join(chunks)
        not_finite: list[str] = []  # what NaN, Infinity or an overflowing number was written as

        def parse_float(text: str) -> float | _NotFinite:
            value = float(text)
            return value if math.isfinite(value) else parse_constant(text)

        def parse_constant(text: str) -> _NotFinite:
            not_finite.append(text)
            return _NotFinite()

        too_long: list[str] = []  # integers longer than any parameter takes (Python refuses 4,300 digits)

        def parse_int(text: str) -> int | _TooLong:
            if len(text) <= MAX_INTEGER_DIGITS:
                return int(text)
            too_long.append(text)
            return _TooLong()

        try:
            if size <= INLINE_PARSE_BYTES:  # a packed predict request: parsed in well under a millisecond
                document = json.loads(body, parse_float=parse_float, parse_constant=parse_constant,
                                      parse_int=parse_int)
            else:
                # In a worker thread: a body of patches as JSON arrays holds ~100,000 numbers, each checked
                # in Python, and the event loop must keep answering /health and status polls meanwhile.
                document = await run_in_threadpool(json.loads, body, parse_float=parse_float,
                                                   parse_constant=parse_constant, parse_int=parse_int)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            detail = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
            raise ApiFailure(400, ErrorCode.INVALID_JSON, f"body is not valid JSON: {detail}") from None
        if not_finite:  # rare: only then is the document walked, to name where the number is
            where = _first_path(document, lambda value: isinstance(value, _NotFinite))
            raise ApiFailure(400, ErrorCode.INVALID_JSON, f"body is not valid JSON: {where or 'body'} is "
                             f"{shown(not_finite[0])}, which is not a number JSON allows; send a finite number "
                             "(or leave the field out where it is optional)", where or None)
        if too_long:
            where = _first_path(document, lambda value: isinstance(value, _TooLong))
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, f"{where or 'body'} is an integer of "
                             f"{len(too_long[0].lstrip('-'))} digits, beyond any value a parameter takes",
                             where or "body")
        if _SURROGATE_ESCAPE.search(body):  # rare: only then is every string looked at
            where = _first_path(document, _not_unicode)
            if where is not None:
                raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, f"{where or 'body'}: a string holds a lone "
                                 "UTF-16 surrogate escape (\\ud800-\\udfff), which is not text; send valid Unicode",
                                 where or None)
        return document

    def submission_failure(exc: Exception, in_params: bool = True) -> ApiFailure:
        """A 422 naming the parameter, as a job's ``params.<name>`` or, for a body without the
        ``params`` wrapper (predict), as ``<name>``."""
        code, field = (exc.code, exc.field) if isinstance(exc, SubmissionError) else SUBMISSION_ERRORS[type(exc)]
        return ApiFailure(422, code, str(exc), field if in_params or field is None else field.removeprefix("params."))

    @app.post(f"{API_PREFIX}/jobs", status_code=202)
    async def submit_job(request: Request):
        document = await read_json(request)
        try:
            kind, params = await run_in_threadpool(parse_job_request, document)
        except UnknownJobKind as exc:
            raise ApiFailure(422, ErrorCode.UNKNOWN_JOB_KIND, exc.problem, exc.field) from None
        except ContractError as exc:
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, str(exc), exc.field or "body") from None
        key = request.headers.get("idempotency-key")
        if key is not None and not (1 <= len(key) <= 200 and key.isprintable()):
            raise ApiFailure(400, ErrorCode.INVALID_REQUEST, "Idempotency-Key must be 1-200 printable characters",
                             "Idempotency-Key")
        try:
            status, created = await run_in_threadpool(manager.submit, kind, params, key)
        except (SubmissionError, *SUBMISSION_ERRORS) as exc:
            raise submission_failure(exc) from None
        except IdempotencyConflict as exc:
            raise ApiFailure(409, ErrorCode.IDEMPOTENCY_CONFLICT, str(exc), "Idempotency-Key") from None
        return JSONResponse(status_code=202, content=to_dict(status), headers={} if created else {"Idempotent-Replayed": "true"})

    @app.post(f"{API_PREFIX}/predict")
    async def predict(request: Request):
        """A few patches classified at once by the model the service keeps loaded (the production
        model unless ``model_id`` names another); for many patches, submit a classify_patches job."""
        document = await read_json(request)

        def serve():  # one worker-thread hop for decoding, the forward pass and its record
            body = from_dict(PredictRequest, document)
            result, seconds, rows = predictor.predict(body)
            monitor.record_predictions("predict", rows)
            return result, seconds

        try:
            result, seconds = await run_in_threadpool(serve)
        except ContractError as exc:
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, str(exc), exc.field or "body") from None
        except (SubmissionError, *SUBMISSION_ERRORS) as exc:
            raise submission_failure(exc, in_params=False) from None
        except MODEL_INPUT_ERRORS as exc:
            raise ApiFailure(422, ErrorCode.MODEL_INPUT_MISMATCH, str(exc), "patches") from None
        return JSONResponse(to_dict(result) | {"model_seconds": round(seconds, 5)})

    @app.get(f"{API_PREFIX}/monitoring")
    def monitoring():
        """Requests and their latency, jobs by state, the queue, workers, and per model: predictions,
        class balance by day and drift of the inputs against its training data (PSI per feature)."""
        states = manager.jobs_by_state()
        return {
            "since": monitor.started,
            "requests": monitor.requests(),
            "jobs": states,
            "queue_length": states.get("queued", 0) + states.get("running", 0),
            "n_workers": len(manager.workers()),
            "models": monitor.predictions(manager.drift_profiles()),
        }

    @app.get(f"{API_PREFIX}/metrics", response_class=PlainTextResponse)
    def metrics():
        """The same in the Prometheus text format (scrape with a bearer token)."""
        return PlainTextResponse(prometheus(monitor, manager.jobs_by_state(), len(manager.workers()),
                                            monitor.predictions(manager.drift_profiles())),
                                 media_type="text/plain; version=0.0.4")

    @app.post(f"{API_PREFIX}/uploads", status_code=201)
    async def upload_scene(request: Request, filename: str | None = None):
        """Receive a scene file as the raw request body (``?filename=`` records where it came from);
        ingest it with an ``ingest_scene`` job."""
        if filename is not None and not filename.isprintable():
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, f"filename {shown(filename)} holds control characters; "
                             "send the file's plain name", "filename")
        if request.headers.get("content-type", "").lower().startswith("multipart/"):
            raise ApiFailure(400, ErrorCode.INVALID_REQUEST, "send the scene file itself as the request body "
                             "(Content-Type: application/octet-stream), not as a form; its name goes in ?filename=",
                             "Content-Type")
        # The name as sent from any system (a Windows path too), as it is stored and answered.
        name = filename.replace("\\", "/").rsplit("/", 1)[-1][:MAX_FILENAME_CHARS] if filename else None
        upload_id, path = manager.new_upload_path()
        partial = path.with_suffix(".partial")
        size = 0
        try:
            with open(partial, "wb") as handle:
                async for chunk in request.stream():
                    size += len(chunk)
                    if size > settings.max_upload_bytes:
                        raise ApiFailure(
                            413, ErrorCode.BODY_TOO_LARGE,
                            f"upload exceeds {settings.max_upload_bytes} bytes; start the backend with a larger --max-upload-mb",
                        )
                    handle.write(chunk)
            if size == 0:
                raise ApiFailure(400, ErrorCode.INVALID_PARAMETER, "empty upload: send the GeoTIFF as the request body")
            partial.replace(path)
            if name:
                path.with_suffix(".name").write_text(name)
        finally:
            partial.unlink(missing_ok=True)
        return {"upload_id": upload_id, "size_bytes": size, "filename": name or None}

    def scene_search(request: Request, *, bbox: str | list | None = None, datetime: str | None = None,
                     ids: str | list | None = None, collections: str | list | None = None,
                     limit: int = DEFAULT_LIMIT, offset: int = 0, start: str | None = None, end: str | None = None,
                     mode: str | None = None, post_body: dict | None = None) -> dict:
        """STAC item search over the catalog, as ``GET /scenes`` and ``GET``/``POST`` ``/stac/search``
        answer it: a FeatureCollection page with a ``next`` link while more items match."""
        box = _search_bbox(bbox)
        _check_int(limit, 1, MAX_LIMIT, "limit")
        _check_int(offset, 0, MAX_OFFSET, "offset")
        bounds = [_time_bound(start, "start"), _time_bound(end, "end")]
        if datetime is not None and not isinstance(datetime, str):
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, "datetime must be a string: an instant or start/end", "datetime")
        if datetime:
            first, _, last = datetime.partition("/") if "/" in datetime else (datetime, "", datetime)
            bounds = [max(filter(None, (bounds[0], _time_bound(first, "datetime"))), default=None),
                      min(filter(None, (bounds[1], _time_bound(last, "datetime"))), default=None)]
        wanted = _name_list(ids, "ids")
        if wanted is not None and len(wanted) > MAX_LIMIT:
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, f"at most {MAX_LIMIT} ids at once, got {len(wanted)}", "ids")
        if mode is not None and mode not in SEARCH_MODES:
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, f"mode {shown(mode)} is not one of "
                             f"{', '.join(sorted(SEARCH_MODES))}", "mode")
        in_collections = _name_list(collections, "collections")
        if in_collections is not None and stac.COLLECTION_ID not in in_collections:
            items, matched = [], 0  # every scene is in the one collection
        else:
            items, matched = catalog.list(bounds[0], bounds[1], box, mode, wanted, limit, offset)
        links = [{"rel": "self", "type": stac.GEOJSON, "href": str(request.url)}]
        if offset + len(items) < matched:
            following = offset + len(items)
            if post_body is None:
                links.append({"rel": "next", "type": stac.GEOJSON, "method": "GET",
                              "href": str(request.url.include_query_params(offset=following, limit=limit))})
            else:
                links.append({"rel": "next", "type": stac.GEOJSON, "method": "POST", "href": str(request.url),
                              "body": post_body | {"offset": following, "limit": limit}, "merge": False})
        return stac.item_collection(items, matched, _base_url(request), links)

    @app.get(f"{API_PREFIX}/scenes")
    def list_scenes(request: Request, start: str | None = None, end: str | None = None, bbox: str | None = None,
                    mode: str | None = None, datetime: str | None = None, ids: str | None = None,
                    collections: str | None = None, limit: int = DEFAULT_LIMIT, offset: int = 0):
        """STAC item search (GET): ``bbox``, ``datetime`` (an instant or ``start/end``, ``..`` open),
        ``ids``, ``collections``, ``limit`` with a ``next`` link; also ``start``/``end`` and ``mode``."""
        return scene_search(request, bbox=bbox, datetime=datetime, ids=ids, collections=collections, limit=limit,
                            offset=offset, start=start, end=end, mode=mode)

    @app.get(stac.STAC_ROOT)
    def stac_landing_page(request: Request):
        """The STAC API landing page: pystac-client, QGIS's STAC source and STAC Browser start here
        (send the token as for every route)."""
        return stac.landing_page(_base_url(request))

    @app.get(f"{stac.STAC_ROOT}/conformance")
    def stac_conformance():
        return {"conformsTo": stac.CONFORMANCE}

    @app.get(f"{stac.STAC_ROOT}/collections")
    def stac_collections(request: Request):
        base = _base_url(request)
        return {"collections": [stac.collection(base, catalog.extent())],
                "links": [{"rel": "self", "type": "application/json", "href": f"{base}{stac.STAC_ROOT}/collections"},
                          {"rel": "root", "type": "application/json", "href": f"{base}{stac.STAC_ROOT}"}]}

    def collection_or_404(collection_id: str) -> None:
        if collection_id != stac.COLLECTION_ID:
            raise ApiFailure(404, ErrorCode.NOT_FOUND,
                             f"no collection {shown(collection_id)}; this catalog has one, {stac.COLLECTION_ID!r}")

    @app.get(f"{stac.STAC_ROOT}/collections/{{collection_id}}")
    def stac_collection(request: Request, collection_id: str):
        collection_or_404(collection_id)
        return stac.collection(_base_url(request), catalog.extent())

    @app.get(f"{stac.STAC_ROOT}/collections/{{collection_id}}/items")
    def stac_collection_items(request: Request, collection_id: str, bbox: str | None = None, datetime: str | None = None,
                              limit: int = DEFAULT_LIMIT, offset: int = 0):
        collection_or_404(collection_id)
        return scene_search(request, bbox=bbox, datetime=datetime, limit=limit, offset=offset)

    @app.get(f"{stac.STAC_ROOT}/collections/{{collection_id}}/items/{{item_id}}")
    def stac_item(request: Request, collection_id: str, item_id: str):
        collection_or_404(collection_id)
        return stac.served_item(catalog.get(item_id), _base_url(request))

    @app.get(f"{stac.STAC_ROOT}/search")
    def stac_search_get(request: Request, bbox: str | None = None, datetime: str | None = None, ids: str | None = None,
                        collections: str | None = None, limit: int = DEFAULT_LIMIT, offset: int = 0):
        """STAC item search (GET)."""
        return scene_search(request, bbox=bbox, datetime=datetime, ids=ids, collections=collections, limit=limit,
                            offset=offset)

    @app.post(f"{stac.STAC_ROOT}/search")
    async def stac_search_post(request: Request):
        """STAC item search (POST): a JSON object of ``bbox`` (4 or 6 numbers), ``datetime``, ``ids``,
        ``collections``, ``limit`` and ``offset``."""
        body = await read_json(request)
        if not isinstance(body, dict):
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, "the search must be a JSON object", "body")
        unsupported = sorted(set(body) - SEARCH_FIELDS)
        if unsupported:
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER,
                             f"{shown(unsupported[0])} is not supported; search with {', '.join(sorted(SEARCH_FIELDS))}",
                             cut_field_name(unsupported[0]))
        return await run_in_threadpool(lambda: scene_search(request, **body, post_body=body))

    @app.get(f"{API_PREFIX}/scenes/{{scene_id}}")
    def get_scene(scene_id: str):
        return catalog.get(scene_id)

    @file_route(f"{API_PREFIX}/scenes/{{scene_id}}/scene.tif")
    def download_scene(scene_id: str):
        path = catalog.cog_path(scene_id)
        return DownloadResponse(path, media_type="image/tiff; application=geotiff; profile=cloud-optimized", filename=f"{scene_id}.tif")

    @app.get(f"{API_PREFIX}/jobs")
    def list_jobs(limit: int = 100, kind: str | None = None):
        """Newest first; ``?kind=search_hyperparameters`` lists the searches with their trial tables."""
        _check_int(limit, 1, MAX_JOBS_LISTED, "limit")
        job_kind = None
        if kind is not None:
            try:
                job_kind = JobKind(kind)
            except ValueError:
                known = ", ".join(k.value for k in JobKind)
                raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, f"unknown job kind {shown(kind)}; known kinds: {known}", "kind") from None
        return {"jobs": [to_dict(s) for s in store.list(limit=limit, kind=job_kind)]}

    @app.get(f"{API_PREFIX}/jobs/{{job_id}}")
    def get_job(job_id: str):
        return to_dict(job_or_404(job_id))

    @app.post(f"{API_PREFIX}/jobs/{{job_id}}/cancel")
    def cancel_job(job_id: str):
        status = job_or_404(job_id)
        if not manager.cancel(job_id):
            raise ApiFailure(
                409,
                ErrorCode.JOB_NOT_CANCELLABLE,
                f"job {job_id} has already finished ({store.get(job_id).state.value}); nothing to cancel",
            )
        status = store.get(job_id)
        return to_dict(status)

    @app.get(f"{API_PREFIX}/jobs/{{job_id}}/artifacts")
    def list_artifacts(job_id: str):
        return {"artifacts": to_dict(job_or_404(job_id).artifacts)}

    @file_route(f"{API_PREFIX}/jobs/{{job_id}}/artifacts/{{name}}")
    def download_artifact(job_id: str, name: str):
        status = job_or_404(job_id)
        path = store.artifact_path(job_id, name)
        if path is None:
            names = ", ".join(a.name for a in status.artifacts) or f"none (job is {status.state.value})"
            raise ApiFailure(404, ErrorCode.UNKNOWN_ARTIFACT, f"job {job_id} has no artifact {shown(name)}; it has: {names}")
        media_type = next(a.media_type for a in status.artifacts if a.name == name)
        # FileResponse answers HTTP range requests, so QGIS can stream a COG through /vsicurl/.
        return DownloadResponse(path, media_type=media_type, filename=name)

    # -- feature store ----------------------------------------------------------------------------

    def _versioned(versioned, name: str, version: int | None = None):
        try:
            return versioned.get(name, version) if version is not None else versioned.versions(name)
        except ValueError as exc:  # a malformed name
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, str(exc)) from None

    def _listing(versioned) -> list[dict]:
        out = []
        for name in versioned.names():
            versions = versioned.versions(name)
            if versions:
                out.append({versioned.name_key: name, "n_versions": len(versions), "latest": versions[-1]})
        return out

    def add_versioned_routes(path: str, versioned, list_key: str, data_file: str) -> None:
        """List, versions, one version's metadata and its data file, for feature groups
        (``data.parquet``, with the validation report in the metadata) and training datasets
        (``split.parquet``: each patch id with its part and fold)."""

        @app.get(f"{API_PREFIX}/{path}", name=f"list {path}")
        def listing():
            return {list_key: _listing(versioned)}

        @app.get(f"{API_PREFIX}/{path}/{{name}}", name=f"versions of one of {path}")
        def versions(name: str):
            found = _versioned(versioned, name)
            if not found:
                versioned.get(name)  # raises the 404 that lists the known names
            return {versioned.name_key: name, "versions": found}

        @app.get(f"{API_PREFIX}/{path}/{{name}}/versions/{{version}}", name=f"one version of one of {path}")
        def version_metadata(name: str, version: int):
            return _versioned(versioned, name, version)

        @file_route(f"{API_PREFIX}/{path}/{{name}}/versions/{{version}}/{data_file}", name=f"{data_file} of a version of {path}")
        def version_data(name: str, version: int):
            meta = _versioned(versioned, name, version)
            file = versioned.path(name, meta["version"]) / data_file
            return DownloadResponse(file, media_type="application/vnd.apache.parquet", filename=f"{name}_v{version}_{data_file}")

    add_versioned_routes("feature-groups", manager.features, "feature_groups", "data.parquet")
    add_versioned_routes("training-datasets", manager.datasets, "training_datasets", "split.parquet")

    @app.get(f"{API_PREFIX}/models")
    def list_models():
        return {"models": registry.list()}

    @app.get(f"{API_PREFIX}/models/compare")
    def compare_models(ids: str):
        model_ids = [m for m in ids.split(",") if m]
        if len(model_ids) < 2:
            raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, "give at least two model ids: ?ids=a,b", "ids")
        return registry.compare(model_ids)

    @app.get(f"{API_PREFIX}/models/{{model_id}}")
    def get_model(model_id: str):
        return registry.get(model_id) | {"production": registry.production_id() == model_id}

    @app.post(f"{API_PREFIX}/models/{{model_id}}/production")
    def mark_production(model_id: str):
        return registry.set_production(model_id) | {"production": True}

    @file_route(f"{API_PREFIX}/models/{{model_id}}/model.torchscript.pt")
    def download_torchscript(model_id: str):
        path = registry.torchscript_path(model_id)
        if path is None:
            raise ApiFailure(404, ErrorCode.UNKNOWN_ARTIFACT, f"model {model_id} has no TorchScript export")
        return DownloadResponse(path, media_type="application/octet-stream", filename=f"{model_id}.torchscript.pt")

    def openapi() -> dict:
        if app.openapi_schema is None:
            from fastapi.openapi.utils import get_openapi

            app.openapi_schema = complete(get_openapi(title=app.title, version=app.version, description=app.description,
                                                      routes=app.routes))
        return app.openapi_schema

    app.openapi = openapi
    return app


def _base_url(request: Request) -> str:
    """Scheme, host and port as the client reached the service (for absolute links)."""
    return str(request.base_url).rstrip("/")


def _search_bbox(bbox: str | list | None) -> tuple[float, float, float, float] | None:
    """A search's box, ``west,south,east,north`` in degrees (a 3D box: its horizontal part); west
    may exceed east for a box across the antimeridian (STAC API item search)."""
    if bbox is None or bbox == "":
        return None
    try:
        values = bbox.split(",") if isinstance(bbox, str) else bbox
        if not isinstance(values, list) or any(type(v) not in (int, float, str) for v in values):
            raise ValueError
        box = tuple(float(v) for v in values)
        if len(box) == 6:
            box = (box[0], box[1], box[3], box[4])
        if (len(box) != 4 or not all(math.isfinite(v) for v in box) or box[1] > box[3]
                or not all(-180.0 <= v <= 180.0 for v in box[::2]) or not all(-90.0 <= v <= 90.0 for v in box[1::2])):
            raise ValueError
    except (ValueError, OverflowError):
        raise ApiFailure(422, ErrorCode.INVALID_PARAMETER,
                         f"bbox {shown(bbox)} must be west,south,east,north in degrees (longitudes in [-180, 180], "
                         "latitudes in [-90, 90], south <= north; west > east crosses the antimeridian)", "bbox") from None
    return box


def _name_list(value: str | list | None, field: str) -> list[str] | None:
    """Comma-separated names (GET) or a list of strings (POST)."""
    if value is None:
        return None
    names = value.split(",") if isinstance(value, str) else value
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, f"{field} must be a list of strings", field)
    return [n for n in names if n]


def _has_token(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


def _check_int(value, low: int, high: int, field: str) -> None:
    """A query or search value that must be an integer from ``low`` to ``high`` (a 422 naming it)."""
    if type(value) is not int or not low <= value <= high:
        given = shown(value) if isinstance(value, str) else repr(value)
        raise ApiFailure(422, ErrorCode.INVALID_PARAMETER, f"{field} must be an integer between {low} and {high}, "
                         f"got {given}", field)


class _NotFinite:
    """What the JSON parser puts where a body has NaN, Infinity or a number beyond a float's range."""


class _TooLong:
    """What the JSON parser puts where a body has an integer of more than MAX_INTEGER_DIGITS digits."""


#: The longest file name an upload keeps (what file systems allow).
MAX_FILENAME_CHARS = 255
#: The most digits an integer of a request body may have (a seed takes 20 at most; Python refuses to
#: read integers of more than 4,300 digits, and reading one costs time quadratic in its length).
MAX_INTEGER_DIGITS = 1000


def _not_unicode(value) -> bool:
    if not isinstance(value, str):
        return False
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _first_path(value, found, path: str = "") -> str | None:
    """The path (``params.group``, ``patches[0].id``; ``""`` for the document itself) of the first
    value or key of a parsed document for which ``found`` is true; None if there is none."""
    if found(value):
        return path
    if isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    elif isinstance(value, dict):
        for key in value:
            if found(key):
                return f"{path}.<key>" if path else "<key>"
        items = ((f"{path}.{k}" if path else k, v) for k, v in value.items())
    else:
        return None
    for where, item in items:
        hit = _first_path(item, found, where)
        if hit is not None:
            return hit
    return None


def _too_large(size: int, limit: int) -> ApiFailure:
    return ApiFailure(
        413,
        ErrorCode.BODY_TOO_LARGE,
        f"request body of {size} bytes exceeds the limit of {limit} bytes; send fewer patches per job "
        "or start the backend with a larger --max-body-mb",
    )
