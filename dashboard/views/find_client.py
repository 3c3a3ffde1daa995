"""Find a client: open one by ID, or filter the client book page by page and click an ID.

A typo, an unknown ID and an outage are three different messages, and none of them stops
the page: the filters and the table stay as the manager left them.
"""

import streamlit as st

from dashboard import api_client, client_table, navigation, state, ui

FILTER_LABELS = {"gender": "Gender", "age_band": "Age band", "income_band": "Income band",
                 "contract_type": "Contract type", "family_status": "Family status",
                 "decision": "Decision"}
ANY = "Any"


def open_client(client_id: int) -> None:
    state.select_client(client_id)
    st.switch_page(navigation.SCORE, query_params={state.QUERY_KEY: str(client_id)})


st.title("Find a client")

with st.form("by-id", border=False):
    typed_col, button_col = st.columns([3, 1], vertical_alignment="bottom")
    typed = typed_col.text_input("Client ID", value=str(state.current_client() or ""),
                                 placeholder="e.g. 100001", key="typed-id")
    submitted = button_col.form_submit_button("Open client", type="primary",
                                              icon=":material/login:")
if (problem := state.link_problem()) is not None:
    st.warning(f"**The link named no client.** {problem}", icon=":material/link_off:")
if submitted:
    problem = state.id_problem(typed)
    if problem:
        st.warning(problem, icon=":material/pin:")      # a typo: said as such, nothing called
    else:
        client_id = int(typed.strip())
        shown_view = st.session_state.get(state.VIEW_KEY)
        state.enter_view(navigation.SCORE_TITLE, client_id)  # the card reuses this answer
        try:
            api_client.score(client_id)                      # does the client exist?
        except api_client.ApiError as error:
            st.session_state[state.VIEW_KEY] = shown_view   # still the search page's view
            if error.kind == "not_found":
                error.message = ui.unknown_client(client_id, on_search_page=True)
            ui.show_error(error, "the client")
        else:
            open_client(client_id)

st.subheader("Or search the client book")
try:
    choices = api_client.filter_choices()    # the same for everyone: cached for all sessions
except api_client.ApiError as error:
    ui.show_error(error, "the client list")
    st.stop()
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

table = client_table.results_table(rows, found.get("labels") or {})
with st.container(gap=None):       # one row per client, no space between rows
    st.markdown(client_table.header_html(table), unsafe_allow_html=True)
    for _, row in table.iterrows():     # each ID is a link: the card opens like a menu click
        with st.container(horizontal=True, wrap=False, gap="small",
                          vertical_alignment="center"):
            st.page_link(navigation.SCORE, label=row["Client"], width=client_table.ID_WIDTH,
                         icon=":material/open_in_new:",
                         query_params={state.QUERY_KEY: row["Client"]},
                         help=f"Open the score card of client {row['Client']}")
            st.markdown(client_table.row_html(row), unsafe_allow_html=True)
st.caption("Click a client's ID to open their score card.")
