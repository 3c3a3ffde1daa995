"""Find a client: open one by ID, or filter the client book page by page and pick a row."""

import pandas as pd
import streamlit as st

from dashboard import api_client, navigation, state, ui

FILTER_LABELS = {"gender": "Gender", "age_band": "Age band", "income_band": "Income band",
                 "contract_type": "Contract type", "family_status": "Family status",
                 "decision": "Decision"}
COLUMNS = {"client_id": "Client", "gender": "Gender", "age_years": "Age (years)",
           "income": "Yearly income", "credit": "Credit amount",
           "contract_type": "Contract type", "family_status": "Family status",
           "probability": "Probability of difficulties", "decision": "Decision"}
ANY = "Any"
SHOWN = "results-client-ids"     # the clients of the results table, in its row order


def open_client(client_id: int) -> None:
    state.select_client(client_id)
    st.switch_page(navigation.SCORE, query_params={state.QUERY_KEY: str(client_id)})


def results_table(rows: list[dict]) -> pd.DataFrame:
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    if "decision" in table:
        table["decision"] = table["decision"].map(ui.decision_words)
    if "probability" in table:
        table["probability"] = 100 * table["probability"].astype(float)
    shown = [c for c in COLUMNS if c in table]
    return table[shown].rename(columns=COLUMNS)


def picked_client() -> int | None:
    """The client of the row just clicked in the results table, if any.

    A click reruns this script; answering it here, before the filters and the table are drawn
    again, sends the manager to the score card one full page render sooner.
    """
    selection = (st.session_state.get("results") or {}).get("selection") or {}
    rows, shown = selection.get("rows") or [], st.session_state.get(SHOWN) or []
    return shown[rows[0]] if rows and rows[0] < len(shown) else None


if (clicked := picked_client()) is not None:
    open_client(clicked)

st.title("Find a client")

with st.form("by-id", border=False):
    typed_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    typed = typed_col.text_input("Client ID", value=str(state.current_client() or ""),
                                 placeholder="e.g. 100001", key="typed-id")
    submitted = button_col.form_submit_button("Open client", type="primary",
                                              icon=":material/login:")
if submitted:
    client_id = state.parse_client_id(typed)
    if client_id is None:
        st.warning("A client ID is a whole number, such as 100001.")
    else:
        state.enter_view(navigation.SCORE_TITLE, client_id)  # the card reuses this answer
        ui.fetch(api_client.score, client_id, what="the client",
                 not_found=ui.unknown_client(client_id))  # check it exists before leaving
        open_client(client_id)

st.subheader("Or search the client book")
first = ui.fetch(api_client.list_clients, 1, 1, what="the client list")
choices = first.get("available_filters", {})
filters = {}
columns = st.columns(3)
for i, (name, label) in enumerate(FILTER_LABELS.items()):
    values = choices.get(name, [])
    shown = {v: ui.decision_words(v) if name == "decision" else str(v) for v in values}
    picked = columns[i % 3].selectbox(label, [ANY, *values], key=f"filter-{name}",
                                      format_func=lambda v, s=shown: s.get(v, v))
    if picked != ANY:
        filters[name] = picked

size_col, page_col = st.columns(2)
page_size = size_col.selectbox("Clients per page", [10, 20, 50, 100], index=1, key="page-size")
page_number = int(page_col.number_input("Page", min_value=1, value=1, step=1, key="page"))
found = ui.fetch(api_client.list_clients, page_number, page_size, what="the client list",
                 **filters)
total = int(found.get("total", 0))
pages = max(1, -(-total // page_size))
rows = found.get("clients", [])
st.caption(f"{total:,} matching clients · page {page_number} of {pages}")
if not rows:
    st.info("No client on this page: change the filters or go back to page 1.")
    st.stop()

table = results_table(rows)
st.session_state[SHOWN] = [int(r["client_id"]) for r in rows]
money = st.column_config.NumberColumn(format="localized", step=1)
st.dataframe(  # a click reruns the script: picked_client() at the top opens the client
    table, hide_index=True, on_select="rerun", selection_mode="single-row", key="results",
    column_config={"Client": st.column_config.NumberColumn(format="plain"),
                   "Yearly income": money, "Credit amount": money,
                   "Age (years)": st.column_config.NumberColumn(format="%.0f"),
                   "Probability of difficulties": st.column_config.NumberColumn(format="%.1f %%")})
st.caption("Click a row to open that client's score card.")
