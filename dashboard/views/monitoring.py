"""Monitoring: has the population of new clients drifted from the one the model learnt on?

The verdict first, in words; then one row per feature, by its plain name, readable without
scrolling at 1,280 px; the evidently report (5-10 MB of HTML) only when asked for, since
embedding it made the page take 4 s more and slowed the next page too.
"""

import pandas as pd
import streamlit as st

from dashboard import api_client, reports, traffic

EMBED_LIMIT_BYTES = 15_000_000   # above this, the report is offered as a download only
REPORT_SHOWN = "drift-report-shown"

st.title("Monitoring")
st.caption("From the last run of the monitoring pipeline: new clients (application_test) "
           "against the clients the model was trained on.")
traffic.show_alert_banner()   # the logged decisions' performance alert, when there is one

try:
    summary = reports.load("data_drift_summary")
except reports.ReportUnavailable as error:
    st.error(error.message, icon=":material/report:")
    st.button("Retry", key="retry-summary", icon=":material/refresh:", type="primary")
    summary = None

if summary is not None:
    checked, drifted = int(summary["features_checked"]), int(summary["drifted_features"])
    share = 100 * float(summary["drifted_share"])
    if summary.get("dataset_drift"):
        colour, icon, verdict = "#D55E00", "⚠", (
            f"Drift detected: {drifted} of the {checked} features checked ({share:.0f} %) differ "
            "between the new clients and the clients the model learnt on. Tell the data team: "
            "the model may need retraining.")
    else:
        colour, icon, verdict = "#0072B2", "✓", (
            f"No overall drift: {drifted} of the {checked} features checked ({share:.0f} %) "
            "differ between the new clients and the clients the model learnt on, too few to "
            "call the population changed.")
    st.markdown(f'<div class="drift-verdict" data-drift="{bool(summary.get("dataset_drift"))}" '
                f'style="border-left:6px solid {colour};padding:10px 14px;font-size:17px;'
                f'background:#F6F6F6;margin:4px 0 12px 0"><b>{icon} {verdict}</b></div>',
                unsafe_allow_html=True)

    try:  # plain-language labels when the scoring service answers; the reports do not need it
        labels = {f["feature"]: f["label"] for f in api_client.importance(1000)["features"]}
    except (api_client.ApiError, KeyError, TypeError):
        labels = {}
        st.caption("The scoring service did not answer: features are named as in the data.")
    rows = sorted(summary["features"], key=lambda f: (not f["drifted"], -float(f["score"])))
    table = pd.DataFrame([{
        "Feature": labels.get(f["feature"], f["feature"].replace("_", " ").capitalize()),
        "Verdict": "⚠ Drift" if f["drifted"] else "✓ Stable",
        "Difference": f"{float(f['score']):.3f}",
        "Limit": "—" if f.get("threshold") is None else f"{float(f['threshold']):g}",
        "Measured by": f.get("method") or "—",
    } for f in rows])
    st.subheader("Features, drifted first")
    st.table(table, hide_index=True)
    st.caption("⚠ Drift when the difference between the two populations reaches the limit "
               f"(evidently's test for that feature); {drifted} of {checked} features drifted.")

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
st.caption("The evidently report: one section per monitored feature, with its charts. It is "
           "large (several MB): it opens only when asked for.")
try:
    reports.path("data_drift_report")     # is there one? (a stat, not a 5-10 MB read)
except reports.ReportUnavailable as error:
    st.warning(error.message)
    st.session_state.pop(REPORT_SHOWN, None)
else:
    left, right = st.columns(2)
    if left.button("Show the full drift report", key="show-report",
                   icon=":material/open_in_full:"):
        st.session_state[REPORT_SHOWN] = True
    right.download_button("Download the drift report (HTML)",
                          lambda: reports.load("data_drift_report"),   # read on the click only
                          file_name="data_drift_report.html", mime="text/html",
                          icon=":material/download:", on_click="ignore")
if st.session_state.get(REPORT_SHOWN):
    try:
        html = reports.load("data_drift_report")
    except reports.ReportUnavailable as error:
        st.warning(error.message)
    else:
        size = len(html.encode("utf-8"))
        if size <= EMBED_LIMIT_BYTES:
            st.iframe(html, height=900)  # a fixed height: the report scrolls inside its frame
            st.caption("The evidently report, scrollable: one section per monitored feature.")
        else:
            st.info(f"The report is {size / 1e6:.0f} MB, too large to show here: download it "
                    "instead.")

traffic.show_windows()   # the API's logged decisions: drift and realised performance per window

from dashboard import oversight  # noqa: E402 - human oversight, the page's last section

oversight.show_weekly()
