"""Why this score: a refusal's main reasons, then the factors that raise and lower the risk."""

import streamlit as st

from dashboard import api_client, charts, navigation, refusal, ui

client_id = ui.require_client()
ui.page_title("Why this score", client_id)
explained = ui.fetch(api_client.explanation, client_id, what="the explanation",
                     not_found=ui.unknown_client(client_id))
refusal.show_reasons(explained.get("reasons") or [])   # the score card's words, first

raising, lowering = explained.get("raises_risk", []), explained.get("lowers_risk", [])
if not raising and not lowering:
    st.info("The model found no factor that moves this client's risk away from the average.")
    st.stop()

caption = charts.factors_caption(raising + lowering)
ui.chart(charts.factors_html(raising + lowering, caption), caption)

for column, title, mark, factors in zip(
        st.columns(2), (":material/arrow_upward: Raises the risk",
                        ":material/arrow_downward: Lowers the risk"),
        ("▲", "▼"), (raising, lowering), strict=True):
    with column:
        st.subheader(title)
        for factor in factors:
            st.markdown(f"- {mark} {factor['sentence']}")
        if not factors:
            st.markdown("Nothing notable.")

st.caption("A bar's length is how much the factor weighs in this client's score, beside the "
           "heaviest one; each factor's value is the client's own.")
st.page_link(navigation.COMPARE, label="Compare these factors with other clients",
             icon=":material/groups:")
st.page_link(navigation.IMPORTANCE, label="What the model looks at for all clients",
             icon=":material/bar_chart:")
