"""The monitoring pipeline: registered under its name; its nodes arrive with its issue."""

from kedro.pipeline import Pipeline


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([])
