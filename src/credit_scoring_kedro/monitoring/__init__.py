"""Watching the model in production: data drift and prediction drift."""
