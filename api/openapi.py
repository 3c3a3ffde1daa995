"""One declaration per endpoint feeds both the request checks and the OpenAPI document.

``endpoint(...)`` records the path, method, summary, query parameters and response model of
a handler; ``query_args`` validates ``request.args`` against those same declarations, and
``openapi_document`` renders them, so the documentation cannot drift from the code.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re
from dataclasses import dataclass, field
from typing import Any

from flask import request
from pydantic import BaseModel

from api.errors import ApiError
from api.schemas import ErrorResponse

ERROR_TEXT = {400: "Malformed request (e.g. invalid JSON)", 401: "Missing or wrong API key",
              403: "The key's role does not allow this operation (or, resolving a contest: "
                   "the acting user took part in the decision: not_independent)",
              404: "Unknown client, feature, decision or contest (or no model card for the "
                   "served model)",
              408: "The body did not arrive in time",
              409: "Conflict: the decision or contest changed meanwhile, or its state "
                   "forbids this (reload it)",
              413: "Body too large",
              415: "Body is not JSON", 422: "Invalid parameters or body",
              429: "Too many requests for this key (see Retry-After)",
              500: "Unexpected failure (logged with the request id)",
              503: "Model not loaded (or a reload failed: the previous model is still served; "
                   "or the decision could not be logged: log_unavailable)"}

DIGITS = re.compile(r"[0-9]{1,19}")   # ASCII only: int() also takes "+1", "1_0", " 1", "١"
DOCS_STYLE = ("body{font-family:sans-serif;max-width:1100px;margin:2em auto;font-size:16px;"
              "line-height:1.4}table{border-collapse:collapse;width:100%}td,th{border:1px "
              "solid #999;padding:6px;text-align:left;vertical-align:top}code{font-size:15px}")
#: The docs page loads nothing: its one inline style (by hash), no script, no frame, no form.
DOCS_CSP = ("default-src 'none'; style-src 'sha256-"
            + base64.b64encode(hashlib.sha256(DOCS_STYLE.encode()).digest()).decode()
            + "'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'")


@dataclass
class Param:
    name: str
    kind: str                      # integer, string
    description: str
    default: Any = None
    minimum: int | None = None
    maximum: int | None = None
    enum: list[str] | None = None
    where: str = "query"           # query, path or header (path and header: required)
    pattern: str | None = None

    def schema(self) -> dict:
        out: dict[str, Any] = {"type": self.kind}
        for key in ("minimum", "maximum", "enum", "default", "pattern"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


@dataclass
class Endpoint:
    path: str                      # OpenAPI style: /clients/{client_id}
    method: str
    summary: str
    response: type[BaseModel] | None   # None: a plain-text answer (``media_type``)
    params: list[Param] = field(default_factory=list)
    protected: bool = False
    role: str = "viewer"           # the least role a key needs (protected endpoints)
    body: type[BaseModel] | None = None
    errors: tuple[int, ...] = ()
    media_type: str = "application/json"   # of the 200 answer; errors are always JSON


REGISTRY: list[Endpoint] = []


def endpoint(**spec):
    """Record an endpoint's contract on the handler (used by routes.py)."""
    def mark(function):
        function.contract = Endpoint(**spec)
        return function
    return mark


def query_args(contract: Endpoint, dynamic_enums: dict[str, list[str]] | None = None) -> dict:
    """``request.args`` checked against the declared query parameters (422 on any problem)."""
    declared = {p.name: p for p in contract.params if p.where == "query"}
    unknown = sorted(set(request.args) - set(declared))
    problems = [{"location": f"query.{name}",
                 "problem": f"unknown parameter; known: {', '.join(declared) or 'none'}"}
                for name in unknown]
    values: dict[str, Any] = {}
    for name, param in declared.items():
        raw = request.args.get(name)
        if raw is None:
            values[name] = param.default
            continue
        if param.kind == "integer":
            if not DIGITS.fullmatch(raw):   # as for path ids: ASCII digits only
                problems.append({"location": f"query.{name}",
                                 "problem": "must be a whole number in ASCII digits (0-9)"})
                continue
            number = int(raw)
            if (param.minimum is not None and number < param.minimum) or (
                    param.maximum is not None and number > param.maximum):
                problems.append({"location": f"query.{name}",
                                 "problem": f"must be between {param.minimum} and {param.maximum}"})
                continue
            values[name] = number
        else:
            allowed = (dynamic_enums or {}).get(name) or param.enum
            if allowed is not None and raw not in allowed:
                problems.append({"location": f"query.{name}",
                                 "problem": f"must be one of: {', '.join(allowed)}"})
                continue
            values[name] = raw
    if problems:
        raise ApiError(422, "invalid_parameter", "Invalid query parameter(s)", problems)
    return values


