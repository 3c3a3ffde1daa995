"""What if: change a few application fields and re-score them as a simulation (POST /simulate).

Never ``POST /predict``: that is a credit decision and enters the prediction log; trying
amounts with a client decides nothing. Amounts are typed as a person writes them
("250,000", "€ 250 000"), with the configured currency in the label; the labels are the
glossary's, as on every other page.
"""

import streamlit as st

from dashboard import api_client, refusal, ui

NOT_EMPLOYED = 365243         # Home Credit's code for "no current job" (mostly pensioners)
DAYS_PER_YEAR = 365.25
AMOUNTS = {                   # column -> help; the label is the glossary's (the API's fields)
    "AMT_INCOME_TOTAL": "The client's total yearly income.",
    "AMT_CREDIT": "The amount of the loan.",
    "AMT_ANNUITY": "What the client repays each month.",
    "AMT_GOODS_PRICE": "Price of the goods the loan pays for.",
}


def as_float(value) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if number != number else number  # NaN -> None


def amount_text(value: float | None) -> str:
    """An amount as the form shows it: thousands separated, no decimals ("529,862")."""
    return "" if value is None else f"{value:,.0f}"


def read_amount(text: str, currency: str) -> float | None:
    """A typed amount: separators, spaces and the currency forgiven; empty is "not given".

    Raises:
        ValueError: not an amount (the message says so in words).
    """
    cleaned = (text or "").replace(currency, "") if currency else (text or "")
    for mark in (",", " ", "\u00a0", "\u202f", "_", "'"):
        cleaned = cleaned.replace(mark, "")
    if not cleaned:
        return None
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"“{text}” is not an amount: type digits, such as 250,000") from None
    if value != value or value in (float("inf"), float("-inf")) or value < 0:
        raise ValueError(f"“{text}” is not an amount: type a positive number, such as 250,000")
    return value


client_id = ui.require_client()
ui.page_title("What if", client_id)
answer = ui.fetch(api_client.client, client_id, what="the client's application",
                  not_found=ui.unknown_client(client_id))
record = answer.get("application") or {}
labels = {f["name"]: f["label"] for f in answer.get("fields", [])}
try:
    currency = api_client.model_info().get("currency", "")    # cached for all sessions
except api_client.ApiError:
    currency = ""
current = ui.fetch(api_client.score, client_id, what="the current score",
                   not_found=ui.unknown_client(client_id))
if not record:
    st.info("The scoring service gave no application record to start from.")
    st.stop()

st.caption("Change the application below and re-score it. This is a simulation: nothing is "
           "saved and it is not a credit decision, it only shows how the model would answer.")
refusal.show_proposals(current.get("what_would_change"),
                       "Suggestions: what would change today's decision")
with st.form(f"what-if-{client_id}"):
    changed = dict(record)
    typed_amounts = {}
    columns = st.columns(2)
    for i, (column, help_text) in enumerate(AMOUNTS.items()):
        label = labels.get(column, column)
        typed_amounts[column] = columns[i % 2].text_input(
            f"{label} ({currency})" if currency else label,
            value=amount_text(as_float(record.get(column))), help=help_text,
            key=f"wi-{client_id}-{column}", placeholder="not given")
    days = as_float(record.get("DAYS_EMPLOYED"))
    not_employed = st.checkbox("Not employed (e.g. pensioner)", value=days == NOT_EMPLOYED,
                               key=f"wi-{client_id}-not-employed")
    years = None if days in (None, NOT_EMPLOYED) else round(abs(days) / DAYS_PER_YEAR, 1)
    entered_years = st.number_input(f"{labels.get('DAYS_EMPLOYED', 'Time in current job')} "
                                    "(years)", min_value=0.0, max_value=80.0,
                                    value=years, step=0.5, format="%.1f",
                                    key=f"wi-{client_id}-years", placeholder="not given",
                                    help="Ignored when 'Not employed' is ticked.")
    children = as_float(record.get("CNT_CHILDREN"))
    entered_children = st.number_input(labels.get("CNT_CHILDREN", "Number of children"),
                                       min_value=0, max_value=20,
                                       value=None if children is None else int(children),
                                       step=1, key=f"wi-{client_id}-children")
    submitted = st.form_submit_button("Re-score", type="primary", icon=":material/calculate:")

if submitted:
    problems = []
    for column, typed in typed_amounts.items():
        original = as_float(record.get(column))
        if typed.strip() == amount_text(original):   # untouched: the exact amount, not rounded
            changed[column] = original
            continue
        try:
            changed[column] = read_amount(typed, currency)
        except ValueError as error:
            problems.append(f"{labels.get(column, column)}: {error}")
    if problems:
        st.warning("Nothing re-scored. " + " ".join(problems), icon=":material/edit_off:")
        st.stop()
    if not_employed:
        changed["DAYS_EMPLOYED"] = NOT_EMPLOYED
    elif entered_years != years:       # untouched: keep the exact day count, not a rounding
        changed["DAYS_EMPLOYED"] = (None if entered_years is None
                                    else -int(round(entered_years * DAYS_PER_YEAR)))
    elif days == NOT_EMPLOYED:         # box unticked, no years given: employment unknown
        changed["DAYS_EMPLOYED"] = None
    changed["CNT_CHILDREN"] = None if entered_children is None else int(entered_children)
    try:
        answer = api_client.simulate([changed])
    except api_client.ApiError as error:
        for column in AMOUNTS:                       # name the field as the form does
            error.message = error.message.replace(f"clients.0.{column}",
                                                  labels.get(column, column))
        ui.show_error(error, "the new score")
        st.stop()
    st.session_state["what-if"] = {"client_id": client_id,
                                   "prediction": answer["predictions"][0]}

result = st.session_state.get("what-if")
if result and result["client_id"] == client_id:
    new = result["prediction"]
    old_p, new_p = float(current["probability"]), float(new["probability"])
    points = 100 * (new_p - old_p)
    left, right = st.columns(2)
    left.metric("Current probability", ui.percent(old_p), border=True)
    right.metric("With the changes", ui.percent(new_p), delta=f"{points:+.1f} points",
                 delta_color="inverse", border=True,
                 delta_description="lower is better for the client")
    left.markdown(f"{ui.decision_words(current['decision'])} today")
    with right:
        ui.show_decision(new["decision"])
    moved = (f"goes down from {ui.percent(old_p)} to {ui.percent(new_p)}" if points < 0
             else f"goes up from {ui.percent(old_p)} to {ui.percent(new_p)}" if points > 0
             else f"stays at {ui.percent(new_p)}")
    st.caption(f"With these changes, the probability of payment difficulties {moved} "
               f"({points:+.1f} points); the refusal threshold is "
               f"{ui.percent(float(new['threshold']))}. Simulated: nothing is saved or decided.")
    refusal.show_refusal(new, ("Main reasons, with the changes",
                               "What would change it, with the changes"))
