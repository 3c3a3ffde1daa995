"""Score card: the decision in words, why a refusal and what would change it, the probability."""

import streamlit as st

from dashboard import api_client, charts, navigation, oversight, refusal, ui

client_id = ui.require_client()
ui.page_title("Score card", client_id)
score = ui.fetch(api_client.score, client_id, what="the score",
                 not_found=ui.unknown_client(client_id))

probability, threshold = float(score["probability"]), float(score["threshold"])
words = ui.decision_words(score["decision"])

ui.show_decision(score["decision"])
refusal.show_refusal(score)       # a refusal's reasons and way out, right under the verdict
left, middle, right = st.columns(3)
left.metric("Probability of payment difficulties", ui.percent(probability),
            help="The model's estimate that the client will have difficulties repaying.")
middle.metric("Refusal threshold", ui.percent(threshold),
              help="Credit is refused when the probability reaches this value.")
right.metric("Decision", words)

caption = charts.probability_caption(probability, threshold, words)
st.markdown(charts.probability_bar_html(probability, threshold, caption), unsafe_allow_html=True)
st.caption(caption)
st.page_link(navigation.SUMMARY, label="Decision summary for the client (printable)",
             icon=":material/summarize:")

if score.get("reading"):
    st.info(ui.reading_sentence(score["reading"]), icon=":material/record_voice_over:")
st.caption(f"Model version: {score.get('model_version', 'unknown')}")

oversight.show_logged_decisions(client_id)   # the logged decision, overrides, contests
