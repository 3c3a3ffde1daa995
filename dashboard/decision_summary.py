"""The one-page decision summary a client takes home, as HTML (printable, or saved as PDF).

Built only from what the API answered (the score with its reasons and what would change
the decision, the client's application in readable units, for an approval the factors in
the client's favour): no reason code, model version, column name or internal figure is
written. The same fragment is shown on the page and wrapped into a standalone document with
print styles (A4) for the download.
"""

from __future__ import annotations

import datetime as dt
import html

from dashboard import ui

#: The application's figures the summary repeats, in this order (the API's labels and units).
KEY_FIGURES = ("NAME_CONTRACT_TYPE", "AMT_CREDIT", "AMT_ANNUITY", "AMT_GOODS_PRICE",
               "AMT_INCOME_TOTAL", "DAYS_EMPLOYED", "DAYS_BIRTH", "CNT_CHILDREN",
               "NAME_FAMILY_STATUS", "NAME_HOUSING_TYPE")
FAVOURS = 3       # for an approval: the factors that weighed most in the client's favour
INK, BLUE, VERMILLION = "#222222", "#0072B2", "#D55E00"
PRINT_STYLE = ("@page{size:A4;margin:16mm}body{font-family:'Liberation Sans',Arial,sans-serif;"
               "color:#222;max-width:760px;margin:24px auto;line-height:1.45}"
               "@media print{body{margin:0}}")


def _e(text: object) -> str:
    return html.escape(str(text), quote=True)


def _items(lines: list[str], numbered: bool = False) -> str:
    tag = "ol" if numbered else "ul"
    return f"<{tag} style=\"margin:4px 0 10px 0\">" + "".join(
        f"<li>{_e(line)}</li>" for line in lines) + f"</{tag}>"


def fragment(client_id: int, score: dict, record: dict, explanation: dict | None = None,
             today: dt.date | None = None) -> str:
    """The summary as one HTML block (inline styles: it is shown inside the dashboard too)."""
    today = today or dt.date.today()
    refused = score.get("decision") == "refused"
    words = ui.decision_words(score.get("decision"))
    colour = VERMILLION if refused else BLUE
    probability, threshold = ui.percent(score["probability"]), ui.percent(score["threshold"])
    parts = [
        f'<div class="decision-summary" data-client="{int(client_id)}" style="color:{INK};'
        'font-size:16px;border:1px solid #ccc;border-radius:6px;padding:18px 24px;'
        'background:white;max-width:820px">',
        '<div style="font-size:24px;font-weight:700;margin-bottom:2px">Your credit '
        'application: the decision and why</div>',
        f'<div style="color:#555">Client {int(client_id)} · summary of '
        f'{_e(today.strftime("%d %B %Y").lstrip("0"))}</div>',
        f'<div style="border-left:6px solid {colour};padding:8px 14px;margin:14px 0;'
        f'font-size:20px;font-weight:700">{"✖" if refused else "✔"} {_e(words)}</div>',
    ]
    if refused:
        reasons = [r["reason"] for r in score.get("reasons") or []]
        parts.append('<div style="font-size:18px;font-weight:700;margin-top:10px">'
                     'The main reasons</div>')
        parts.append(_items(reasons, numbered=True) if reasons
                     else "<p>No single reason stands out: several small ones add up.</p>")
        change = score.get("what_would_change") or {}
        proposals = [p["sentence"] for p in change.get("proposals") or []]
        parts.append('<div style="font-size:18px;font-weight:700;margin-top:10px">'
                     'What would change the decision</div>')
        if proposals:
            parts.append("<p style=\"margin:4px 0\">Each of these changes, on its own, would "
                         "lead to an approval according to the model (a new application "
                         "would be needed):</p>" + _items(proposals))
        else:
            parts.append(f"<p>{_e(change.get('message') or 'No change to the loan alone was found that would lead to an approval.')}</p>")
    else:
        favours = [f["sentence"] for f in (explanation or {}).get("lowers_risk", [])[:FAVOURS]]
        if favours:
            parts.append('<div style="font-size:18px;font-weight:700;margin-top:10px">'
                         'What weighed most in your favour</div>' + _items(favours))
    fields = {f["name"]: f for f in record.get("fields", [])}
    rows = "".join(
        f'<tr><td style="padding:3px 12px 3px 0;color:#555">{_e(fields[name]["label"])}</td>'
        f'<td style="padding:3px 0">{_e(fields[name]["display"])}</td></tr>'
        for name in KEY_FIGURES if name in fields)
    if rows:
        parts.append('<div style="font-size:18px;font-weight:700;margin-top:10px">'
                     'Your application</div><table style="border-collapse:collapse;'
                     f'margin:4px 0 10px 0">{rows}</table>')
    parts.append(
        '<div style="font-size:18px;font-weight:700;margin-top:10px">How the decision is '
        'made</div><p style="margin:4px 0">A statistical model, built from the applications '
        'of past clients and from how they repaid, estimates the chance that a loan runs '
        f'into payment difficulties. For this application it estimated {_e(probability)}; '
        f'credit is refused from {_e(threshold)}. It reads the information of your '
        'application and, where known, your credit history; it does not use your gender. '
        'Your relationship manager can explain the decision and, if you disagree with it, '
        'have it reviewed by a person.</p>')
    parts.append("</div>")
    return "".join(parts)


def document(body: str, client_id: int) -> str:
    """The fragment as a standalone page for the download (print it, or save it as PDF)."""
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>Decision summary, client {int(client_id)}</title>"
            f"<style>{PRINT_STYLE}</style></head><body>{body}</body></html>")
