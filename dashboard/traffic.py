"""The logged traffic on the monitoring page: the performance alert, and the windows' trend.

Read from the monitoring pipeline's reports (``traffic_alerts``, ``traffic_windows``) through
the catalog, like the drift summary: the windows of the API's own decisions, each with its
input drift, score drift, decision rates and, once outcomes are observed, realised performance.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import reports, ui


def show_alert_banner() -> None:
    """A red banner when the latest window with outcomes performs below its limits."""
    try:
        alerts = reports.load("traffic_alerts")
    except reports.ReportUnavailable:
        return   # no monitoring run yet: the sections below say so
    if alerts.get("latest_alert"):
        st.error(f"Performance alert, window {alerts['latest_window']}: "
                 f"{alerts['latest_alert']}. The model may need retraining "
                 "(docs/monitoring.md, the retraining trigger).", icon=":material/warning:")


def show_windows() -> None:
    """The windows' trend: realised AUC against the held-out AUC, drift, decisions; a table."""
    st.subheader("Logged decisions, window by window")
    try:
        windows = reports.load("traffic_windows")
    except reports.ReportUnavailable as error:
        st.info(f"No window of logged decisions yet. {error.message}")
        return
    if windows is None or len(windows) == 0:
        st.info("The prediction log holds no decision to monitor yet (test traffic is never "
                "counted): score clients through the API, then run `make drift`.")
        return
    windows = pd.DataFrame(windows)
    st.caption(f"{len(windows)} window(s), {int(windows['decisions'].sum()):,} decisions "
               f"({', '.join(sorted(set(windows['purposes'])))}), oldest first. Each window "
               "is compared with the clients the model was tested on.")
    trend = windows.set_index("window")
    left, right = st.columns(2)
    with left:
        st.markdown("**Realised AUC** (outcomes observed) vs held-out AUC")
        if trend["realised_auc"].notna().any():
            st.line_chart(trend[["realised_auc", "heldout_auc"]].astype(float)
                          .rename(columns=TREND_LABELS))
        else:
            st.caption("No observed outcome yet.")
    with right:
        st.markdown("**Share of features drifted** and score shift (PSI)")
        st.line_chart(trend[["drifted_share", "score_psi"]].astype(float)
                      .rename(columns=TREND_LABELS))
    shown = pd.DataFrame({
        "Window": windows["window"],
        "Decisions": windows["decisions"],
        "Granted": [ui.percent(v, 0) for v in windows["granted_rate"]],
        "Features drifted": [f"{int(d)} of {int(c)}" for d, c in
                             zip(windows["features_drifted"], windows["features_checked"],
                                 strict=True)],
        "Score PSI": [f"{v:.3f}" for v in windows["score_psi"]],
        "Realised AUC": [_number(v) for v in windows["realised_auc"]],
        "Defaults, granted": [_percent(v) for v in windows["default_rate_granted"]],
        "Cost": [_number(v) for v in windows["realised_cost"]],
        "Alert": [alert_summary(a) for a in windows["alert"]],
    })
    # every window in view (no inner scroll up to 25 windows); 35 px a row + the header
    st.dataframe(shown, hide_index=True, height=35 * (min(len(shown), 25) + 1) + 3)
    alerts = [(w, a) for w, a in zip(windows["window"], windows["alert"], strict=True)
              if isinstance(a, str) and a]
    if alerts:
        with st.expander(f"Why the {len(alerts)} alerted window(s) alerted"):
            st.markdown("\n".join(f"- **{w}**: {a}" for w, a in alerts))
    st.caption("Drift: a feature's PSI of at least the limit in parameters_monitoring.yml. "
               "Cost: the business cost (10 per missed defaulter, 1 per good client refused) "
               "per decision with an outcome. Defaults, granted: the share of granted clients "
               "who defaulted.")


#: plain names of the trend lines
TREND_LABELS = {"realised_auc": "Realised AUC", "heldout_auc": "Held-out AUC",
                "drifted_share": "Share of features drifted", "score_psi": "Score shift (PSI)"}


def alert_summary(alert) -> str:
    """The alert in a few words for the table (the full reasons are listed below it)."""
    if not isinstance(alert, str) or not alert:
        return "—"
    causes = [word for key, word in (("realised AUC", "AUC"), ("realised cost", "cost"))
              if key in alert]
    return "⚠ " + (" and ".join(causes) if causes else "see below")


def _number(value) -> str:
    return "—" if value is None or pd.isna(value) else f"{float(value):.3f}"


def _percent(value) -> str:
    return "—" if value is None or pd.isna(value) else ui.percent(value)
