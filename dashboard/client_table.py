"""The search page's results table: one row per client, every value as text.

Text, not numbers: a number column goes through the browser's floating point, which showed
client 100191 as ``100190.99999999999`` (and the row still opened 100191); amounts rounded
by the browser read 529,861 where the client's page read 529,862. Here the ID is the
integer's digits and every figure is the API's own wording (``display``: the configured
currency, ages in whole years) or :func:`dashboard.ui.percent`, as on every other page.
"""

from __future__ import annotations

import pandas as pd

from dashboard import ui

PROBABILITY = "Probability"   # of payment difficulties (the column's help says so)
# widths (px) that fit the table in the page at 1,280 px wide, sidebar open, no scrolling:
# 760 px and the row selectors' ~30 px, in the 818 px the page leaves (chromium, measured)
WIDTHS = {"Client": 75, "Decision": 120, PROBABILITY: 95, "Age": 75, "Gender": 70,
          "Yearly income": 105, "Loan amount": 105, "Contract type": 115}
LEFT = ("Decision", "Gender", "Contract type")   # words; the rest is right-aligned figures
HELP = {PROBABILITY: "The model's probability of payment difficulties for this client."}


def results_table(rows: list[dict], labels: dict[str, str]) -> pd.DataFrame:
    """The API's ``GET /clients`` rows as the table shows them (``labels``: its ``labels``)."""
    return pd.DataFrame([{
        "Client": str(int(r["client_id"])),
        "Decision": ui.decision_words(r["decision"]),
        PROBABILITY: ui.percent(r["probability"]),
        labels.get("age_years", "Age"): r["display"]["age_years"],
        "Gender": r.get("gender") or "not given",
        labels.get("income", "Yearly income"): r["display"]["income"],
        labels.get("credit", "Loan amount"): r["display"]["credit"],
        "Contract type": r.get("contract_type") or "not given",
    } for r in rows])
