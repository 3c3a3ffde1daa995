"""Where each page lives, relative to ``dashboard/app.py`` (for ``st.switch_page`` and links)."""

FIND = "views/find_client.py"
SCORE = "views/score_card.py"
SCORE_TITLE = "Score card"   # where an opened client lands (a page view: state.enter_view)
WHY = "views/explanation.py"
INFO = "views/client_info.py"
COMPARE = "views/comparison.py"
WHAT_IF = "views/what_if.py"
SUMMARY = "views/summary.py"   # the decision summary the client takes home
SUMMARY_TITLE = "Decision summary"
IMPORTANCE = "views/importance.py"
MONITORING = "views/monitoring.py"
REVIEW_QUEUE = "views/review_queue.py"   # human oversight: contests to resolve
