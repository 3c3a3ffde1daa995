"""Explanations of the served model: per-feature contributions, global and local."""
