"""The Flask application factory of the scoring API.

``create_app()`` loads the scoring service once (model bundle and artifacts through the Kedro
catalog); gunicorn serves it (``make api``, ``api/gunicorn.conf.py``). When the artifacts are
missing the app still starts, answers ``/health``, and ``/ready`` says why it is not ready.
"""

from __future__ import annotations

import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, g, request

from api import http_hygiene
from api.access import Access, install_rate_limits
from api.errors import register_error_handlers
from api.openapi import docs_page, openapi_document
from api.oversight_routes import ENDPOINTS as OVERSIGHT_ENDPOINTS
from api.oversight_routes import bp as oversight_bp
from api.reloading import Reloader
from api.routes import ENDPOINTS, bp
from credit_scoring_kedro.modeling.registry_bundles import RegistryError
from credit_scoring_kedro.serving import metrics
from credit_scoring_kedro.serving.client_book import FILTERS
from credit_scoring_kedro.serving.service import ScoringService

PREFIX = "/api/v1"
MAX_BODY_BYTES = 8_000_000            # 1,000 full application records fit in about 3 MB
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
logger = logging.getLogger("api")


@dataclass
class ScoringState:
    service: ScoringService | None
    error: str | None = None


def load_service() -> ScoringState:
    """The service from the catalog, or the reason it cannot be loaded (never raises)."""
    try:
        return ScoringState(ScoringService.from_catalog(os.environ.get("PREDICTION_LOG_URL")))
    except (FileNotFoundError, RegistryError) as error:   # not trained yet, no champion alias
        logger.error("NOT READY: %s", error)
        return ScoringState(None, str(error))
    except Exception as error:  # a broken artifact must not keep /health from answering
        logger.exception("NOT READY: the scoring service could not be loaded")
        return ScoringState(None, f"{type(error).__name__}: {error}")


def create_app(service: ScoringService | None = None, *, access: Access | None = None,
               api_key: str | None = None, cors_origins: list[str] | None = None,
               loader: Callable[[], ScoringState] = load_service) -> Flask:
    """Build the app.

    Args:
        service: A ready service (tests); loaded from the catalog when None.
        access: The keys and limits (:class:`api.access.Access`); by default the credentials
            file, ``CREDIT_API_KEY`` and ``CREDIT_API_AUTH`` decide (keys on).
        api_key: Shorthand for one admin key (tests, benchmarks).
        cors_origins: Browser origins allowed to call the API (``CREDIT_API_CORS_ORIGINS``,
            comma-separated); none by default.
        loader: How ``POST /admin/reload`` loads the champion again (the catalog by default:
            the registry alias is resolved afresh, its version fetched once into the cache).
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False
    if access is None:
        access = Access.with_key(api_key) if api_key else Access.from_environment()
    origins = cors_origins if cors_origins is not None else [
        o.strip() for o in os.environ.get("CREDIT_API_CORS_ORIGINS", "").split(",") if o.strip()]
    app.extensions["scoring"] = ScoringState(service) if service else loader()
    app.extensions["reloader"] = reloader = Reloader(app.extensions, loader)
    app.extensions["access"] = access
    app.register_blueprint(bp, url_prefix=PREFIX)
    app.register_blueprint(oversight_bp, url_prefix=PREFIX)   # human oversight
    register_error_handlers(app)
    protected = {f"{blueprint}.{view.__name__}": view.contract.role
                 for blueprint, views in (("api", ENDPOINTS), ("oversight", OVERSIGHT_ENDPOINTS))
                 for view in views if view.contract.protected}

    @app.before_request
    def _start():
        g.started = time.perf_counter()
        # always the server's own id (unique: it keys the decisions in the log); the
        # caller's X-Request-ID, when well-formed, is kept beside it
        given = request.headers.get("X-Request-ID", "")
        g.request_id = uuid.uuid4().hex
        g.caller_request_id = given if REQUEST_ID.match(given) else None
        if (answer := http_hygiene.preflight(origins)) is not None:
            return answer   # a CORS preflight never carries the key: answered before any check
        reloader.catch_up()
        role = protected.get(request.endpoint)
        g.caller = access.check(role) if role else None

    install_rate_limits(app, access)   # after _start: the limit is per calling key

    @app.after_request
    def _finish(response: Response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        if g.get("caller_request_id"):
            response.headers["X-Caller-Request-ID"] = g.caller_request_id
        http_hygiene.finish(response, origins)   # security, cache and CORS headers
        metrics.observe_request(request.endpoint or "unmatched", response.status_code,
                                time.perf_counter() - g.get("started", time.perf_counter()))
        if logger.isEnabledFor(logging.INFO):
            logger.info("%s %s %d", request.method, request.path, response.status_code,
                        extra={"method": request.method, "path": request.path,
                               "status": response.status_code,
                               "duration_ms": round((time.perf_counter() - g.get("started", 0)) * 1e3, 3),
                               **g.get("log_extra", {})})
        return response

    @app.get(PREFIX + "/openapi.json")
    def openapi():
        return openapi_spec(app)

    @app.get(PREFIX + "/docs")
    def docs():
        return Response(docs_page(openapi_spec(app)), mimetype="text/html")

    @app.get("/")
    def root():
        return {"service": "credit scoring API", "docs": PREFIX + "/docs",
                "openapi": PREFIX + "/openapi.json"}

    return app


def openapi_spec(app: Flask) -> dict:
    """The OpenAPI document, with the served model's categories and filter values as enums."""
    state = app.extensions["scoring"]
    svc = state.service
    contracts = []
    for view in [*ENDPOINTS, *OVERSIGHT_ENDPOINTS]:
        contract = view.contract
        if view.__name__ in ("predict", "simulate") and svc is not None:
            body = svc.request_model if view.__name__ == "predict" else svc.simulate_model
            contract = type(contract)(**{**contract.__dict__, "body": body})
        contracts.append(contract)
    enums = svc.book.filter_values() if svc else {}
    version = svc.bundle.version if svc else "no model loaded"
    return openapi_document(contracts, PREFIX, version, {k: v for k, v in enums.items()
                                                         if k in FILTERS})
