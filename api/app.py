"""The Flask application factory of the scoring API.

``create_app()`` loads the scoring service once (model bundle and artifacts through the Kedro
catalog); gunicorn serves it (``make api``, ``api/gunicorn.conf.py``). When the artifacts are
missing the app still starts, answers ``/health``, and ``/ready`` says why it is not ready.
"""

from __future__ import annotations

import hmac
import logging
import os
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from flask import Flask, Response, g, request

from api.errors import ApiError, register_error_handlers
from api.openapi import docs_page, openapi_document
from api.reloading import Reloader
from api.routes import ENDPOINTS, bp
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
    except FileNotFoundError as error:
        logger.error("NOT READY: %s", error)
        return ScoringState(None, str(error))
    except Exception as error:  # a broken artifact must not keep /health from answering
        logger.exception("NOT READY: the scoring service could not be loaded")
        return ScoringState(None, f"{type(error).__name__}: {error}")


def create_app(service: ScoringService | None = None, *, api_key: str | None = None,
               cors_origins: list[str] | None = None,
               loader: Callable[[], ScoringState] = load_service) -> Flask:
    """Build the app.

    Args:
        service: A ready service (tests); loaded from the catalog when None.
        api_key: Required in ``X-API-Key`` on protected endpoints; ``CREDIT_API_KEY`` when
            None; no key at all when both are empty.
        cors_origins: Browser origins allowed to call the API (``CREDIT_API_CORS_ORIGINS``,
            comma-separated); none by default.
        loader: How ``POST /admin/reload`` loads the champion again (the catalog by default).
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES
    app.json.sort_keys = False
    key = api_key if api_key is not None else os.environ.get("CREDIT_API_KEY", "")
    origins = cors_origins if cors_origins is not None else [
        o.strip() for o in os.environ.get("CREDIT_API_CORS_ORIGINS", "").split(",") if o.strip()]
    app.extensions["scoring"] = ScoringState(service) if service else loader()
    app.extensions["reloader"] = reloader = Reloader(app.extensions, loader)
    app.config["API_KEY_SET"] = bool(key)
    app.register_blueprint(bp, url_prefix=PREFIX)
    register_error_handlers(app)
    protected = {f"api.{view.__name__}" for view in ENDPOINTS if view.contract.protected}

    @app.before_request
    def _start():
        reloader.catch_up()
        given = request.headers.get("X-Request-ID", "")
        g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
        g.started = time.perf_counter()
        if key and request.endpoint in protected:
            sent = request.headers.get("X-API-Key", "")
            if not hmac.compare_digest(sent.encode(), key.encode()):
                raise ApiError(401, "unauthorized",
                               "This endpoint needs a valid API key in the X-API-Key header")

    @app.after_request
    def _finish(response: Response):
        response.headers["X-Request-ID"] = g.get("request_id", "")
        origin = request.headers.get("Origin")
        if origin and origin in origins:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Headers"] = "Content-Type, X-API-Key, X-Request-ID"
            response.headers["Vary"] = "Origin"
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
    for view in ENDPOINTS:
        contract = view.contract
        if view.__name__ in ("predict", "simulate") and svc is not None:
            body = svc.request_model if view.__name__ == "predict" else svc.simulate_model
            contract = type(contract)(**{**contract.__dict__, "body": body})
        contracts.append(contract)
    enums = svc.book.filter_values() if svc else {}
    version = svc.bundle.version if svc else "no model loaded"
    return openapi_document(contracts, PREFIX, version, {k: v for k, v in enums.items()
                                                         if k in FILTERS})
