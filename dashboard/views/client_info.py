"""Client information: the application's descriptive fields, in words and readable units."""

import pandas as pd
import streamlit as st

from dashboard import api_client, ui

client_id = ui.require_client()
ui.page_title("Client information", client_id)
record = ui.fetch(api_client.client, client_id, what="the client's record",
                  not_found=ui.unknown_client(client_id))

fields = record.get("fields", [])
if not fields:
    st.info("The scoring service holds no descriptive field for this client.")
    st.stop()
table = pd.DataFrame([{"Information": f["label"], "Value": f["display"]} for f in fields])
st.table(table, hide_index=True)
st.caption("As declared in the loan application, written as on every other page (amounts "
           "in the configured currency, ages in whole years, scores out of 100).")
