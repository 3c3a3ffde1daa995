"""Human oversight in the dashboard: logged decisions, overrides, contests, the review switch.

The score card shows the client book's score; a credit decision exists once it is taken
(``POST /predict``) and logged. This module shows the client's logged decisions wherever a
decision is shown (the decision in force, who took it, every override and contest), lets a
manager take one ("Decide now"), override it or record the client's contest, and draws the
review queue where another manager resolves contests. Every write goes to the API in the
logged-in manager's name (``X-Acting-User``); the API applies the rules (reasons, lengths,
who may resolve) and this module says its refusals in words. See docs/oversight.md.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime

import pandas as pd
import streamlit as st

from dashboard import api_client, navigation, refusal, state, ui
from dashboard.api_client import ApiError

WORDS = {  # the words and an icon always go with the colour
    "granted": ("Credit granted", ":material/check_circle:"),
    "refused": ("Credit refused", ":material/block:"),
    "review": ("Awaiting a manager's decision (manual review)", ":material/pending:"),
}
OUTCOMES = {"upheld": "Uphold: the decision stands",
            "overturned": "Overturn: replace the decision"}
FLASH_KEY = "oversight_flash"     # what the last write did, shown after the rerun
SYSTEM = "the origination system"  # a decision logged without a person (a system's key)
# what Markdown (and Streamlit's LaTeX) would read as formatting in the middle of a line
_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>#|$~])")


def words(decision: str | None) -> str:
    return WORDS.get(str(decision), (f"Decision: {decision}",))[0]


def plain(text: str | None) -> str:
    """A person's free text for ``st.markdown``: shown as typed, never as formatting."""
    return _MARKDOWN.sub(r"\\\1", str(text or "")).replace("\n", " ")


def when(iso: str | None) -> str:
    """An API timestamp as "2026-12-04 14:03 UTC" (a date stays a date)."""
    if not iso:
        return "an unknown time"
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    if len(iso) == 10:
        return moment.date().isoformat()
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def override_line(override: dict) -> str:
    """ "Overridden by <user> on <date>: <reason label> — <comment>"."""
    return (f"Overridden by **{plain(override['acting_user'])}** on {when(override['at'])}: "
            f"{plain(override['reason_label'])} — {plain(override['comment'])} "
            f"({words(override['previous_decision'])} → **{words(override['decision'])}**)")


def contest_line(contest: dict) -> str:
    line = (f"Contest received on {contest['received_on']}, recorded by "
            f"{plain(contest['recorded_by'])}: “{plain(contest['statement'])}” — ")
    if contest["status"] == "open":
        return line + "**open**, in the review queue"
    return line + (f"**{contest['outcome']}** by {plain(contest['resolved_by'])} on "
                   f"{when(contest['resolved_at'])}: {plain(contest['outcome_comment'])}")


def _refresh_view() -> None:
    """A new view token: the page's cached answers are asked again (and audited) after a write."""
    _, *shown = st.session_state.get(state.VIEW_KEY) or ("", None, None)
    st.session_state[state.VIEW_KEY] = (uuid.uuid4().hex, *shown)


def _done(message: str) -> None:
    st.session_state[FLASH_KEY] = message
    _refresh_view()
    st.rerun()


def _flash() -> None:
    message = st.session_state.pop(FLASH_KEY, None)
    if message:
        st.success(message, icon=":material/task_alt:")


# ----- on every page -------------------------------------------------------------------------
BANNER_TTL_S = 5.0        # the switch reaches every page within this (plus the API's 1 s)
BANNER_TIMEOUT_S = 1.0    # a slow API never holds a page up for its banner


@st.cache_data(ttl=BANNER_TTL_S, show_spinner=False)
def _review_state(root: str, key: str | None) -> dict | None:
    # the same for every manager (no client data): cached across sessions; a failure is
    # cached too (None), so a service that does not answer costs one short wait per TTL
    try:
        return api_client.review_mode(timeout=BANNER_TIMEOUT_S)
    except ApiError:
        return None


def review_banner() -> None:
    """A banner while the review switch is on (nothing when it is off or unknown: the page
    itself says when the service is down)."""
    mode = _review_state(api_client.base_url(), api_client.api_key()) or {}
    if mode.get("on"):
        st.warning(f"**Automatic decisions are suspended:** every new decision goes to manual "
                   f"review (since {when(mode.get('since'))}, by {plain(mode.get('by'))}: "
                   f"{plain(mode.get('reason'))}).", icon=":material/front_hand:")


