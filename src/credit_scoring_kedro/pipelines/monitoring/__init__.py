"""The monitoring pipeline (registered now, built by its own issue)."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
