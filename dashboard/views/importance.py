"""What the model looks at: global importance of the features, and whether it treats groups alike."""

import streamlit as st

from dashboard import api_client, charts, fairness, ui

st.title("What the model looks at")
st.caption("For all clients together: how much each feature moves the scores on average. "
           "For one client's reasons, see 'Why this score'.")

SHOWN = 15
# every feature (cached for all sessions): the shares are of the model's whole weight
answer = ui.fetch(api_client.importance, 1000, what="the global importance")
every = answer.get("features", answer) if isinstance(answer, dict) else answer
total = sum(float(r["mean_abs_shap"]) for r in every) or 1.0
rows = [{"label": r.get("label") or r.get("description") or r["feature"],
         "share": float(r["mean_abs_shap"]) / total} for r in every[:SHOWN]]
if rows:
    caption = charts.importance_caption(rows)
    ui.chart(charts.importance_html(rows, caption), caption)
    st.caption(f"The {len(rows)} heaviest of the model's {len(every)} features. A feature's "
               "weight is how far it moves the scores on average, whichever the direction.")

fairness.show()
