"""The endpoints: parse and check the request, call the scoring service, return its answer."""

from __future__ import annotations

import os
import re

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import ValidationError

from api import http_hygiene, schemas
from api.errors import ApiError
from api.openapi import Param, endpoint, path_int, query_args
from api.reloading import ReloadFailed
from credit_scoring_kedro.serving import metrics
from credit_scoring_kedro.serving.client_book import FILTERS
from credit_scoring_kedro.serving.peer_groups import DEFAULT_GROUP, GROUPS
from credit_scoring_kedro.serving.service import ScoringService

bp = Blueprint("api", __name__)
CLIENT = Param("client_id", "integer", "SK_ID_CURR of a served client", minimum=0,
               maximum=2**63 - 1, where="path")
PAGING = [Param("page", "integer", "page number", 1, 1, 100_000),
          Param("page_size", "integer", "clients per page", 20, 1, 100)]
FILTER_PARAMS = [Param(name, "string", f"keep clients whose {name.replace('_', ' ')} is this")
                 for name in FILTERS]
ACTING_USER = re.compile(r"[A-Za-z0-9._@-]{1,64}")   # X-Acting-User: anything else is not kept
PURPOSES = ("production", "simulation", "test")      # X-Request-Purpose; absent: production


def service() -> ScoringService:
    state = current_app.extensions["scoring"]
    if state.service is None:
        raise ApiError(503, "not_ready", f"The model is not loaded: {state.error}")
    return state.service


def _client(raw: str) -> int:
    return path_int("client_id", raw)


def acting_user() -> str | None:
    """The person the caller acts for (``X-Acting-User``), None when absent or malformed."""
    user = request.headers.get("X-Acting-User", "")
    return user if ACTING_USER.fullmatch(user) else None


def request_purpose() -> str:
    """Why the caller sent the request (``X-Request-Purpose``), logged with each decision.

    Monitoring windows leave test traffic out (and simulations, except on demo data): a
    caller that does not say is production; an unknown value is refused (400), since a
    mistyped "test" would otherwise pollute the production windows.
    """
    purpose = request.headers.get("X-Request-Purpose", "production").strip().lower()
    if purpose not in PURPOSES:
        raise ApiError(400, "bad_request_purpose",
                       f"X-Request-Purpose must be one of {', '.join(PURPOSES)}")
    return purpose


def caller_key_name() -> str | None:
    """The name of the calling API key (never the key itself); None when keys are off."""
    caller = g.get("caller")
    return caller.name if caller else None


def audited(svc: ScoringService, client_ids: list[int | None], answer: dict) -> Response:
    """``answer`` once the access audit holds who read these clients' data (503 if it cannot).

    One ``access_audit`` row per client shown: the calling key's name, the person it acts for
    (the dashboard's logged-in manager, ``X-Acting-User``; None when absent or malformed), the
    endpoint, the client, the served model version and the request id. No client, no row.
    """
    clients = [c for c in dict.fromkeys(client_ids) if c is not None]
    if clients and svc.log is not None:
        contract = current_app.view_functions[request.endpoint].contract
        svc.log.record_accesses(g.request_id, f"{contract.method} {contract.path}", clients,
                                actor_key=caller_key_name(), acting_user=acting_user(),
                                model_version=svc.bundle.version)
    return jsonify(answer)


def _audited(svc: ScoringService, client_id: int | None, answer: dict) -> Response:
    return audited(svc, [client_id], answer)


@bp.get("/health")
@endpoint(path="/health", method="GET", summary="Liveness: the process answers",
          response=schemas.Health)
def health():
    query_args(health.contract)
    return jsonify(status="ok")


@bp.get("/ready")
@endpoint(path="/ready", method="GET", summary="Readiness: model loaded, its version",
          response=schemas.Ready)
def ready():
    query_args(ready.contract)
    state = current_app.extensions["scoring"]
    svc = state.service
    body = {"status": "ready" if svc else "not ready",
            "model_version": svc.bundle.version if svc else None,
            "clients": len(svc.book) if svc else 0,
            "reason": None if svc else state.error,
            # every worker's totals (Prometheus metrics); the last error is this worker's
            "prediction_log": (metrics.log_totals() | {"last_error": svc.log.stats["last_error"]}
                               if svc and svc.log else None),
            "loaded_in_s": round(svc.loaded_in, 3) if svc else None,
            "worker_pid": os.getpid()}   # which gunicorn worker answered
    return jsonify(body), (200 if svc else 503)


