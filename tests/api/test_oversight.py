"""Human oversight through the API: overrides, contests, roles, the review switch, replay."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from catalog_paths import registry_of

from api.access import Access
from api.app import create_app
from credit_scoring_kedro.audit import __main__ as audit_cli
from credit_scoring_kedro.audit.replay import replay
from credit_scoring_kedro.serving.credentials import ApiKey
from credit_scoring_kedro.serving.oversight import OversightStore
from credit_scoring_kedro.serving.prediction_log import PredictionLog

VIEWER, SCORER = "viewer-key-0123456789", "scorer-key-0123456789"
MANAGER, ADMIN = "manager-key-0123456789", "admin-key-0123456789"
KEYS = {VIEWER: ApiKey("reports", "viewer"), SCORER: ApiKey("origination", "scorer"),
        MANAGER: ApiKey("dashboard", "manager"), ADMIN: ApiKey("operator", "admin")}
REASON = "documented_income_higher"
COMMENT = "Payslips of the last three months show a higher income."
API = "/api/v1"


@pytest.fixture(scope="module")
def oversight_service(service, tmp_path_factory):
    """The session's service on a log of its own: the review switch stays in this module."""
    url = f"sqlite:///{tmp_path_factory.mktemp('oversight') / 'log.db'}"
    return dataclasses.replace(service, log=PredictionLog(url),
                               oversight=OversightStore(url, service.oversight.policy))


@pytest.fixture(scope="module")
def api(oversight_service):
    return create_app(oversight_service, access=Access(dict(KEYS)), cors_origins=[]).test_client()


def headers(key: str, user: str | None = None) -> dict[str, str]:
    return {"X-API-Key": key, **({"X-Acting-User": user} if user else {})}


def decide(api, records: list[dict], user: str | None = "alice") -> tuple[list[str], list[dict]]:
    answer = api.post(f"{API}/predict", json={"clients": records}, headers=headers(MANAGER, user))
    assert answer.status_code == 200, answer.get_json()
    request_id = answer.headers["X-Request-ID"]
    return ([f"{request_id}-{i}" for i in range(len(records))],
            answer.get_json()["predictions"])


def other(decision: str) -> str:
    return "granted" if decision == "refused" else "refused"


