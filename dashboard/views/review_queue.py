"""Review queue: clients' contests, resolved by a manager who did not take the decision."""

from dashboard import oversight

oversight.review_queue_page()
