"""The relationship managers' Streamlit dashboard: every score comes from the scoring API."""
