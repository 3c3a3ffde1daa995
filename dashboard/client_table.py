"""The search page's results table: one row per client, every value as text, each ID a link.

Text, not numbers: a number column goes through the browser's floating point, which showed
client 100191 as ``100190.99999999999`` (and the row still opened 100191); amounts rounded
by the browser read 529,861 where the client's page read 529,862. Here the ID is the
integer's digits and every figure is the API's own wording (``display``: the configured
currency, ages in whole years) or :func:`dashboard.ui.percent`, as on every other page.
"""

from __future__ import annotations

import html

import pandas as pd

from dashboard import ui

PROBABILITY = "Probability"   # of payment difficulties (the column's help says so)
# widths (px) that fit the table in the page at 1,280 px wide, sidebar open, no scrolling:
# the ID link, a 16 px gap, 640 px of values and 6 gaps of 8 px in the 820 px the page leaves
ID_WIDTH = 110
WIDTHS = {"Decision": 115, PROBABILITY: 85, "Age": 70, "Gender": 65,
          "Yearly income": 100, "Loan amount": 100, "Contract type": 105}
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


# ----- drawn as rows of links ------------------------------------------------------------
# Each row opens its client through a page link: the browser changes page at once, as the
# menu does. A selectable grid (``st.dataframe``) waits 150 ms before it even tells the
# server about a click, then needs a second script run to change page (0.53 s against
# 0.17 s, measured with benchmarks/bench_dashboard.py).
_ROW_STYLE = ("display:grid;grid-template-columns:{columns};column-gap:8px;"
              "align-items:center;font-size:0.92rem;font-variant-numeric:tabular-nums;{extra}")


def _grid(columns: list[str], cells: list[str], extra: str = "") -> str:
    template = " ".join(f"{WIDTHS.get(name, 100)}px" for name in columns)
    aligned = [f'<span style="text-align:{"left" if name in LEFT else "right"}">{cell}</span>'
               for name, cell in zip(columns, cells, strict=True)]
    return (f'<div class="client-row" style="{_ROW_STYLE.format(columns=template, extra=extra)}">'
            + "".join(aligned) + "</div>")


def header_html(table: pd.DataFrame) -> str:
    """The column names, aligned with :func:`row_html`'s cells (after the ID column)."""
    names = [c for c in table.columns if c != "Client"]
    cells = [f'<span title="{html.escape(HELP[n])}">{html.escape(n)}</span>' if n in HELP
             else html.escape(n) for n in names]
    return (f'<div style="display:flex;gap:1rem;align-items:end;font-weight:600;'
            f'font-size:0.92rem;padding-bottom:4px;margin-bottom:1rem;'
            f'border-bottom:1px solid rgba(49,51,63,0.2);">'
            f'<span style="flex:0 0 {ID_WIDTH}px">Client</span>'
            + _grid(names, cells) + "</div>")


def row_html(row: pd.Series) -> str:
    """One client's values, escaped, in the header's columns."""
    names = [c for c in row.index if c != "Client"]
    return _grid(names, [html.escape(str(row[n])) for n in names],
                 # Streamlit pulls each markdown element up by 1rem: given back here
                 extra="min-height:2.25rem;margin-bottom:1rem;"
                       "border-bottom:1px solid rgba(49,51,63,0.1);")
