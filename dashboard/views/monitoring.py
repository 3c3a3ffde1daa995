"""Monitoring: has the population of new clients drifted from the one the model learnt on?"""

import pandas as pd
import streamlit as st

from dashboard import api_client, reports

EMBED_LIMIT_BYTES = 15_000_000   # above this, the report is offered as a download only

st.title("Monitoring")
st.caption("From the last run of the monitoring pipeline: new clients (application_test) "
           "against the clients the model was trained on.")

try:
    summary = reports.load("data_drift_summary")
except reports.ReportUnavailable as error:
    st.error(error.message, icon=":material/report:")
    st.button("Retry", key="retry-summary", icon=":material/refresh:", type="primary")
    st.stop()

checked, drifted = int(summary["features_checked"]), int(summary["drifted_features"])
verdict = ("Drift detected in the population" if summary.get("dataset_drift")
           else "No overall drift")
a, b, c = st.columns(3)
a.metric("Features checked", checked)
b.metric("Features that drifted", f"{drifted} ({100 * float(summary['drifted_share']):.0f} %)")
c.metric("Overall verdict", verdict)

try:  # plain-language labels when the scoring service answers; the reports do not need it
    labels = {f["feature"]: f["label"] for f in api_client.importance(1000)["features"]}
except (api_client.ApiError, KeyError, TypeError):
    labels = {}
table = pd.DataFrame([{
    "Feature": labels.get(f["feature"], f["feature"]),
    "Column": f["feature"],
    "Verdict": "⚠ Drift" if f["drifted"] else "✓ Stable",
    "Drift score": round(float(f["score"]), 4),
    "Threshold": f.get("threshold"),
    "Method": f.get("method"),
} for f in summary["features"]])
st.subheader("Features")
st.dataframe(table, hide_index=True, key="drift-table")
st.caption("Verdict in words and symbols: ⚠ Drift when the drift score reaches the threshold "
           f"(evidently's test); {drifted} of {checked} features drifted.")

st.subheader("Scores")
try:
    scores = reports.load("prediction_drift")
except reports.ReportUnavailable as error:
    st.warning(error.message)
else:
    psi = float(scores["psi"])
    reading = ("stable" if psi < 0.1 else "moderate shift" if psi < 0.25 else "major shift")
    a, b, c = st.columns(3)
    a.metric("Score shift (PSI)", f"{psi:.3f}", help="< 0.1 stable, 0.1-0.25 moderate, > 0.25 major")
    b.metric("Average score, training clients", f"{100 * scores['reference_mean_score']:.1f} %")
    c.metric("Average score, new clients", f"{100 * scores['current_mean_score']:.1f} %")
    st.caption(f"Reading: the distribution of scores is {reading} (PSI {psi:.3f}).")

st.subheader("Full drift report")
try:
    html = reports.load("data_drift_report")
except reports.ReportUnavailable as error:
    st.warning(error.message)
    st.stop()
size = len(html.encode("utf-8"))
st.download_button("Download the drift report (HTML)", html, file_name="data_drift_report.html",
                   mime="text/html", icon=":material/download:")
if size <= EMBED_LIMIT_BYTES:
    st.iframe(html, height=900)  # a fixed height: the report scrolls inside its frame
    st.caption("The evidently report, scrollable: one section per monitored feature.")
else:
    st.info(f"The report is {size / 1e6:.0f} MB, too large to show here: download it instead.")
