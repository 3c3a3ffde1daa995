"""Score a batch of new applications with the champion model."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
