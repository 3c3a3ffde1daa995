"""Comparison: where the client stands among all clients and among the clients most like them."""

import pandas as pd
import streamlit as st

from dashboard import api_client, charts, ui

client_id = ui.require_client()
ui.page_title("Comparison", client_id)

offered = ui.fetch(api_client.features, what="the list of features")
offered = offered.get("features", offered) if isinstance(offered, dict) else offered
if not offered:
    st.info("The scoring service offers no feature to compare.")
    st.stop()
labels = {f["feature"]: f.get("label") or f["feature"] for f in offered}
feature = st.selectbox("Compare the client on", list(labels), format_func=labels.get,
                       key="compare-feature")

population = ui.fetch(api_client.population, feature, client_id, what="the comparison",
                      not_found=ui.unknown_client(client_id))
edges = [float(e) for e in population.get("bin_edges", [])]
histograms = population.get("histograms", {})
value = population.get("client_value")
unit = " years" if population.get("unit") == "years" else ""
value_text = ("not given" if value is None
              else f"{value:.1f} years" if unit else charts.format_value(value))
label = population.get("label", labels[feature])

outcomes = st.toggle("Also show past clients who repaid and who had difficulties",
                     key="compare-outcomes")
if len(edges) > 1:
    groups = {"all clients": histograms.get("all", []),
              "similar clients": histograms.get("similar", [])}
    if outcomes:
        groups["clients who repaid"] = histograms.get("repaid", [])
        groups["clients who had difficulties"] = histograms.get("defaulted", [])
    axis = f"{label} (years)" if unit else label
    ui.chart(charts.population_chart(edges, groups, value, value_text, axis), key="population",
             text=charts.population_caption(label, value_text, population))
else:
    st.info("Not enough known values to draw this feature's distribution.")

st.subheader("The most similar past clients")
found = ui.fetch(api_client.similar, client_id, what="the similar clients",
                 not_found=ui.unknown_client(client_id))
neighbours = found.get("clients", [])
if neighbours:
    table = pd.DataFrame([{
        "Client": n.get("client_id"),
        "Outcome": ("✖ Had payment difficulties" if n.get("defaulted") else "✔ Repaid"),
    } for n in neighbours])
    st.table(table, hide_index=True)
    difficulties = sum(bool(n.get("defaulted")) for n in neighbours)
    st.caption(f"{difficulties} of the {len(neighbours)} past clients most like this one had "
               "payment difficulties.")
else:
    st.info("No similar past client was found.")
