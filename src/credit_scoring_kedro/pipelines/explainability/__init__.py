"""SHAP explanations of the served model (global importance and per-client factors)."""

from .pipeline import create_pipeline

__all__ = ["create_pipeline"]
