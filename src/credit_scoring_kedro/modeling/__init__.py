"""Model building blocks shared by the modeling pipeline, batch scoring and the API."""
