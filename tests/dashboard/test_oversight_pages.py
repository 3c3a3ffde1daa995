"""Human oversight in the dashboard: decide, override, contest, resolve by a second manager."""

from __future__ import annotations

import requests
from apptest import open_page, texts
from live_api import USER
from streamlit.testing.v1 import AppTest

from dashboard import navigation

COMMENT = "Payslips of the last three months show a higher income."
SECOND = "rm.second"      # another relationship manager


def decisions_of(live_api, client_id: int) -> list[dict]:
    return live_api.get(f"/clients/{client_id}/decisions")["decisions"]


def undecided_client(live_api) -> int:
    """A refused served client with no logged decision yet."""
    for row in live_api.get("/clients", decision="refused", page_size=100)["clients"]:
        if not decisions_of(live_api, row["client_id"]):
            return row["client_id"]
    raise AssertionError("every refused demo client already has a logged decision")


def widget(elements, label: str):
    found = [e for e in elements if e.label.startswith(label)]
    assert found, f"no widget labelled {label!r}: {[e.label for e in elements]}"
    return found[0]


def submit(at: AppTest, label: str) -> AppTest:
    return widget(at.button, label).click().run()


def open_as(page: str, username: str) -> AppTest:
    """A page in a session where another manager (a login of the test file) logged in."""
    from live_api import APP

    from credit_scoring_kedro.serving import credentials

    if username not in credentials.read()["dashboard"]["credentials"]["usernames"]:
        credentials.add_user(username, "second-password-1234", "Second Manager")
    at = AppTest.from_file(str(APP), default_timeout=30)
    at.session_state["authentication_status"] = True
    at.session_state["username"], at.session_state["name"] = username, "Second Manager"
    at.switch_page(page)
    return at.run()


def test_a_manager_decides_overrides_and_records_a_contest_from_the_score_card(
        dashboard_env) -> None:
    client_id = undecided_client(dashboard_env)
    before = dashboard_env.logged()
    at = open_page(navigation.SCORE, client_id)
    assert any("No credit decision has been logged" in t for t in texts(at.info))
    at = submit(at, "Decide now")                        # without the confirmation
    assert any("tick the confirmation" in t for t in texts(at.warning))
    assert dashboard_env.logged() == before
    widget(at.checkbox, "I confirm: take the credit decision").check()
    at = submit(at, "Decide now")
    assert not at.exception, at.exception
    assert dashboard_env.logged() == before + 1
    [logged] = decisions_of(dashboard_env, client_id)
    assert logged["decided_by"] == USER and logged["decision"] == "refused"
    assert any("Decision logged: Credit refused" in t for t in texts(at.success))
    assert any(logged["decision_id"] in t for t in texts(at.caption))

    # an override needs a reason, a comment and the confirmation: refused on screen first
    widget(at.text_area, "Explain the override").input("too short")
    at = submit(at, "Override")
    warning = " ".join(texts(at.warning))
    assert "choose a reason" in warning and "at least 10 characters" in warning
    assert decisions_of(dashboard_env, client_id)[0]["overrides"] == []
    widget(at.selectbox, "Reason").set_value("documented_income_higher")
    widget(at.text_area, "Explain the override").input(COMMENT)
    widget(at.checkbox, "I confirm this override").check()
    at = submit(at, "Override")
    assert not at.exception, at.exception
    [override] = decisions_of(dashboard_env, client_id)[0]["overrides"]
    assert (override["acting_user"], override["decision"]) == (USER, "granted")
    page = "\n".join(texts(at.markdown))
    assert (f"Overridden by **{USER}** on" in page
            and "Documented income higher than declared — " + COMMENT in page)
    assert any("Credit granted" in t and "overridden" in t for t in texts(at.success))

    widget(at.text_area, "The client's statement").input("I was told I would be granted.")
    widget(at.checkbox, "I recorded the client's words").check()
    at = submit(at, "Record the contest")
    assert not at.exception, at.exception
    [contest] = decisions_of(dashboard_env, client_id)[0]["contests"]
    assert contest["status"] == "open" and contest["recorded_by"] == USER
    assert any("review queue" in t for t in texts(at.success))


