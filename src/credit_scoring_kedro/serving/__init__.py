"""Serving: what the API and the dashboard share (catalog access, fast scoring, client book)."""
