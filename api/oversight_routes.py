"""Human oversight endpoints: logged decisions, overrides, contests, the review switch.

The rules live in :mod:`credit_scoring_kedro.serving.oversight` (and the switch in
:mod:`credit_scoring_kedro.serving.review_mode`); here requests are checked and answered.
Every write names the person who acts (``X-Acting-User``): without one it is refused (422),
since an override or a resolution must be traceable to a person, not to a shared key.
Answers holding a client's data leave one ``access_audit`` row per client, as the other
client endpoints do.
"""

from __future__ import annotations

import re

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, ValidationError

from api import http_hygiene, schemas
from api.errors import ApiError
from api.openapi import Param, endpoint, path_int, query_args
from api.routes import acting_user, audited, caller_key_name, service
from credit_scoring_kedro.serving.oversight import OversightStore, weeks_ago
from credit_scoring_kedro.serving.service import ScoringService

bp = Blueprint("oversight", __name__)
DECISION_ID = re.compile(r"[A-Za-z0-9._-]{1,80}")
CONTEST_ID = re.compile(r"[0-9a-f]{32}")
CLIENT = Param("client_id", "integer", "SK_ID_CURR of the client", minimum=0,
               maximum=2**63 - 1, where="path")
DECISION = Param("decision_id", "string", "a logged decision: <request id>-<index>, e.g. the "
                 "X-Request-ID of a POST /predict answer followed by -0", where="path",
                 pattern=f"^{DECISION_ID.pattern}$")
CONTEST = Param("contest_id", "string", "a contest's id (32 hex digits)", where="path",
                pattern=f"^{CONTEST_ID.pattern}$")
#: oversight writes name a person: declared, so that the document says it is required
ACTOR = Param("X-Acting-User", "string", "the person taking the action (the dashboard's "
              "logged-in manager)", where="header", pattern="^[A-Za-z0-9._@-]{1,64}$")
WRITE_ERRORS = (400, 404, 408, 409, 413, 415, 422)


def _store(svc: ScoringService) -> OversightStore:
    if svc.oversight is None:
        raise ApiError(503, "oversight_unavailable", "Human oversight needs the prediction "
                       "log, and this server runs without one")
    return svc.oversight


def _person() -> str:
    """The acting person of an oversight write, or 422."""
    user = acting_user()
    if user is None:
        raise ApiError(422, "acting_user_required", "An oversight action must name the person "
                       "taking it: send X-Acting-User: <username> (1 to 64 letters, digits or "
                       "._@-); the dashboard sends the logged-in manager",
                       [{"location": "header.X-Acting-User", "problem": "missing or malformed"}])
    return user


def _body(model: type[BaseModel]) -> BaseModel:
    """The JSON body, read once within the size and time limits, validated by ``model``."""
    if not request.is_json:
        raise ApiError(415, "unsupported_media_type",
                       "Send the body as JSON with Content-Type: application/json")
    data = http_hygiene.read_body()
    try:
        body = model.model_validate_json(data)
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            raise ApiError(400, "invalid_json", "The body is not valid JSON") from None
        raise
    repeated = http_hygiene.duplicate_keys(data)   # a small body: checked exactly
    if repeated:
        raise ApiError(422, "validation_error", f"{len(repeated)} problem(s) in the request",
                       repeated)
    return body


def _path_id(pattern: re.Pattern, name: str, raw: str) -> str:
    if not pattern.fullmatch(raw):
        raise ApiError(422, "invalid_parameter", f"{name} is malformed",
                       [{"location": f"path.{name}", "problem": f"must match {pattern.pattern}"}])
    return raw


def _described(svc: ScoringService, view: dict | None) -> dict | None:
    """A decision's view with its reason codes' sentences."""
    if view is None:
        return None
    sentences = svc.reason_sentences()
    return view | {"reasons": [{"code": c, "reason": sentences.get(c, c), "contribution": 0.0}
                               for c in view["reason_codes"]]}


@bp.get("/oversight/reasons")
@endpoint(path="/oversight/reasons", method="GET", response=schemas.OversightReasons,
          protected=True, summary="The configured override reasons, comment and statement "
                                  "lengths (conf/base/oversight.yml)")
def oversight_reasons():
    query_args(oversight_reasons.contract)
    return jsonify(_store(service()).policy.public())


@bp.get("/admin/review-mode")
@endpoint(path="/admin/review-mode", method="GET", response=schemas.ReviewMode, protected=True,
          summary="The review switch: while on, every new decision is 'review' (a person "
                  "decides)")
def review_mode():
    query_args(review_mode.contract)
    return jsonify(_store(service()).review.state().public())


@bp.put("/admin/review-mode")
@endpoint(path="/admin/review-mode", method="PUT", response=schemas.ReviewMode, protected=True,
          role="admin", body=schemas.ReviewModeRequest, errors=(400, 408, 413, 415, 422),
          params=[ACTOR],
          summary="Switch the review mode on or off, with a reason (an admin key and "
                  "X-Acting-User); every worker follows within about a second")
def set_review_mode():
    query_args(set_review_mode.contract)
    store, person = _store(service()), _person()
    body = _body(schemas.ReviewModeRequest)   # a reason of 5 to 500 visible characters
    reason = body.reason.strip()
    # OversightUnavailable (503) when the database does not take it: nothing changed
    state, changed = store.review.set(body.on, reason, person, caller_key_name())
    return jsonify(state.public() | {"changed": changed})