# ----- a decision, as logged ------------------------------------------------------------------
def show_decision(decision: dict, *, heading: bool = True) -> None:
    """The decision in force, then how it came to be: the log, each override, each contest."""
    effective = decision["effective_decision"]
    if heading:
        text, icon = WORDS.get(effective, (words(effective), ":material/help:"))
        box = {"granted": st.success, "refused": st.error}.get(effective, st.warning)
        changed = " (overridden)" if decision["overrides"] else ""
        box(f"**{text}**{changed} — decision in force", icon=icon)
    who = plain(decision["decided_by"]) if decision["decided_by"] else SYSTEM
    lines = [f"Logged decision: **{words(decision['decision'])}** on "
             f"{when(decision['logged_at'])}, asked by {who} (probability "
             f"{ui.percent(decision['probability'])}, threshold "
             f"{ui.percent(decision['threshold'])}, model {plain(decision['model_version'])})"]
    if decision["decision"] == "review" and decision.get("automatic_decision"):
        lines.append(f"The model's own decision: **{words(decision['automatic_decision'])}** "
                     "(automatic decisions were suspended)")
    lines += [override_line(o) for o in decision["overrides"]]
    lines += [contest_line(c) for c in decision["contests"]]
    # one line each (a Markdown line break), not a bulleted list: the pages keep bullets for
    # what would change a refusal
    st.markdown("  \n".join(lines))
    st.caption(f"Decision id, for the file: {decision['decision_id']}")


# ----- the score card's section ---------------------------------------------------------------
def show_logged_decisions(client_id: int) -> None:
    """The client's logged decisions and what a manager may do with them (score card)."""
    st.divider()
    st.subheader("Logged credit decision")
    st.caption("The score above is the client book's. A credit decision exists once it is "
               "taken and logged; a manager may then override it, or record the client's "
               "contest for another manager to review.")
    _flash()
    try:
        decisions = api_client.client_decisions(client_id)["decisions"]
    except ApiError as error:
        st.error(f"**Could not load the logged decisions.** {error.message}",
                 icon=":material/cloud_off:")
        return
    if not decisions:
        st.info("No credit decision has been logged for this client yet.",
                icon=":material/history_toggle_off:")
        _decide_form(client_id)
        return
    latest = decisions[0]
    show_decision(latest)
    try:
        reasons = api_client.oversight_reasons()
    except ApiError as error:
        st.warning(f"The override reasons could not be loaded: {error.message}")
        return
    left, right = st.columns(2)
    with left:
        _override_form(latest, reasons)
    with right:
        _contest_form(latest, reasons)
    if len(decisions) > 1:
        with st.expander(f"Earlier decisions ({len(decisions) - 1})"):
            for earlier in decisions[1:]:
                st.markdown(f"**{words(earlier['effective_decision'])}** (in force)")
                show_decision(earlier, heading=False)


def _decide_form(client_id: int) -> None:
    with st.form(f"decide-{client_id}", border=True):
        st.markdown("**Decide now**: the application on file is scored and the decision is "
                    "logged in your name.")
        confirm = st.checkbox("I confirm: take the credit decision for this application now")
        submitted = st.form_submit_button("Decide now", type="primary", icon=":material/gavel:")
    if not submitted:
        return
    if not confirm:
        st.warning("Not decided: tick the confirmation first (a logged decision can only be "
                   "overridden, never removed).", icon=":material/check_box_outline_blank:")
        return
    try:
        record = api_client.client(client_id)["application"]
        answer = api_client.decide(record)["predictions"][0]
    except ApiError as error:
        st.error(f"**The decision was not taken.** {error.message}", icon=":material/error:")
        return
    _done(f"Decision logged: {words(answer['decision'])}.")


