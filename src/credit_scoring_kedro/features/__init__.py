"""Feature engineering shared by the pipelines and the API: one definition, used everywhere."""
