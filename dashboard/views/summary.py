"""Decision summary: one page the client takes home (downloaded as HTML, printed or saved as PDF).

The decision, its reasons in plain words, what would change it, the application's key
figures and how the score is made: :mod:`dashboard.decision_summary` writes it from the
API's answers, with no internal code.
"""

import streamlit as st

from dashboard import api_client, decision_summary, ui

client_id = ui.require_client()
ui.page_title("Decision summary", client_id)
score = ui.fetch(api_client.score, client_id, what="the decision",
                 not_found=ui.unknown_client(client_id))
record = ui.fetch(api_client.client, client_id, what="the client's application",
                  not_found=ui.unknown_client(client_id))
explained = (None if score.get("decision") == "refused"
             else ui.fetch(api_client.explanation, client_id, what="the explanation",
                           not_found=ui.unknown_client(client_id)))

body = decision_summary.fragment(client_id, score, record, explained)
st.caption("A one-page summary for the client, in plain words. Download it, then print it or "
           "save it as PDF from the browser (File › Print).")
st.download_button("Download the summary (HTML, printable)",
                   decision_summary.document(body, client_id),
                   file_name=f"decision_summary_{client_id}.html", mime="text/html",
                   icon=":material/download:", type="primary", on_click="ignore")
st.markdown(body, unsafe_allow_html=True)
