"""Comparison: the client beside a group of past clients the manager chooses.

Past clients are those the model learnt from: their outcome is known. The manager picks the
group (the past clients most like this one, the same age band, the same income band, the
same contract type, all of them); for each of the client's weightiest factors the page says
where the client stands in that group and the group's median, in the client's units; one
feature's distribution is drawn as counts, repaid and difficulties side by side; the past
clients most like this one are a table whose rows open their figures beside the client's.
Everything is computed by the API (``GET /clients/<id>/comparison`` and ``/similar``).
"""

import pandas as pd
import streamlit as st

from dashboard import api_client, charts, ui

GROUP_KEY, FEATURE_KEY = "compare-group", "compare-feature"
FEATURE_CHOSEN = "compare-feature-chosen"   # the manager picked a feature (else: top factor)
PAST_KEY = "similar-clients"
OUTCOMES = {True: "✖ Had payment difficulties", False: "✔ Repaid"}
SHORT = {True: "✖ Difficulties", False: "✔ Repaid"}   # in the table's narrow column
# widths (px): the table fits the 818 px the page leaves at 1,280 px (row selectors ~30 px)
WIDTHS = {"Past client": 85, "Outcome": 125, "Age": 75, "Yearly income": 100,
          "Loan amount": 105, "Loan repayment (annuity)": 160, "Contract type": 105}
EFFECTS = {"raises the risk": "▲ raises the risk", "lowers the risk": "▼ lowers the risk"}
TABLE_FIGURES = ("DAYS_BIRTH", "AMT_INCOME_TOTAL", "AMT_CREDIT", "AMT_ANNUITY",
                 "NAME_CONTRACT_TYPE")      # the similar clients' table; all on selection


def _feature_chosen() -> None:
    st.session_state[FEATURE_CHOSEN] = True


client_id = ui.require_client()
ui.page_title("Comparison", client_id)

group = st.session_state.get(GROUP_KEY) or "similar"
feature = st.session_state.get(FEATURE_KEY) if st.session_state.get(FEATURE_CHOSEN) else None
answer = ui.fetch(api_client.comparison, client_id, group, feature, what="the comparison",
                  not_found=ui.unknown_client(client_id))
choices = {g["key"]: g["label"] for g in answer["groups"]}
st.selectbox("Compare with", list(choices), format_func=choices.get, key=GROUP_KEY,
             help="Past clients are those the model learnt from: how they repaid is known.")

summary = answer["group"]
if summary["size"]:
    rate = ui.percent(summary["default_rate"])
    st.markdown(f"**{summary['name']}**: {summary['defaulted']:,} of these "
                f"{summary['size']:,} past clients ({rate}) had payment difficulties.")
else:
    st.info(f"**{summary['name']}**: none to compare with, since this client's value is not "
            "known. Choose another group.", icon=":material/group_off:")

st.subheader("Where the client stands on the factors that weigh most")
factors = answer["factors"]
if factors and summary["size"]:
    st.table(pd.DataFrame([{
        "Factor": f["label"],
        "Effect on this score": EFFECTS.get(f["effect"], f["effect"]),
        "This client": f["client_display"],
        "Median of the group": f["group_median_display"] or "not known",
        "Where the client stands": f["standing"] or "",
    } for f in factors]), hide_index=True)
    st.caption("The factors that weigh most in this client's score (see “Why this score”), "
               "in the client's units. “Higher than 72 % of them”: 72 % of the group have a "
               "lower value (for an age, “older than”).")
elif not factors:
    st.info("None of this client's weightiest factors can be compared with past clients.")

st.subheader("How the group is spread")
offered = api_client.features()["features"]          # cached for all sessions
labels = {f["feature"]: f["label"] for f in offered}
distribution = answer["distribution"]
if not st.session_state.get(FEATURE_CHOSEN):
    st.session_state[FEATURE_KEY] = distribution["feature"]   # follow the client's top factor
st.selectbox("Distribution of", list(labels), format_func=labels.get, key=FEATURE_KEY,
             on_change=_feature_chosen)
if summary["size"]:
    caption = charts.group_caption(distribution, summary["name"])
    ui.chart(charts.group_chart_html(distribution, summary["key"], caption), caption)

st.subheader("The past clients most like this one")
found = ui.fetch(api_client.similar, client_id, what="the similar clients",
                 not_found=ui.unknown_client(client_id))
neighbours = found.get("clients", [])
names = {f["feature"]: f["label"] for f in found.get("figures", [])}
if not neighbours:
    st.info("No similar past client was found.")
    st.stop()
table = pd.DataFrame([{
    "Past client": str(int(n["client_id"])),
    "Outcome": SHORT[bool(n.get("defaulted"))],
    **{names[f]: n.get("figures", {}).get(f, "") for f in TABLE_FIGURES if f in names},
} for n in neighbours])
picked = st.dataframe(
    table, hide_index=True, on_select="rerun", selection_mode="single-row", key=PAST_KEY,
    column_config={name: st.column_config.TextColumn(width=WIDTHS.get(name, 100))
                   for name in table.columns})
difficulties = sum(bool(n.get("defaulted")) for n in neighbours)
st.caption(f"{difficulties} of the {len(neighbours)} past clients most like this one had "
           "payment difficulties. Click the box at the start of a row to see that past "
           "client's figures beside this client's (past clients have no score card: their "
           "loans were decided long ago).")

rows = picked.selection.rows if picked is not None else []
if rows and rows[0] < len(neighbours):
    other = neighbours[rows[0]]
    mine = ui.fetch(api_client.client, client_id, what="the client's record",
                    not_found=ui.unknown_client(client_id))
    own = {f["name"]: f["display"] for f in mine.get("fields", [])}
    st.markdown(f"**Past client {other['client_id']}** ({OUTCOMES[bool(other['defaulted'])]}) "
                f"beside client {client_id}")
    st.table(pd.DataFrame([{
        "Figure": label,
        f"Client {client_id}": own.get(feature_name, "not given"),
        f"Past client {other['client_id']}": other.get("figures", {}).get(feature_name, ""),
    } for feature_name, label in names.items()]), hide_index=True)