@bp.get("/model")
@endpoint(path="/model", method="GET", summary="The served model: version, threshold, metrics",
          response=schemas.ModelInfo)
def model():
    query_args(model.contract)
    return jsonify(service().model_info())


@bp.get("/model/card")
@endpoint(path="/model/card", method="GET", response=None, media_type="text/markdown",
          errors=(404,), summary="The served model's model card, as Markdown")
def model_card():
    query_args(model_card.contract)
    text = service().model_card_markdown()
    if text is None:
        raise ApiError(404, "no_model_card", "The served model was trained before model cards: "
                       "retrain it to get one")
    return Response(text, content_type="text/markdown; charset=utf-8")


@bp.post("/predict")
@endpoint(path="/predict", method="POST", response=schemas.PredictResponse, protected=True,
          role="scorer", summary="Score 1 to 1,000 applications (application_test columns); "
                                 "every decision is 'review' while the review switch is on",
          body=None, errors=(400, 408, 413, 415, 422))
def predict():
    query_args(predict.contract)
    svc = service()
    purpose = request_purpose()
    records = _records(svc.request_model)
    predictions = svc.predict(records, g.request_id, g.caller_request_id,   # once logged
                              acting_user=acting_user(), purpose=purpose)
    g.log_extra = {"clients": len(records)}
    return jsonify(model_version=svc.bundle.version, threshold=float(svc.bundle.threshold),
                   request_id=g.request_id, predictions=predictions)


@bp.post("/simulate")
@endpoint(path="/simulate", method="POST", response=schemas.SimulateResponse, protected=True,
          summary="What-if: score 1 to 20 applications without deciding (never logged as a "
                  "decision), with what would turn each refusal into an approval",
          body=None, errors=(400, 408, 413, 415, 422))
def simulate():
    query_args(simulate.contract)
    svc = service()
    records = _records(svc.simulate_model)
    g.log_extra = {"clients": len(records), "simulation": True}
    return jsonify(model_version=svc.bundle.version, threshold=float(svc.bundle.threshold),
                   simulated=True, predictions=svc.simulate(records))


def _records(model) -> list[dict]:
    """The body's application records, parsed and validated by ``model`` in one pass.

    The body is read whole (413 beyond the limit, chunked or not) and refused when an object
    repeats a key (see :mod:`api.http_hygiene`).
    """
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       "Send the applications as JSON with Content-Type: application/json")
    data = http_hygiene.read_body()
    try:  # pydantic-core parses and validates the bytes in one pass
        body = model.model_validate_json(data)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            raise ApiError(400, "invalid_json", "The body is not valid JSON") from None
        raise
    http_hygiene.refuse_duplicate_keys(data, body)
    # a validated record's fields are its __dict__: no copy per record (1,000 in a batch)
    return [c.__dict__ for c in body.clients]


@bp.get("/clients")
@endpoint(path="/clients", method="GET", summary="Served clients, paged and filtered",
          response=schemas.ClientList, protected=True, params=PAGING + FILTER_PARAMS)
def clients():
    svc = service()
    args = query_args(clients.contract, svc.book.filter_values())
    filters = {k: v for k, v in args.items() if k in FILTERS and v is not None}
    return jsonify(svc.list_clients(filters, args["page"], args["page_size"]))


@bp.get("/clients/<client_id>")
@endpoint(path="/clients/{client_id}", method="GET", response=schemas.ClientDetail,
          protected=True, params=[CLIENT], errors=(404,),
          summary="A client's information in readable units, and the raw application")
def client(client_id: str):
    query_args(client.contract)
    svc, found = service(), _client(client_id)
    return _audited(svc, found, svc.client(found))


@bp.get("/clients/<client_id>/score")
@endpoint(path="/clients/{client_id}/score", method="GET", response=schemas.Score,
          protected=True, params=[CLIENT], errors=(404,),
          summary="Probability, decision and a plain reading of the margin")
def score(client_id: str):
    query_args(score.contract)
    svc, found = service(), _client(client_id)
    return _audited(svc, found, svc.score(found))


