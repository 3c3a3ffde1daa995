"""Strict bodies and headers: what every request may send and what every answer carries.

- One size limit for every body, chunked or not (:func:`read_body`): Werkzeug 3.1 enforces
  ``MAX_CONTENT_LENGTH`` on a stream the server terminates (gunicorn's chunked input) by
  *stopping* at the limit without an error, so a longer body was cut and its first 8 MB
  parsed. Here the body is read to the limit plus one byte: one byte more is a 413.
- Duplicate JSON keys are refused (:func:`refuse_duplicate_keys`): pydantic keeps the last
  value silently, so ``{"AMT_CREDIT": 1, "AMT_CREDIT": 900000}`` was scored on 900000.
- Security headers on every answer, ``Cache-Control: no-store`` on client data
  (:func:`finish`), and the CORS preflight answered before any key check (:func:`preflight`).
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Callable
from functools import cache
from operator import itemgetter
from typing import get_args

from flask import Response, current_app, request
from pydantic import BaseModel
from werkzeug.exceptions import RequestEntityTooLarge

from api.errors import ApiError
from api.openapi import DOCS_CSP

READ_CHUNK = 256 * 1024
DRAIN_BYTES = 32_000_000  # discarded after a 413, so that the client reads the answer
#: Answers that describe the API, never a client: they may be stored (and revalidated).
DOCUMENTATION = {"openapi", "docs", "root"}
JSON_CSP = "default-src 'none'; frame-ancestors 'none'"
CORS_HEADERS = "Content-Type, X-API-Key, X-Request-ID, Authorization, X-Acting-User"
CORS_MAX_AGE = "600"     # seconds a browser may reuse a preflight (Chromium caps it at 7200)


BODY_SECONDS = float(os.environ.get("CREDIT_API_BODY_SECONDS", "30"))


def read_body() -> bytes:
    """The body within ``BODY_SECONDS`` (408 otherwise), see :func:`_read_body`.

    gevent workers bound the wait for a request's headers (``keepalive``), not for its
    body: a client that promises 10 kB and sends 10 bytes would hold its connection for
    ever. A deadline for the whole body (not per read: a trickle of one byte a second must
    not keep it alive) closes it. Under threads (tests, sync workers) no deadline applies.
    """
    try:
        from gevent import Timeout
        from gevent.monkey import is_module_patched
    except ImportError:   # pragma: no cover - gevent is a dependency
        return _read_body()
    if not is_module_patched("socket"):
        return _read_body()
    try:
        with Timeout(BODY_SECONDS):
            return _read_body()
    except Timeout:
        raise ApiError(408, "request_timeout", f"The request body did not arrive within "
                       f"{BODY_SECONDS:g} s") from None


def _read_body() -> bytes:
    """The whole request body, read once: 413 when it is longer than ``MAX_CONTENT_LENGTH``.

    With a ``Content-Length`` the length is checked before anything is read. A stream the
    server terminates (``wsgi.input_terminated``: gunicorn's chunked bodies) is read up to
    the limit plus one byte, so that a body of exactly the limit passes and a longer one is
    refused instead of cut. Without either, WSGI gives no way to find the end: no body.
    The single read replaces ``request.get_data()``: nothing else reads the body.
    """
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    length = request.content_length
    environ = request.environ
    terminated = bool(environ.get("wsgi.input_terminated"))
    if length is not None and length > limit:
        _too_large(environ["wsgi.input"] if terminated else None)
    if not terminated:
        # Werkzeug bounds the stream by Content-Length (and answers 400 on a short body)
        return request.stream.read() if length else b""
    stream = environ["wsgi.input"]
    parts: list[bytes] = []
    size = 0
    while size <= limit:
        part = stream.read(min(READ_CHUNK, limit + 1 - size))
        if not part:
            break
        parts.append(part)
        size += len(part)
    if size > limit:
        _too_large(stream)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _too_large(stream) -> None:
    """413, after discarding what follows (up to DRAIN_BYTES) so that the client reads it.

    A server that closes the connection with unread input makes the kernel reset it, and
    the client then loses the 413 (it sees "connection reset" while still sending).
    """
    if stream is not None:
        left = DRAIN_BYTES
        while left > 0 and (part := stream.read(min(READ_CHUNK, left))):
            left -= len(part)
    raise RequestEntityTooLarge()


class _Repeated(dict):
    """A JSON object that gave some keys more than once (the last value kept, as pydantic)."""

    repeated: list[str]


def duplicate_keys(body: bytes) -> list[dict]:
    """Where the JSON ``body`` repeats a key inside an object, as validation details.

    Used as a check only, after pydantic accepted the body (so it is valid UTF-8 JSON of the
    request's shape). The standard library's C scanner calls the hook once per object with
    the object's pairs in order: comparing two lengths per object is the whole cost on a
    clean body, and the tree is walked only when a repetition was found.
    """
    found = False

    def pairs(items: list[tuple[str, object]]) -> dict:
        nonlocal found
        obj = dict(items)
        if len(obj) == len(items):
            return obj
        found = True
        marked = _Repeated(obj)
        marked.repeated = [k for k, n in Counter(k for k, _ in items).items() if n > 1]
        return marked

    try:
        tree = json.loads(body, object_pairs_hook=pairs)
    except (ValueError, RecursionError):   # e.g. an integer of more than 4,300 digits
        raise ApiError(400, "invalid_json", "The body is not valid JSON") from None
    if not found:
        return []
    details: list[dict] = []
    _collect(tree, [], details)
    return details[:50]


def _collect(node: object, path: list[str], details: list[dict]) -> None:
    # recursion is safe: pydantic refused JSON nested deeper than about 200 levels
    if isinstance(node, dict):
        for key in getattr(node, "repeated", ()):
            details.append({"location": ".".join([*path, key]),
                            "problem": f"duplicate key {key!r}: a key may appear once per object"})
        for key, value in node.items():
            _collect(value, [*path, key], details)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _collect(value, [*path, str(i)], details)


def refuse_duplicate_keys(data: bytes, body: BaseModel) -> None:
    """422 ``validation_error`` naming each repeated key of ``data`` and where it is.

    ``body``: what pydantic validated from ``data`` (records in ``body.clients``). A count
    proves most bodies clean in about a millisecond (:func:`_surely_no_repeated_key`); the
    others are parsed again, exactly (:func:`duplicate_keys`).
    """
    if _surely_no_repeated_key(data, body):
        return
    details = duplicate_keys(data)
    if details:
        raise ApiError(422, "validation_error", f"{len(details)} problem(s) in the request",
                       details)


def _surely_no_repeated_key(data: bytes, body: BaseModel) -> bool:
    """True only when ``data`` cannot repeat a key; False means "check exactly".

    In JSON text each key is followed by one ':' and every other ':' is inside a string, so
    ``colons(text) >= pairs(text) + colons inside strings``. pydantic kept each distinct key
    once (``model_fields_set``; unknown keys are refused) and the strings unchanged (numbers,
    categories, free text), so ``distinct keys + colons in kept strings`` can only be smaller,
    by at least one per repeated key. Equal counts prove that nothing was dropped. A colon
    written ``\\u003a`` is counted by pydantic but not by the text: such bodies are checked
    exactly. Counting less on pydantic's side (a string field skipped) only sends a body to
    the exact check.
    """
    if b"\\" in data and (b"\\u003a" in data or b"\\u003A" in data):   # memchr first
        return False
    colons = data.count(b":")
    records = body.clients
    kept = len(body.model_fields_set) + sum(len(r.model_fields_set) for r in records)
    if colons > kept and records:   # strings with ':' ("Industry: type 1"), or repeats
        texts = _text_of(type(records[0]))
        kept += "".join([value for r in records for value in texts(r.__dict__)
                         if value.__class__ is str]).count(":") if texts else 0
    return colons == kept


@cache
def _text_of(record: type[BaseModel]) -> Callable[[dict], tuple] | None:
    """Picks the values of the record's text fields (whose default is not text) from its dict."""
    names = [name for name, info in record.model_fields.items()
             if not isinstance(info.default, str) and _may_hold_text(info.annotation)]
    if len(names) == 1:
        return lambda values: (values[names[0]],)
    return itemgetter(*names) if names else None


def _may_hold_text(annotation: object) -> bool:
    return annotation is str or any(isinstance(arg, str) or _may_hold_text(arg)
                                    for arg in get_args(annotation))


def preflight(origins: list[str]) -> Response | None:
    """The answer to a CORS preflight from an allowed origin, or None for any other request.

    A browser sends the preflight without the API key (it never carries credentials), so it
    must be answered before the key check; a preflight from another origin, or an OPTIONS
    that is not a preflight, is served as before (no CORS headers).
    """
    if request.method != "OPTIONS" or "Access-Control-Request-Method" not in request.headers:
        return None
    origin = request.headers.get("Origin")
    if not origin or origin not in origins or request.url_rule is None:
        return None
    adapter = current_app.create_url_adapter(request)
    methods = sorted(set(adapter.allowed_methods()) - {"OPTIONS"}) if adapter else []
    response = Response(status=204)
    response.headers.update({
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Methods": ", ".join(methods),
        "Access-Control-Allow-Headers": CORS_HEADERS,
        "Access-Control-Max-Age": CORS_MAX_AGE})
    response.vary.add("Origin")
    return response


def finish(response: Response, origins: list[str]) -> Response:
    """Security headers on every answer; CORS headers for an allowed origin."""
    headers = response.headers
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["X-Frame-Options"] = "DENY"
    if response.mimetype == "text/html":     # the docs page: its own inline style only
        headers["Content-Security-Policy"] = DOCS_CSP
    else:
        headers["Content-Security-Policy"] = JSON_CSP
    if request.endpoint in DOCUMENTATION and response.status_code == 200:
        # no client data; revalidated because a model reload changes its version and enums
        headers.setdefault("Cache-Control", "no-cache")
    else:
        headers["Cache-Control"] = "no-store"
    if origins:
        response.vary.add("Origin")
        origin = request.headers.get("Origin")
        if origin and origin in origins:
            headers["Access-Control-Allow-Origin"] = origin
            headers["Access-Control-Expose-Headers"] = (
                "X-Request-ID, X-Caller-Request-ID, Retry-After, X-RateLimit-Limit, "
                "X-RateLimit-Remaining, X-RateLimit-Reset")
    return response
