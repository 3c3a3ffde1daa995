"""Data drift and prediction drift of the new clients, with alerts."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
