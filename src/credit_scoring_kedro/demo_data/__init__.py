"""A generated data set with the real Home Credit schema, for demos, tests and benchmarks.

Eight tables and the column description file, with the competition's column names,
dtypes, category labels and missing-value patterns, calibrated on aggregate statistics
of the real sample (``calibration.json``; no row is copied). A latent risk per client
drives TARGET (about 8 % defaults) and shows in both the application and the history
tables, so that models find a plausible, not trivial, signal. application_test is
drawn with a documented shift (``applications.TEST_SHIFT``) for drift detection.
"""

from credit_scoring_kedro.demo_data.applications import TEST_SHIFT
from credit_scoring_kedro.demo_data.generator import FULL_SIZE, MARKER_FILE, generate_demo_data

__all__ = ["FULL_SIZE", "MARKER_FILE", "TEST_SHIFT", "generate_demo_data"]