def _override_form(decision: dict, reasons: dict) -> None:
    effective = decision["effective_decision"]
    choices = [d for d in reasons.get("decisions", ["granted", "refused"]) if d != effective]
    labels = {r["code"]: r["label"] for r in reasons["reasons"]}
    low, high = reasons["comment"]["min_chars"], reasons["comment"]["max_chars"]
    with st.form(f"override-{decision['decision_id']}", border=True):
        st.markdown("**Override this decision**")
        new = st.selectbox("New decision", choices, format_func=words)
        code = st.selectbox("Reason", list(labels), index=None, format_func=labels.get,
                            placeholder="Choose the reason")
        comment = st.text_area("Explain the override", max_chars=high,
                               help=f"At least {low} characters: what you checked, and why.")
        confirm = st.checkbox("I confirm this override, in my name")
        submitted = st.form_submit_button("Override", icon=":material/edit_note:")
    if not submitted:
        return
    problems = [problem for problem, missing in (
        ("choose a reason", code is None),
        (f"explain in at least {low} characters", len(comment.strip()) < low),
        ("tick the confirmation", not confirm)) if missing]
    if problems:
        st.warning("Not recorded: " + "; ".join(problems) + ".", icon=":material/edit_off:")
        return
    try:
        api_client.override(decision["decision_id"], new, code, comment.strip())
    except ApiError as error:
        st.error(f"**The override was not recorded.** {error.message}", icon=":material/error:")
        return
    _done(f"Override recorded: the decision in force is now “{words(new)}”.")


def _contest_form(decision: dict, reasons: dict) -> None:
    if any(c["status"] == "open" for c in decision["contests"]):
        st.info("The client's contest of this decision is open: another manager reviews it.",
                icon=":material/gavel:")
        st.page_link(navigation.REVIEW_QUEUE, label="Open the review queue",
                     icon=":material/inbox:")
        return
    if decision["effective_decision"] == "review":
        st.info("Decide this application first (override it): there is nothing to contest yet.",
                icon=":material/pending:")
        return
    low, high = reasons["statement"]["min_chars"], reasons["statement"]["max_chars"]
    today = datetime.now(UTC).date()
    decided = date.fromisoformat(decision["logged_at"][:10])
    with st.form(f"contest-{decision['decision_id']}", border=True):
        st.markdown("**Record the client's contest**")
        statement = st.text_area("The client's statement", max_chars=high,
                                 help=f"The client's point of view, at least {low} characters.")
        received = st.date_input("Date received", value=today, min_value=min(decided, today),
                                 max_value=today)
        confirm = st.checkbox("I recorded the client's words faithfully")
        submitted = st.form_submit_button("Record the contest", icon=":material/flag:")
    if not submitted:
        return
    problems = [problem for problem, missing in (
        (f"write the statement (at least {low} characters)", len(statement.strip()) < low),
        ("tick the confirmation", not confirm)) if missing]
    if problems:
        st.warning("Not recorded: " + "; ".join(problems) + ".", icon=":material/edit_off:")
        return
    try:
        api_client.record_contest(decision["decision_id"], statement.strip(),
                                  received.isoformat())
    except ApiError as error:
        st.error(f"**The contest was not recorded.** {error.message}", icon=":material/error:")
        return
    _done("Contest recorded: it is in the review queue, for a manager who did not take part "
          "in the decision.")


# ----- the review queue page --------------------------------------------------------------------
def review_queue_page() -> None:
    """Contests with their decision, the client's statement and the model's reasons."""
    st.title("Review queue")
    st.caption("Clients' contests of their credit decision (GDPR Art. 22). Each is resolved by a "
               "manager who did not take part in the decision: who asked for it or overrode it "
               "may not resolve it.")
    _flash()
    status = st.radio("Show", ["open", "resolved", "all"], horizontal=True,
                      format_func={"open": "Open", "resolved": "Resolved", "all": "All"}.get,
                      key="queue-status")
    queue = ui.fetch(api_client.contests, status, what="the review queue")
    if not queue["contests"]:
        st.success("No open contest: the queue is empty." if status == "open"
                   else "No contest to show.", icon=":material/inbox:")
        return
    try:
        reasons = api_client.oversight_reasons()
    except ApiError as error:
        st.error(f"**Could not load the override reasons.** {error.message}")
        return
    for contest in queue["contests"]:
        with st.container(border=True):
            _show_contest(contest, reasons)


