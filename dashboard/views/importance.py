"""What the model looks at: global importance of the features, and whether it treats groups alike."""

import streamlit as st

from dashboard import api_client, charts, fairness, reports, ui

st.title("What the model looks at")
st.caption("For all clients together: how much each feature moves the scores on average. "
           "For one client's reasons, see 'Why this score'.")

answer = ui.fetch(api_client.importance, 15, what="the global importance")
rows = answer.get("features", answer) if isinstance(answer, dict) else answer
if rows:
    for row in rows:
        row["shown"] = row.get("label") or row.get("description") or row["feature"]
    ui.chart(charts.importance_chart(rows, "mean_abs_shap", "shown"), key="importance",
             text=charts.importance_caption(rows, "shown"))

with st.expander("Figure from the last pipeline run"):
    try:
        st.image(str(reports.path("fig_global_importance")))
        st.caption("The same ranking as drawn by the explainability pipeline (static image).")
    except reports.ReportUnavailable as error:
        st.info(error.message)

fairness.show()