@bp.get("/clients/<client_id>/explanation")
@endpoint(path="/clients/{client_id}/explanation", method="GET", response=schemas.Explanation,
          protected=True, errors=(404,),
          params=[CLIENT, Param("top_k", "integer", "factors each way", 5, 1, 20)],
          summary="Local SHAP explanation with plain-language sentences")
def explanation(client_id: str):
    args = query_args(explanation.contract)
    svc, found = service(), _client(client_id)
    return _audited(svc, found, svc.explanation(found, args["top_k"]))


@bp.get("/clients/<client_id>/similar")
@endpoint(path="/clients/{client_id}/similar", method="GET", response=schemas.SimilarClients,
          protected=True, errors=(404,),
          params=[CLIENT, Param("k", "integer", "number of similar clients", 10, 1, 49)],
          summary="The most similar training clients and their outcome")
def similar(client_id: str):
    args = query_args(similar.contract)
    svc, found = service(), _client(client_id)
    return _audited(svc, found, svc.similar(found, args["k"]))


@bp.get("/clients/<client_id>/comparison")
@endpoint(path="/clients/{client_id}/comparison", method="GET", response=schemas.Comparison,
          protected=True, errors=(404,),
          params=[CLIENT, Param("group", "string", "the past clients to compare with",
                                DEFAULT_GROUP, enum=list(GROUPS)),
                  Param("feature", "string", "the feature whose distribution is given (one of "
                        "GET /features); the client's weightiest factor when absent")],
          summary="The client beside a group of past clients: where the client stands on "
                  "each top factor, and one feature's distribution by outcome")
def comparison(client_id: str):
    args = query_args(comparison.contract)
    svc, found = service(), _client(client_id)
    return _audited(svc, found, svc.comparison(found, args["group"], args["feature"]))


@bp.get("/features")
@endpoint(path="/features", method="GET", response=schemas.FeatureList,
          summary="Features offered for comparison, with labels")
def features():
    query_args(features.contract)
    return jsonify(service().comparable_features())


@bp.get("/features/importance")
@endpoint(path="/features/importance", method="GET", response=schemas.Importance,
          params=[Param("top", "integer", "number of features", 20, 1, 1000)],
          summary="Global importance (mean absolute SHAP on the held-out clients)")
def importance():
    args = query_args(importance.contract)
    return jsonify(service().importance_table(args["top"]))


@bp.get("/population/<feature>")
@endpoint(path="/population/{feature}", method="GET", response=schemas.Population,
          protected=True, errors=(404,),
          params=[Param("feature", "string", "a feature of GET /features", where="path"),
                  Param("client_id", "integer", "mark this client and its similar group",
                        None, 0, 2**63 - 1),
                  Param("k", "integer", "size of the similar group", 50, 1, 49 + 1)],
          summary="Distribution of a feature: all clients, by outcome, similar group")
def population(feature: str):
    args = query_args(population.contract)
    svc = service()
    return _audited(svc, args["client_id"], svc.population_of(feature, args["client_id"],
                                                              args["k"]))


@bp.post("/admin/reload")
@endpoint(path="/admin/reload", method="POST", response=schemas.Reloaded, protected=True,
          role="admin", errors=(403,),
          summary="Serve what the registry alias champion names now, in every worker "
                  "(an admin key)")
def reload_model():
    query_args(reload_model.contract)
    if not current_app.extensions["access"].enabled:
        raise ApiError(403, "reload_disabled", "Reloading the model needs API keys on: the "
                       "server runs with CREDIT_API_AUTH=off")
    try:
        return jsonify(current_app.extensions["reloader"].reload())
    except ReloadFailed as error:
        raise ApiError(503, "reload_failed", "The champion could not be loaded; the previous "
                       f"model is still served: {error}") from None


@bp.get("/metrics")
@endpoint(path="/metrics", method="GET", response=None, media_type="text/plain",
          protected=True, summary="Prometheus metrics of every worker: requests, latency, "
                                  "decisions, prediction log rows (text format)")
def prometheus_metrics():
    query_args(prometheus_metrics.contract)
    return Response(metrics.exposition(), content_type=metrics.CONTENT_TYPE)


ENDPOINTS = [health, ready, model, model_card, predict, simulate, clients, client, score,
             explanation, similar, comparison, features, importance, population, reload_model,
             prometheus_metrics]
