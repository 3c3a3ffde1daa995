"""Raw Home Credit tables -> one validated feature row per client."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
