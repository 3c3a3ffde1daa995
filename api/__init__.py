"""The scoring API: a thin Flask layer over ``credit_scoring_kedro.serving`` (see docs/api.md)."""