def _show_contest(contest: dict, reasons: dict) -> None:
    decision = contest["decision"]
    st.subheader(f"Client {contest['client_id']} · received on {contest['received_on']}")
    st.markdown(f"**The client's statement** (recorded by {plain(contest['recorded_by'])} on "
                f"{when(contest['at'])}):")
    st.markdown(f"> {plain(contest['statement'])}")
    if decision is None:
        st.warning("The contested decision is no longer in the log (retention period).")
        return
    show_decision(decision)
    refusal.show_reasons(decision.get("reasons") or [], "The model's reasons")
    st.page_link(navigation.SCORE, label=f"Open client {contest['client_id']}'s score card",
                 icon=":material/speed:",
                 query_params={state.QUERY_KEY: str(contest["client_id"])})
    if contest["status"] == "open":
        _resolve_form(contest, reasons)


def _resolve_form(contest: dict, reasons: dict) -> None:
    decision = contest["decision"]
    choices = [d for d in reasons.get("decisions", ["granted", "refused"])
               if d != decision["effective_decision"]]
    low, high = reasons["comment"]["min_chars"], reasons["comment"]["max_chars"]
    with st.form(f"resolve-{contest['contest_id']}", border=True):
        st.markdown("**Resolve this contest**")
        outcome = st.radio("Outcome", list(OUTCOMES), format_func=OUTCOMES.get)
        new = st.selectbox("New decision (when overturned)", choices, format_func=words)
        comment = st.text_area("Your conclusion", max_chars=high,
                               help=f"At least {low} characters: what you reviewed, and why.")
        confirm = st.checkbox("I did not take part in this decision and resolve it in my name")
        submitted = st.form_submit_button("Resolve", type="primary", icon=":material/gavel:")
    if not submitted:
        return
    problems = [problem for problem, missing in (
        (f"write your conclusion (at least {low} characters)", len(comment.strip()) < low),
        ("tick the confirmation", not confirm)) if missing]
    if problems:
        st.warning("Not recorded: " + "; ".join(problems) + ".", icon=":material/edit_off:")
        return
    try:
        api_client.resolve_contest(contest["contest_id"], outcome, comment.strip(),
                                   new if outcome == "overturned" else None)
    except ApiError as error:
        if error.kind == "not_allowed":   # the manager took part in the decision
            st.error(f"**You cannot resolve this contest.** {error.message} Ask another "
                     "manager to review it.", icon=":material/block:")
        else:
            st.error(f"**The resolution was not recorded.** {error.message}",
                     icon=":material/error:")
        return
    result = f"overturned: the decision in force is now “{words(new)}”" if (
        outcome == "overturned") else "upheld: the decision stands"
    _done(f"Contest of client {contest['client_id']} resolved, {result}.")


# ----- the monitoring page's section --------------------------------------------------------------
#: short headers: the nine columns fit a 1,280 px window without a horizontal scroll
COLUMNS = {"week": "Week", "decisions": "Decisions", "reviews": "In review",
           "overridden_decisions": "Overridden", "override_rate": "Override rate",
           "overrides": "Overrides", "contests_opened": "Contests",
           "contests_resolved": "Resolved", "contests_overturned": "Overturned"}


def show_weekly(weeks: int = 12) -> None:
    """Override rate, reviews and contests per ISO week, from the prediction log (live)."""
    st.subheader("Human oversight")
    try:
        rows = api_client.oversight_weekly(weeks)["weeks"]
    except ApiError as error:
        st.info(f"The oversight figures are unavailable: {error.message}",
                icon=":material/cloud_off:")
        return
    table = pd.DataFrame(rows)
    decided, overridden = int(table["decisions"].sum()), int(table["overridden_decisions"].sum())
    a, b, c = st.columns(3)
    a.metric(f"Decisions logged, last {weeks} weeks", f"{decided:,}")
    b.metric("Overridden by a manager", ui.percent(overridden / decided) if decided else "none",
             help="Share of the decisions changed by at least one override.")
    c.metric("Contests received", int(table["contests_opened"].sum()))
    shown = table[list(COLUMNS)].rename(columns=COLUMNS)
    shown["Override rate"] = [ui.percent(r) if r is not None and r == r else "–"
                              for r in table["override_rate"]]
    st.dataframe(shown.iloc[::-1], hide_index=True, key="oversight-weekly")
    st.caption("Per ISO week, from the prediction log: decisions taken, those under manual "
               "review (review switch on), the share a manager overrode, and clients' contests. "
               "A rising override rate says the managers and the model disagree more: look at "
               "the override reasons and at drift. The monitoring pipeline writes the same "
               "table to 08_reporting/oversight_weekly.csv.")