def test_the_manager_who_decided_cannot_resolve_a_second_manager_can(dashboard_env) -> None:
    client_id = undecided_client(dashboard_env)
    record = dashboard_env.get(f"/clients/{client_id}")["application"]
    answer = requests.post(f"{dashboard_env.url}/predict", json={"clients": [record]},
                           headers={"X-API-Key": dashboard_env.key, "X-Acting-User": USER},
                           timeout=30)
    decision_id = f"{answer.headers['X-Request-ID']}-0"
    decided_on = decisions_of(dashboard_env, client_id)[0]["logged_at"][:10]
    # the deciding manager takes down the client's contest; another one must resolve it
    recorded = requests.post(f"{dashboard_env.url}/decisions/{decision_id}/contest",
                             json={"statement": "My new job pays more than declared.",
                                   "received_on": decided_on},
                             headers={"X-API-Key": dashboard_env.key, "X-Acting-User": USER},
                             timeout=30)
    assert recorded.status_code == 200, recorded.text
    contest_id = recorded.json()["contests"][0]["contest_id"]

    at = open_page(navigation.REVIEW_QUEUE)
    assert any(f"Client {client_id}" in t for t in texts(at.subheader))
    assert any("My new job pays more than declared." in t for t in texts(at.markdown))

    def resolve(at: AppTest) -> AppTest:
        form = f"resolve-{contest_id}"
        [outcome] = [r for r in at.radio if r.label == "Outcome" and r.form_id == form]
        outcome.set_value("overturned")
        [comment] = [t for t in at.text_area if t.form_id == form]
        comment.input("The employment contract confirms the income.")
        [confirm] = [c for c in at.checkbox if c.form_id == form]
        confirm.check()
        [button] = [b for b in at.button if b.label == "Resolve" and b.form_id == form]
        return button.click().run()

    at = resolve(at)                                     # USER asked for the decision
    refused = " ".join(texts(at.error))
    assert "You cannot resolve this contest" in refused and "asked for this decision" in refused
    assert decisions_of(dashboard_env, client_id)[0]["contests"][0]["status"] == "open"
    assert "Traceback" not in refused and "ApiError" not in refused

    at = resolve(open_as(navigation.REVIEW_QUEUE, SECOND))
    assert not at.exception, at.exception
    [view] = decisions_of(dashboard_env, client_id)
    assert view["contests"][0]["status"] == "resolved"
    assert view["contests"][0]["resolved_by"] == SECOND
    assert view["effective_decision"] == "granted"
    assert view["overrides"][-1]["reason_code"] == "contest_overturned"
    assert any(f"Contest of client {client_id} resolved, overturned" in t
               for t in texts(at.success))


def test_every_page_says_when_automatic_decisions_are_suspended(dashboard_env) -> None:
    import streamlit as st

    def switch(on: bool, reason: str) -> None:
        answer = requests.put(f"{dashboard_env.url}/admin/review-mode",
                              json={"on": on, "reason": reason},
                              headers={"X-API-Key": dashboard_env.key,
                                       "X-Acting-User": "ops.ann"}, timeout=30)
        assert answer.status_code == 200, answer.text
        st.cache_data.clear()   # the banner's 5-second cache: the next page asks again

    assert not any("suspended" in t for t in texts(open_page(navigation.FIND).warning))
    switch(True, "Drift alert on incomes")
    try:
        for page in (navigation.FIND, navigation.REVIEW_QUEUE):
            banner = " ".join(texts(open_page(page).warning))
            assert "Automatic decisions are suspended" in banner
            assert "by ops.ann: Drift alert on incomes" in banner
    finally:
        switch(False, "Incomes checked")


def test_the_monitoring_section_shows_the_weekly_override_rate(dashboard_env) -> None:
    def section() -> None:
        from dashboard import oversight

        oversight.show_weekly()

    at = AppTest.from_function(section, default_timeout=30).run()
    assert not at.exception, at.exception
    assert [s for s in texts(at.subheader) if s == "Human oversight"]
    metrics = {m.label: m.value for m in at.metric}
    assert "Overridden by a manager" in metrics
    weeks = dashboard_env.get("/oversight/weekly", weeks=12)["weeks"]
    assert metrics["Decisions logged, last 12 weeks"] == f"{sum(w['decisions'] for w in weeks):,}"