@bp.get("/clients/<client_id>/decisions")
@endpoint(path="/clients/{client_id}/decisions", method="GET",
          response=schemas.ClientDecisions, protected=True,
          params=[CLIENT, Param("limit", "integer", "newest decisions", 20, 1, 100)],
          summary="The client's logged decisions, newest first, each with its overrides, "
                  "effective decision and contests")
def client_decisions(client_id: str):
    args = query_args(client_decisions.contract)
    svc, found = service(), path_int("client_id", client_id)
    views = _store(svc).client_decisions(found, args["limit"])
    return audited(svc, [found], {"client_id": found,
                                   "decisions": [_described(svc, v) for v in views]})


@bp.get("/decisions/<decision_id>")
@endpoint(path="/decisions/{decision_id}", method="GET", response=schemas.LoggedDecision,
          protected=True, params=[DECISION], errors=(404,),
          summary="One logged decision with its overrides, effective decision and contests")
def decision(decision_id: str):
    query_args(decision.contract)
    svc = service()
    view = _store(svc).decision(_path_id(DECISION_ID, "decision_id", decision_id))
    return audited(svc, [view["client_id"]], _described(svc, view))


@bp.post("/decisions/<decision_id>/override")
@endpoint(path="/decisions/{decision_id}/override", method="POST",
          response=schemas.LoggedDecision, protected=True, role="manager",
          params=[DECISION, ACTOR], body=schemas.OverrideRequest, errors=WRITE_ERRORS,
          summary="Override a logged decision: a configured reason and a comment, by the "
                  "person in X-Acting-User; the latest override is the effective decision")
def override(decision_id: str):
    query_args(override.contract)
    svc = service()
    store, person = _store(svc), _person()
    wanted = _path_id(DECISION_ID, "decision_id", decision_id)
    body = _body(schemas.OverrideRequest)
    view = store.override(wanted, body.decision, body.reason_code, body.comment, person,
                          caller_key_name())
    return audited(svc, [view["client_id"]], _described(svc, view))


@bp.post("/decisions/<decision_id>/contest")
@endpoint(path="/decisions/{decision_id}/contest", method="POST",
          response=schemas.LoggedDecision, protected=True, role="manager",
          params=[DECISION, ACTOR], body=schemas.ContestRequest, errors=WRITE_ERRORS,
          summary="Record a client's contest of a decision (GDPR Art. 22(3)): it enters the "
                  "review queue")
def contest(decision_id: str):
    query_args(contest.contract)
    svc = service()
    store, person = _store(svc), _person()
    wanted = _path_id(DECISION_ID, "decision_id", decision_id)
    body = _body(schemas.ContestRequest)
    view = store.record_contest(wanted, body.statement, body.received_on, person,
                                caller_key_name())
    return audited(svc, [view["client_id"]], _described(svc, view))


@bp.get("/contests")
@endpoint(path="/contests", method="GET", response=schemas.ContestQueue, protected=True,
          role="manager",
          params=[Param("status", "string", "which contests", "open",
                        enum=["open", "resolved", "all"]),
                  Param("limit", "integer", "at most this many", 100, 1, 500)],
          summary="The review queue: contests (open ones oldest first) with their decision")
def contests():
    args = query_args(contests.contract)
    svc = service()
    found = _store(svc).contests(args["status"], args["limit"])
    for item in found:
        item["decision"] = _described(svc, item["decision"])
    return audited(svc, [c["client_id"] for c in found],
                    {"status": args["status"], "contests": found})


@bp.post("/contests/<contest_id>/resolve")
@endpoint(path="/contests/{contest_id}/resolve", method="POST",
          response=schemas.LoggedDecision, protected=True, role="manager",
          params=[CONTEST, ACTOR], body=schemas.ResolveRequest, errors=WRITE_ERRORS,
          summary="Resolve a contest (upheld: the decision stands; overturned: the new "
                  "decision is recorded as an override); never by a person who took part in "
                  "the decision (403)")
def resolve(contest_id: str):
    query_args(resolve.contract)
    svc = service()
    store, person = _store(svc), _person()
    wanted = _path_id(CONTEST_ID, "contest_id", contest_id)
    body = _body(schemas.ResolveRequest)
    view = store.resolve(wanted, body.outcome, body.comment, body.decision, person,
                         caller_key_name())
    return audited(svc, [view["client_id"]], _described(svc, view))


@bp.get("/oversight/weekly")
@endpoint(path="/oversight/weekly", method="GET", response=schemas.OversightWeekly,
          protected=True, params=[Param("weeks", "integer", "the last N ISO weeks", 12, 1, 104)],
          summary="Per ISO week: decisions, reviews, overrides and the override rate, contests "
                  "opened and resolved")
def oversight_weekly():
    from credit_scoring_kedro.monitoring.oversight import weekly_oversight

    args = query_args(oversight_weekly.contract)
    frames = _store(service()).frames(since=weeks_ago(args["weeks"]))
    table = weekly_oversight(frames, weeks=args["weeks"])
    rows = table.assign(week_start=table["week_start"].astype(str)).to_dict("records")
    return jsonify(weeks=[{k: (None if k == "override_rate" and v != v else v)   # NaN: None
                           for k, v in row.items()} for row in rows])


ENDPOINTS = [oversight_reasons, review_mode, set_review_mode, client_decisions, decision,
             override, contest, contests, resolve, oversight_weekly]
