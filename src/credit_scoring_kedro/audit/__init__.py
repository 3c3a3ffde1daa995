"""Every decision can be shown again: its sealed record, and a replay that recomputes it."""