def path_int(name: str, raw: str) -> int:
    """A whole-number path segment (client ids): 1 to 19 ASCII digits in range, 422 otherwise."""
    if not DIGITS.fullmatch(raw):
        raise ApiError(422, "invalid_parameter", f"{name} must be a whole number",
                       [{"location": f"path.{name}",
                         "problem": "must be a whole number in ASCII digits (0-9)"}])
    value = int(raw)
    if value > 2**63 - 1:
        raise ApiError(422, "invalid_parameter", f"{name} is out of range",
                       [{"location": f"path.{name}", "problem": "must be between 0 and 2^63-1"}])
    return value


def openapi_document(endpoints: list[Endpoint], prefix: str, version: str,
                     dynamic_enums: dict[str, list[str]]) -> dict:
    components: dict[str, Any] = {}

    def ref(model: type[BaseModel]) -> dict:
        schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
        for name, sub in schema.pop("$defs", {}).items():
            components[name] = sub
        components[model.__name__] = schema
        return {"$ref": f"#/components/schemas/{model.__name__}"}

    error_ref = ref(ErrorResponse)
    paths: dict[str, Any] = {}
    for ep in endpoints:
        parameters = []
        for p in ep.params:
            schema = p.schema()
            if p.name in dynamic_enums:
                schema["enum"] = dynamic_enums[p.name]
            parameters.append({"name": p.name, "in": p.where,
                               "required": p.where in ("path", "header"),
                               "description": p.description, "schema": schema})
        codes = set(ep.errors) | {500, 503} | ({401, 429} if ep.protected else set())
        if ep.protected and ep.role != "viewer":
            codes.add(403)
        if parameters:
            codes.add(422)
        answer = ({"schema": ref(ep.response)} if ep.media_type == "application/json"
                  else {"schema": {"type": "string"}})
        responses = {"200": {"description": "OK", "content": {ep.media_type: answer}}}
        for code in sorted(codes):
            responses[str(code)] = {"description": ERROR_TEXT[code],
                                    "content": {"application/json": {"schema": error_ref}}}
        operation: dict[str, Any] = {"summary": ep.summary, "operationId": _operation_id(ep),
                                     "parameters": parameters, "responses": responses}
        if ep.body is not None:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": ref(ep.body)}}}
        if ep.protected:
            operation["security"] = [{"ApiKey": []}]
            operation["description"] = f"Needs a key with role `{ep.role}` or above."
        paths.setdefault(prefix + ep.path, {})[ep.method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "Credit scoring API", "version": version,
                 "description": "Scores, explains and describes Home Credit clients with the "
                                "champion model. Protected operations need a key in the X-API-Key "
                                "header whose role (viewer < scorer < manager < admin) allows them. "
                                "Oversight writes also name the person acting in the "
                                "X-Acting-User header."},
        "paths": paths,
        "components": {"schemas": components, "securitySchemes": {
            "ApiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}}},
    }


def _operation_id(ep: Endpoint) -> str:
    words = [w.strip("{}") for w in ep.path.strip("/").split("/") if w]
    return ep.method.lower() + "_" + "_".join(words or ["root"])


def docs_page(document: dict) -> str:
    """A readable, self-contained page listing the endpoints (no external scripts)."""
    rows = []
    for path, operations in document["paths"].items():
        for method, op in operations.items():
            params = ", ".join(f"<code>{html.escape(p['name'])}</code>" for p in op["parameters"])
            key = "yes" if "security" in op else "no"
            body = "JSON body (see schema)" if "requestBody" in op else ""
            rows.append(f"<tr><td><b>{method.upper()}</b></td><td><code>{html.escape(path)}</code></td>"
                        f"<td>{html.escape(op['summary'])}</td><td>{params} {body}</td>"
                        f"<td>{key}</td><td>{', '.join(sorted(op['responses']))}</td></tr>")
    info = document["info"]
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{html.escape(info['title'])}</title><style>{DOCS_STYLE}</style></head><body>"
        f"<h1>{html.escape(info['title'])} <small>{html.escape(info['version'])}</small></h1>"
        f"<p>{html.escape(info['description'])}</p><p>Machine-readable document: "
        "<a href='openapi.json'>openapi.json</a>. Errors are JSON: "
        "<code>{\"error\": {\"status\", \"code\", \"message\", \"details\"}, \"request_id\"}</code>."
        "</p><table><thead><tr><th>method</th><th>path</th><th>what</th><th>parameters</th>"
        "<th>API key</th><th>statuses</th></tr></thead><tbody>" + "".join(rows)
        + "</tbody></table></body></html>")
