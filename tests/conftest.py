"""Session-wide test settings."""

import os

# Never let kedro-telemetry ask, phone home, or write a project id into pyproject.toml.
os.environ.setdefault("KEDRO_DISABLE_TELEMETRY", "true")
os.environ.setdefault("DO_NOT_TRACK", "1")