def test_an_override_is_recorded_and_shown_in_both_lookups(api, oversight_service,
                                                           records) -> None:
    [decision_id], [answer] = decide(api, records[:1])
    client_id = records[0]["SK_ID_CURR"]
    new = other(answer["decision"])
    response = api.post(f"{API}/decisions/{decision_id}/override",
                        json={"decision": new, "reason_code": REASON, "comment": COMMENT},
                        headers=headers(MANAGER, "bob"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["effective_decision"] == new
    for path in (f"/decisions/{decision_id}", f"/clients/{client_id}/decisions"):
        body = api.get(API + path, headers=headers(VIEWER, "carol")).get_json()
        shown = body if "decision_id" in body else next(
            d for d in body["decisions"] if d["decision_id"] == decision_id)
        assert shown["decision"] == answer["decision"] and shown["decided_by"] == "alice"
        assert shown["effective_decision"] == new
        [override] = shown["overrides"]
        assert (override["acting_user"], override["reason_code"], override["comment"]) == (
            "bob", REASON, COMMENT)
        assert override["reason_label"] == "Documented income higher than declared"
        assert abs(datetime.fromisoformat(override["at"]) - datetime.now(UTC)) < timedelta(
            minutes=1)
    assert [r["code"] for r in shown["reasons"]] == [r["code"] for r in answer["reasons"]]
    # who read this client's decisions is in the access audit, like any client data
    assert oversight_service.log.flush()
    audit = [r for r in oversight_service.log.read("access_audit") if r["client_id"] == client_id]
    endpoints = {(r["endpoint"], r["acting_user"]) for r in audit}
    assert ("POST /decisions/{decision_id}/override", "bob") in endpoints
    assert ("GET /clients/{client_id}/decisions", "carol") in endpoints


def test_the_clients_decisions_are_newest_first(api, records) -> None:
    first, _ = decide(api, records[1:2])
    second, _ = decide(api, records[1:2])
    body = api.get(f"{API}/clients/{records[1]['SK_ID_CURR']}/decisions?limit=2",
                   headers=headers(VIEWER)).get_json()
    assert [d["decision_id"] for d in body["decisions"]] == [second[0], first[0]]


@pytest.mark.parametrize(("body", "user", "status", "code", "says"), [
    ({"decision": "granted", "comment": COMMENT}, "bob", 422, "validation_error", "reason_code"),
    ({"decision": "granted", "reason_code": "because", "comment": COMMENT}, "bob", 422,
     "invalid_oversight", "Unknown override reason"),
    ({"decision": "granted", "reason_code": REASON, "comment": "short"}, "bob", 422,
     "invalid_oversight", "10 to 2000 characters"),
    ({"decision": "granted", "reason_code": REASON, "comment": COMMENT}, None, 422,
     "acting_user_required", "X-Acting-User"),
    ({"decision": "granted", "reason_code": REASON, "comment": COMMENT}, "bob smith", 422,
     "acting_user_required", "X-Acting-User"),
    ({"decision": "maybe", "reason_code": REASON, "comment": COMMENT}, "bob", 422,
     "validation_error", "decision"),
])
def test_an_incomplete_override_is_refused_with_a_clear_message(api, records, body, user,
                                                                status, code, says) -> None:
    [decision_id], _ = decide(api, records[2:3])
    response = api.post(f"{API}/decisions/{decision_id}/override", json=body,
                        headers=headers(MANAGER, user))
    error = response.get_json()["error"]
    assert response.status_code == status and error["code"] == code
    assert says in error["message"] + str(error["details"])
    view = api.get(f"{API}/decisions/{decision_id}", headers=headers(VIEWER)).get_json()
    assert view["overrides"] == []


def test_an_override_must_change_the_decision_and_a_duplicate_key_is_refused(api,
                                                                            records) -> None:
    [decision_id], [answer] = decide(api, records[3:4])
    same = api.post(f"{API}/decisions/{decision_id}/override",
                    json={"decision": answer["decision"], "reason_code": REASON,
                          "comment": COMMENT}, headers=headers(MANAGER, "bob"))
    assert same.status_code == 422 and "must change it" in same.get_json()["error"]["message"]
    twice = (f'{{"decision": "{other(answer["decision"])}", "reason_code": "{REASON}", '
             f'"reason_code": "policy_exception", "comment": "{COMMENT}"}}')
    repeated = api.post(f"{API}/decisions/{decision_id}/override", data=twice,
                        content_type="application/json", headers=headers(MANAGER, "bob"))
    assert repeated.status_code == 422 and "duplicate key" in str(repeated.get_json())
    unknown = api.post(f"{API}/decisions/nope-0/override",
                       json={"decision": "granted", "reason_code": REASON, "comment": COMMENT},
                       headers=headers(MANAGER, "bob"))
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "unknown_decision"


def test_roles_viewer_and_scorer_read_managers_oversee_admins_switch(api, records) -> None:
    [decision_id], [answer] = decide(api, records[4:5])
    body = {"decision": other(answer["decision"]), "reason_code": REASON, "comment": COMMENT}
    path = f"{API}/decisions/{decision_id}/override"
    statuses = {name: api.post(path, json=body, headers=headers(key, "bob")).status_code
                for key, name in ((VIEWER, "viewer"), (SCORER, "scorer"))}
    assert statuses == {"viewer": 403, "scorer": 403}
    assert api.post(path, json=body, headers=headers(MANAGER, "bob")).status_code == 200
    assert api.get(f"{API}/contests", headers=headers(VIEWER)).status_code == 403
    assert api.get(f"{API}/contests", headers=headers(MANAGER)).status_code == 200
    switch = {"on": False, "reason": "No incident, checking the switch"}
    for key in (VIEWER, SCORER, MANAGER):
        denied = api.put(f"{API}/admin/review-mode", json=switch, headers=headers(key, "ann"))
        assert denied.status_code == 403 and "'admin'" in denied.get_json()["error"]["message"]
    assert api.put(f"{API}/admin/review-mode", json=switch,
                   headers=headers(ADMIN)).status_code == 422        # no person named
    assert api.put(f"{API}/admin/review-mode", json=switch,
                   headers=headers(ADMIN, "ann")).status_code == 200
    assert api.get(f"{API}/admin/review-mode", headers=headers(VIEWER)).get_json()["on"] is False


def test_the_manager_who_decided_cannot_resolve_the_contest_a_second_one_can(api,
                                                                            records) -> None:
    refused = [r for r, p in zip(records, decide(api, records, user=None)[1], strict=True)
               if p["decision"] == "refused"]
    assert refused, "the demo clients include refusals"
    [decision_id], _ = decide(api, refused[:1], user="alice")
    today = datetime.now(UTC).date().isoformat()
    future = (datetime.now(UTC).date() + timedelta(days=2)).isoformat()
    contest_path = f"{API}/decisions/{decision_id}/contest"
    statement = "My income was understated; I have new payslips."
    assert api.post(contest_path, json={"statement": statement, "received_on": future},
                    headers=headers(MANAGER, "alice")).status_code == 422
    recorded = api.post(contest_path, json={"statement": statement, "received_on": today},
                        headers=headers(MANAGER, "alice"))
    assert recorded.status_code == 200, recorded.get_json()
    contest_id = recorded.get_json()["contests"][0]["contest_id"]
    queue = api.get(f"{API}/contests?status=open", headers=headers(MANAGER, "bob")).get_json()
    queued = next(c for c in queue["contests"] if c["contest_id"] == contest_id)
    assert queued["statement"] == statement and queued["decision"]["decision"] == "refused"
    assert queued["decision"]["reasons"], "the model's reasons go with the contest"
    resolve = f"{API}/contests/{contest_id}/resolve"
    overturn = {"outcome": "overturned", "comment": "Payslips confirm the income.",
                "decision": "granted"}
    own = api.post(resolve, json=overturn, headers=headers(MANAGER, "alice"))
    assert own.status_code == 403
    error = own.get_json()["error"]
    assert error["code"] == "not_independent" and "another manager" in error["message"]
    done = api.post(resolve, json=overturn, headers=headers(MANAGER, "bob"))
    assert done.status_code == 200, done.get_json()
    view = done.get_json()
    assert view["effective_decision"] == "granted"
    assert view["overrides"][-1]["reason_code"] == "contest_overturned"
    assert view["contests"][0]["status"] == "resolved"
    assert view["contests"][0]["resolved_by"] == "bob"
    again = api.post(resolve, json=overturn, headers=headers(MANAGER, "carol"))
    assert again.status_code == 409
    open_now = api.get(f"{API}/contests", headers=headers(MANAGER)).get_json()["contests"]
    assert contest_id not in {c["contest_id"] for c in open_now}


def test_the_review_switch_sends_every_decision_to_a_person_and_replays(
        api, oversight_service, records, trained_root) -> None:
    on = api.put(f"{API}/admin/review-mode",
                 json={"on": True, "reason": "Drift alert on the bureau scores"},
                 headers=headers(ADMIN, "ann"))
    assert on.status_code == 200 and on.get_json()["on"] and on.get_json()["changed"]
    try:
        state = api.get(f"{API}/admin/review-mode", headers=headers(VIEWER)).get_json()
        assert (state["on"], state["by"], state["reason"]) == (
            True, "ann", "Drift alert on the bureau scores")
        ids, answers = decide(api, records[:10], user=None)
        assert {a["decision"] for a in answers} == {"review"}
        assert {a["automatic_decision"] for a in answers} == {"granted", "refused"}
        refused = [a for a in answers if a["automatic_decision"] == "refused"]
        assert all(a["reasons"] for a in refused), "the reasons are still given"
        rows = audit_cli.logged_rows(oversight_service.log.url, ids, None)
        assert {r["decision"] for r in rows} == {"review"}
        assert sorted(r["automatic_decision"] for r in rows) == sorted(
            a["automatic_decision"] for a in answers)
        verdicts = [replay(row, registry_of(trained_root)) for row in rows]
        assert all(v.matches for v in verdicts), [v.problems for v in verdicts]
        assert [v.replayed_decision for v in verdicts] == [r["automatic_decision"] for r in rows]
        # a person decides one of them
        view = api.post(f"{API}/decisions/{ids[0]}/override",
                        json={"decision": "granted", "reason_code": "manual_review_completed",
                              "comment": "Reviewed the file: income and history are fine."},
                        headers=headers(MANAGER, "bob")).get_json()
        assert view["decision"] == "review" and view["effective_decision"] == "granted"
    finally:
        off = api.put(f"{API}/admin/review-mode",
                      json={"on": False, "reason": "Scores checked, drift explained"},
                      headers=headers(ADMIN, "ann"))
        assert off.status_code == 200 and off.get_json()["on"] is False
    _, answers = decide(api, records[:10], user=None)
    assert {a["decision"] for a in answers} <= {"granted", "refused"}
    assert all("automatic_decision" not in a for a in answers)


def test_a_changed_review_record_does_not_replay(api, oversight_service, records,
                                                 trained_root) -> None:
    api.put(f"{API}/admin/review-mode", json={"on": True, "reason": "Replay tamper check"},
            headers=headers(ADMIN, "ann"))
    try:
        ids, _ = decide(api, records[:1], user=None)
    finally:
        api.put(f"{API}/admin/review-mode", json={"on": False, "reason": "Replay check done"},
                headers=headers(ADMIN, "ann"))
    [row] = audit_cli.logged_rows(oversight_service.log.url, ids, None)
    flipped = row | {"automatic_decision": other(row["automatic_decision"])}
    verdict = replay(flipped, registry_of(trained_root))
    assert not verdict.matches and not verdict.checks["sealed"]


def test_the_weekly_report_counts_this_weeks_decisions_and_overrides(api, records) -> None:
    before = api.get(f"{API}/oversight/weekly?weeks=2", headers=headers(VIEWER)).get_json()
    ids, answers = decide(api, records[5:7])
    api.post(f"{API}/decisions/{ids[0]}/override",
             json={"decision": other(answers[0]["decision"]), "reason_code": REASON,
                   "comment": COMMENT}, headers=headers(MANAGER, "bob"))
    after = api.get(f"{API}/oversight/weekly?weeks=2", headers=headers(VIEWER)).get_json()
    assert len(after["weeks"]) == 2
    this, then = after["weeks"][-1], before["weeks"][-1]
    assert this["decisions"] - then["decisions"] == 2
    assert this["overrides"] - then["overrides"] == 1
    assert this["override_rate"] == pytest.approx(
        this["overridden_decisions"] / this["decisions"], abs=1e-4)


def test_the_reasons_come_from_the_configuration(api) -> None:
    body = api.get(f"{API}/oversight/reasons", headers=headers(VIEWER)).get_json()
    codes = [r["code"] for r in body["reasons"]]
    assert REASON in codes and "contest_overturned" not in codes
    assert body["comment"] == {"min_chars": 10, "max_chars": 2000}


def test_the_openapi_document_describes_oversight(api) -> None:
    document = api.get(f"{API}/openapi.json").get_json()
    paths = document["paths"]
    assert "put" in paths[f"{API}/admin/review-mode"]
    override = paths[f"{API}/decisions/{{decision_id}}/override"]["post"]
    assert "`manager`" in override["description"] and "409" in override["responses"]
    decision = document["components"]["schemas"]["Prediction"]["properties"]["decision"]
    assert "review" in decision["enum"]
    assert "manager" in document["info"]["description"]
