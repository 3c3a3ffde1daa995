"""The fairness report of the last modeling run (catalog ``fairness_report``), as tables.

The pipeline measures everything (``credit_scoring_kedro.modeling.fairness``); this only
writes its figures for people: rates as percentages, groups too small to compare marked,
and the four-fifths verdict in words.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import reports

ATTRIBUTES = {"CODE_GENDER": "Gender", "age_band": "Age band"}
RATES = {"approval_rate": "Approval rate", "false_negative_rate": "False-negative rate",
         "false_positive_rate": "False-positive rate"}
NOT_MEASURED = "—"


def percent(value: float | None) -> str:
    return NOT_MEASURED if value is None else f"{100 * float(value):.1f} %"


def auc(value: float | None) -> str:
    """AUC is a ranking quality between 0.5 (chance) and 1, written as such, not as a rate."""
    return NOT_MEASURED if value is None else f"{float(value):.3f}"


def _reading_order(group: str) -> int:
    # the report lists groups alphabetically: "under 30" would come after "60 and over"
    return 0 if group.startswith("under ") else 2 if group == "unknown" else 1


def group_table(entry: dict, min_group_size: int) -> pd.DataFrame:
    """One row per group of one attribute, in reading order, every figure as text."""
    groups = sorted(entry.get("groups", {}).items(), key=lambda item: _reading_order(item[0]))
    return pd.DataFrame([{
        "Group": name,
        "Clients": f"{int(row['clients']):,}",
        **{label: percent(row.get(key)) for key, label in RATES.items()},
        "AUC": auc(row.get("auc")),
        "Compared": ("✓ yes" if row.get("compared")
                     else f"✗ no: fewer than {min_group_size} clients"),
    } for name, row in groups])


def _disparities(name: str, entry: dict, four_fifths: float) -> None:
    ratio, odds = entry.get("approval_rate_ratio"), entry.get("equalized_odds_difference")
    left, right = st.columns(2)
    left.metric("Approval-rate ratio (lowest / highest group)",
                NOT_MEASURED if ratio is None else f"{float(ratio):.2f}",
                help=f"The four-fifths rule asks for at least {four_fifths:.2f}.")
    right.metric("Equalized-odds difference",
                 NOT_MEASURED if odds is None else f"{100 * float(odds):.1f} points",
                 help="The largest gap between groups in false-negative or false-positive "
                      "rate.")
    if entry.get("four_fifths_flag"):
        st.warning(f"**{name}: below the four-fifths rule.** The lowest approval rate is "
                   f"{float(ratio):.2f} times the highest (the rule asks for at least "
                   f"{four_fifths:.2f}): review this model with the risk team before relying "
                   "on it.", icon=":material/warning:")
    elif ratio is None:
        st.caption("Fewer than two groups are large enough to compare.")


def show() -> None:
    """The "Fairness" section: one table per attribute, or why the report is missing."""
    st.header("Fairness")
    st.markdown("Gender is never a model input: it is used only for this check.")
    try:
        report = reports.load("fairness_report")
    except reports.ReportUnavailable as error:
        st.info(error.message)
        return
    four_fifths = float(report.get("four_fifths", 0.8))
    min_size = int(report.get("min_group_size", 0))
    st.caption(f"On the {int(report.get('clients', 0)):,} held-out clients of the last "
               "training run. False-negative rate: clients who then had payment difficulties "
               "but were granted; false-positive rate: clients who repaid but were refused. "
               f"Groups of fewer than {min_size} clients are listed but not compared.")
    for attribute, entry in report.get("attributes", {}).items():
        name = ATTRIBUTES.get(attribute, attribute)
        st.subheader(name)
        st.table(group_table(entry, min_size), hide_index=True)
        _disparities(name, entry, four_fifths)
