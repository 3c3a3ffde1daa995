"""Every error answer is JSON with a status, a code, a message and the request id; never a traceback."""

from __future__ import annotations

import logging

from flask import Flask, g, jsonify
from pydantic import ValidationError
from werkzeug.exceptions import HTTPException

from credit_scoring_kedro.serving.oversight import OversightError
from credit_scoring_kedro.serving.prediction_log import LogUnavailable
from credit_scoring_kedro.serving.service import UnknownClient, UnknownFeature

logger = logging.getLogger("api")


class ApiError(Exception):
    """An error the caller can fix (4xx) or a service state (503)."""

    def __init__(self, status: int, code: str, message: str, details: list | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details = status, code, message, details or []


def error_response(status: int, code: str, message: str, details: list | None = None):
    body = {"error": {"status": status, "code": code, "message": message, "details": details or []},
            "request_id": g.get("request_id", "")}
    return jsonify(body), status


def validation_details(error: ValidationError) -> list[dict]:
    """pydantic's errors as {location, problem}, without echoing the (possibly huge) input."""
    return [{"location": ".".join(str(p) for p in e["loc"]) or "body", "problem": _problem(e)}
            for e in error.errors(include_url=False, include_input=False)[:50]]


def _problem(error: dict) -> str:
    # integer columns are validated as whole floats (1.0 is accepted): say it in words
    if error["type"] == "multiple_of" and error.get("ctx", {}).get("multiple_of") == 1:
        return "Input should be a whole number"
    return error["msg"]


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(error: ApiError):
        return error_response(error.status, error.code, error.message, error.details)

    @app.errorhandler(UnknownClient)
    @app.errorhandler(UnknownFeature)
    def _not_found(error: LookupError):
        # the service's "no such client / feature": one 404 for every endpoint that asks it
        return error_response(404, "not_found", str(error))

    @app.errorhandler(LogUnavailable)
    def _log_unavailable(error: LogUnavailable):
        # no decision without a record: the scores computed are not given out
        logger.error("decision not logged, answered 503: %s", error)
        return error_response(503, "log_unavailable", "The decision could not be recorded, "
                              "so it is not given; retry later")

    @app.errorhandler(OversightError)
    def _oversight(error: OversightError):
        # each oversight rule says what to fix (422), who may act (403), what changed (409)
        if error.status >= 500:
            logger.error("oversight record failed: %s", error.__cause__ or error)
        return error_response(error.status, error.code, error.message, error.details)

    @app.errorhandler(ValidationError)
    def _validation(error: ValidationError):
        details = validation_details(error)
        return error_response(422, "validation_error",
                              f"{error.error_count()} problem(s) in the request", details)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        code = (error.name or "error").lower().replace(" ", "_")
        messages = {413: "The request body is too large (limit "
                         f"{app.config.get('MAX_CONTENT_LENGTH', 0) // 1_000_000} MB); "
                         "send at most 1,000 clients per request",
                    404: "No such endpoint; see /api/v1/docs",
                    405: "Method not allowed on this endpoint; see /api/v1/docs"}
        body, status = error_response(error.code or 500, code,
                                      messages.get(error.code, error.description or code))
        # Werkzeug's own headers (405: Allow, 401: WWW-Authenticate...), not its HTML type
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                body.headers[name] = value
        return body, status

    @app.errorhandler(Exception)
    def _unexpected(error: Exception):
        logger.exception("unexpected error while serving the request")
        return error_response(500, "internal_error",
                              "The service failed on this request; it has been logged "
                              "with the request id")
